import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { createPgliteDb, createPostgresDb, migrate, platformMigrations, type Db, type Logger, type Migration } from '@aerofly/platform';
import { hasServers, testServers } from './environment.js';
import { silentLogger } from './logger.js';

export type SchemaMigrations = { schema: string; migrations: Migration[] };
export type TestDb = Db & { readonly databaseUrl: string | undefined; destroy(): Promise<void> };

const withAdminClient = async <T>(url: string, fn: (client: pg.Client) => Promise<T>): Promise<T> => {
  const admin = new URL(url);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString() });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
};

/**
 * A fresh, migrated database for one test file. On PostgreSQL it is cloned from a template that
 * is migrated once per set of migrations (cheap: a file copy); without `DATABASE_URL` it is an
 * in-memory PGlite. `destroy()` drops it.
 */
export async function createTestDb(sets: SchemaMigrations[], options: { logger?: Logger; embedded?: boolean } = {}): Promise<TestDb> {
  const logger = options.logger ?? silentLogger;
  // `embedded: true` asks for PGlite even when a server is configured (contract tests run both).
  const serverUrl = options.embedded ? undefined : testServers.databaseUrl;
  if (!serverUrl) {
    const db = await createMigratedPglite(sets, logger);
    return Object.assign(db, { databaseUrl: undefined, destroy: () => db.close() });
  }

  const hash = createHash('sha256')
    .update(JSON.stringify(sets.map((set) => [set.schema, set.migrations])))
    .digest('hex')
    .slice(0, 16);
  const template = `aerofly_tpl_${hash}`;
  const name = `aerofly_t_${randomBytes(6).toString('hex')}`;

  await withAdminClient(serverUrl, async (client) => {
    await client.query('SELECT pg_advisory_lock(hashtext($1))', [template]);
    try {
      const exists = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [template]);
      if (exists.rowCount === 0) {
        const building = `${template}_b${randomBytes(3).toString('hex')}`;
        await client.query(`CREATE DATABASE ${building}`);
        const url = new URL(serverUrl);
        url.pathname = `/${building}`;
        const db = createPostgresDb({ url: url.toString(), logger, maxConnections: 2 });
        for (const set of sets) await migrate(db, { ...set, logger });
        await db.close();
        await client.query(`ALTER DATABASE ${building} RENAME TO ${template}`);
      }
      await client.query(`CREATE DATABASE ${name} TEMPLATE ${template}`);
    } finally {
      await client.query('SELECT pg_advisory_unlock(hashtext($1))', [template]);
    }
  });

  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  // Race tests queue hundreds of requests on this pool while the machine may be busy with other suites:
  // waiting long for a connection is fine here, failing with 503 would only test the machine's load.
  const db = createPostgresDb({ url: url.toString(), logger, maxConnections: 20, applicationName: name, connectionTimeoutMs: 30_000 });
  return Object.assign(db, {
    databaseUrl: url.toString(),
    async destroy() {
      await db.close();
      await withAdminClient(serverUrl, (client) => client.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    },
  });
}

const pgliteVersion = (() => {
  try {
    const require = createRequire(import.meta.url);
    return (require('@electric-sql/pglite/package.json') as { version: string }).version;
  } catch {
    return 'unknown';
  }
})();

/**
 * An in-memory PGlite with the migrations applied. initdb plus migrations cost seconds per database,
 * so the first test file to need a set of migrations keeps a copy of the migrated files in the temp
 * directory, and later ones (other processes included) start from that copy.
 */
async function createMigratedPglite(sets: SchemaMigrations[], logger: Logger) {
  const key = createHash('sha256')
    .update(JSON.stringify([pgliteVersion, platformMigrations('x'), sets.map((set) => [set.schema, set.migrations])]))
    .digest('hex')
    .slice(0, 20);
  const file = join(tmpdir(), `aerofly-pglite-template-${key}.tar`);
  if (existsSync(file)) {
    try {
      return await createPgliteDb({ logger, loadDataDir: new Blob([readFileSync(file)]) });
    } catch {
      // A damaged copy: build afresh below and replace it.
    }
  }
  const db = await createPgliteDb({ logger });
  for (const set of sets) await migrate(db, { ...set, logger });
  try {
    const partial = `${file}.${randomBytes(4).toString('hex')}`;
    writeFileSync(partial, Buffer.from(await (await db.dumpDataDir()).arrayBuffer()));
    renameSync(partial, file); // atomic: a concurrent reader sees the old file or the whole new one
  } catch {
    // No writable temp directory: every file migrates its own database, only slower.
  }
  return db;
}

export type DbImplementation = {
  name: 'pglite' | 'postgres';
  create: () => Promise<TestDb>;
  /** A second instance on the same database, as another process would open it. */
  another: (db: TestDb) => Db;
};

/**
 * The db implementations a contract suite runs on: PGlite always, PostgreSQL when it is configured
 * (in CI a missing server fails the suite, see `hasServers`).
 */
export function dbImplementations(suite: string, sets: SchemaMigrations[]): DbImplementation[] {
  const implementations: DbImplementation[] = [
    {
      name: 'pglite',
      create: () => createTestDb(sets, { embedded: true }),
      // One PGlite per process: a second "instance" in embedded mode is the same handle.
      another: (db) => db,
    },
  ];
  if (hasServers(`${suite} on postgres`, ['postgres'])) {
    implementations.push({
      name: 'postgres',
      create: () => createTestDb(sets),
      another: (db) => createPostgresDb({ url: db.databaseUrl!, logger: silentLogger, maxConnections: 4 }),
    });
  }
  return implementations;
}
