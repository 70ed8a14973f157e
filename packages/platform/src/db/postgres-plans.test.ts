import { afterAll, describe, expect, it } from 'vitest';
import { hasServers, silentLogger, testServers } from '@aerofly/testing';
import type { Db } from './db.js';
import { createPostgresDb } from './postgres.js';

const ready = hasServers('postgres adapter: plan cache', ['postgres']);

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
