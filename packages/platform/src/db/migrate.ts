import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../logger.js';
import { assertIdentifier, type Db } from './db.js';

export type Migration = { name: string; sql: string };

/** Tables every service has in its own schema: the outbox and the consumer inbox. */
export const platformMigrations = (schema: string): Migration[] => [
  {
    name: 'platform/0001_outbox_inbox',
    sql: `
      CREATE TABLE ${schema}.outbox (
        seq bigserial PRIMARY KEY,
        id uuid NOT NULL UNIQUE,
        type text NOT NULL,
        version integer NOT NULL DEFAULT 1,
        data jsonb NOT NULL,
        occurred_at timestamptz NOT NULL DEFAULT now(),
        published_at timestamptz,
        claimed_until timestamptz,
        claim_token uuid,
        attempts integer NOT NULL DEFAULT 0,
        last_error text
      );
      CREATE INDEX outbox_unpublished_idx ON ${schema}.outbox (seq) WHERE published_at IS NULL;
      CREATE TABLE ${schema}.inbox (
        consumer text NOT NULL,
        event_id uuid NOT NULL,
        processed_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (consumer, event_id)
      );`,
  },
];

/** Reads `NNNN_name.sql` files from a folder, in name order. */
export function readMigrations(dir: string): Migration[] {
  return readdirSync(dir)
    .filter((file) => file.endsWith('.sql'))
    .sort()
    .map((file) => ({ name: file.replace(/\.sql$/, ''), sql: readFileSync(join(dir, file), 'utf8') }));
}

/**
 * Applies the platform's and the service's migrations to the service's schema, each service with
 * its own `schema_migrations` table. The whole run is one transaction under an advisory lock, so
 * several instances starting together apply each migration once.
 */
export async function migrate(db: Db, options: { schema: string; migrations: Migration[]; logger?: Logger }): Promise<string[]> {
  const schema = assertIdentifier(options.schema);
  const all = [...platformMigrations(schema), ...options.migrations];
  return db.transaction(async (tx) => {
    await tx.query('SELECT pg_advisory_xact_lock(hashtext($1))', [`aerofly:migrate:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${schema}.schema_migrations (name text PRIMARY KEY, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const { rows } = await tx.query<{ name: string }>(`SELECT name FROM ${schema}.schema_migrations`);
    const done = new Set(rows.map((row) => row.name));
    const applied: string[] = [];
    for (const migration of all) {
      if (done.has(migration.name)) continue;
      for (const statement of splitStatements(migration.sql.replaceAll('${schema}', schema))) {
        await tx.query(statement);
      }
      await tx.query(`INSERT INTO ${schema}.schema_migrations (name) VALUES ($1)`, [migration.name]);
      applied.push(migration.name);
    }
    if (applied.length > 0) options.logger?.info({ schema, applied }, 'migrations applied');
    return applied;
  });
}

/**
 * Splits a script on `;` at line ends, outside dollar-quoted bodies. Statements run one by one
 * because a parameterised transaction cannot take multi-statement strings on both drivers.
 */
export function splitStatements(sql: string): string[] {
  const statements: string[] = [];
  let current = '';
  let inDollar = false;
  for (const line of sql.split('\n')) {
    const trimmed = line.trim();
    if (trimmed.startsWith('--') && !inDollar) continue;
    const dollarCount = (line.match(/\$\$/g) ?? []).length;
    if (dollarCount % 2 === 1) inDollar = !inDollar;
    current += `${line}\n`;
    if (!inDollar && trimmed.endsWith(';')) {
      statements.push(current.trim());
      current = '';
    }
  }
  if (current.trim()) statements.push(current.trim());
  return statements;
}
