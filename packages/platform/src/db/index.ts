import { join } from 'node:path';
import type { Logger } from '../logger.js';
import type { Db } from './db.js';
import { createPgliteDb } from './pglite.js';
import { createPostgresDb } from './postgres.js';

export * from './db.js';
export * from './migrate.js';
export { createPgliteDb, type PgliteDb } from './pglite.js';
export { createPostgresDb } from './postgres.js';

export type DbSettings = { databaseUrl?: string | undefined; preparedStatements: boolean; dataDir: string };

/** The database part of a service's config, for `createDb({ ...dbSettingsOf(config), logger })`. */
export function dbSettingsOf(config: {
  DATABASE_URL?: string | undefined;
  DATABASE_PREPARED_STATEMENTS: boolean;
  DATA_DIR: string;
}): DbSettings {
  return { databaseUrl: config.DATABASE_URL, preparedStatements: config.DATABASE_PREPARED_STATEMENTS, dataDir: config.DATA_DIR };
}

/** Real PostgreSQL when `databaseUrl` is set, otherwise PGlite persisted under `dataDir/pg`. */
export async function createDb(options: {
  databaseUrl?: string | undefined;
  dataDir: string;
  logger: Logger;
  applicationName?: string;
  maxConnections?: number;
  /** Named prepared statements on PostgreSQL (default on); see `PostgresDbOptions`. */
  preparedStatements?: boolean;
}): Promise<Db> {
  if (options.databaseUrl) {
    return createPostgresDb({
      url: options.databaseUrl,
      logger: options.logger,
      applicationName: options.applicationName ?? 'aerofly',
      maxConnections: options.maxConnections ?? 10,
      preparedStatements: options.preparedStatements ?? true,
    });
  }
  return createPgliteDb({ dataDir: join(options.dataDir, 'pg'), logger: options.logger });
}
