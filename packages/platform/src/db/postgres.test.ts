import { afterAll, describe, expect, it } from 'vitest';
import { hasServers, silentLogger, testServers } from '@aerofly/testing';
import type { Db } from './db.js';
import { createPostgresDb } from './postgres.js';

const ready = hasServers('postgres adapter: pool', ['postgres']);

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
      // Settled into a value at once, so its rejection is never left unhandled while we terminate it.
      const sleeping = db.query('SELECT pg_sleep($1::float)', [5]).then(
        () => 'answered',
        (error: unknown) => error,
      );
      await new Promise((done) => setTimeout(done, 100));
      await admin.query('SELECT pg_terminate_backend($1)', [pid]);
      expect(await sleeping).toMatchObject({ code: '57P01' });
      const next = (await db.query<{ pid: number }>('SELECT pg_backend_pid() AS pid')).rows[0]?.pid;
      expect(next).toEqual(expect.any(Number));
      expect(next).not.toBe(pid);
    } finally {
      await admin.close();
    }
  });
});
