import { afterAll, describe, expect, it } from 'vitest';
import { hasServers, silentLogger, testServers } from '@aerofly/testing';
import type { Db } from './db.js';
import { createPostgresDb } from './postgres.js';

const ready = hasServers('postgres adapter: pool', ['postgres']);

/** How often PostgreSQL planned the pool's one connection's prepared statement afresh, and reused its generic plan. */
async function plansOf(db: Db, statement: string) {
  for (let i = 0; i < 12; i += 1) await db.query(statement, [[`k${i}`, `l${i}`]]);
  const { rows } = await db.query<{ custom: number; generic: number }>(
    `SELECT custom_plans::int AS custom, generic_plans::int AS generic FROM pg_prepared_statements WHERE statement = $1`,
    [statement],
  );
  return rows[0];
}

describe.skipIf(!ready)('postgres adapter: prepared statements with array parameters', () => {
  const statement = `SELECT k FROM unnest($1::text[]) AS t(k) JOIN pg_catalog.pg_class c ON c.relname = t.k`;
  const opened: Db[] = [];
  const open = (genericPlans: boolean) => {
    const db = createPostgresDb({ url: testServers.databaseUrl!, logger: silentLogger, maxConnections: 1, genericPlans });
    opened.push(db);
    return db;
  };
  afterAll(async () => {
    await Promise.all(opened.map((db) => db.close()));
  });

  it('when nothing is set, then PostgreSQL plans such a statement again on every call', async () => {
    expect(await plansOf(open(false), statement)).toEqual({ custom: 12, generic: 0 });
  });

  it('when genericPlans is set, then it plans it once and reuses that plan', async () => {
    const plans = await plansOf(open(true), statement);
    expect(plans?.custom).toBe(0);
    expect(plans?.generic).toBe(12);
  });
});

describe.skipIf(!ready)('postgres adapter: statements the database refuses', () => {
  let db: Db;
  afterAll(async () => {
    await db?.close();
  });

  it('when a statement fails in the database, then the connection stays open and keeps its prepared statements', async () => {
    db = createPostgresDb({ url: testServers.databaseUrl!, logger: silentLogger, maxConnections: 1 });
    const backend = async () => (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid, $1::int AS n', [1])).rows[0]?.pid;
    const first = await backend();
    await expect(db.query(`SELECT ('SEAT_CONFLICT ' || $1::text)::int`, ['1'])).rejects.toMatchObject({ code: '22P02' });
    await expect(db.query('SELECT 1 / $1::int', [0])).rejects.toMatchObject({ code: '22012' });
    expect(await backend()).toBe(first);
    const { rows } = await db.query<{ n: number }>('SELECT count(*)::int AS n FROM pg_prepared_statements');
    expect(rows[0]?.n).toBeGreaterThanOrEqual(2);
  });

  it('when the server ends the connection during a statement, then that statement fails and the next one gets a new connection', async () => {
    const admin = createPostgresDb({ url: testServers.databaseUrl!, logger: silentLogger, maxConnections: 1 });
    try {
      const pid = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      const sleeping = db.query('SELECT pg_sleep($1::float)', [5]);
      await new Promise((done) => setTimeout(done, 100));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      await expect(sleeping).rejects.toThrow();
      const next = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      expect(next).toEqual(expect.any(Number));
      expect(next).not.toBe(pid);
    } finally {
      await admin.close();
    }
  });
});
