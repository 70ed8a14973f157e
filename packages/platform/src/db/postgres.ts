import pg from 'pg';
import type { Logger } from '../logger.js';
import type { Db, Queryable, QueryResult } from './db.js';

// Counts come back as int8; they are far below 2^53 here. Dates stay strings ("2026-03-29").
pg.types.setTypeParser(20, (value) => Number(value));
pg.types.setTypeParser(1082, (value) => value);

export type PostgresDbOptions = {
  url: string;
  logger: Logger;
  maxConnections?: number;
  /** Name shown in pg_stat_activity. */
  applicationName?: string;
  statementTimeoutMs?: number;
  /**
   * How long a caller waits for a pooled connection before failing (default 5 s): long enough to queue
   * through a flash sale's burst, short enough that an outage turns into 503s rather than hung requests.
   */
  connectionTimeoutMs?: number;
};

/** `Db` on a pg Pool (server mode). The pool reconnects by itself; a lost connection is logged, never fatal. */
export function createPostgresDb(options: PostgresDbOptions): Db {
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.maxConnections ?? 10,
    connectionTimeoutMillis: options.connectionTimeoutMs ?? 5000,
    idleTimeoutMillis: 30_000,
    application_name: options.applicationName ?? 'aerofly',
    statement_timeout: options.statementTimeoutMs ?? 15_000,
  });
  pool.on('error', (error) => options.logger.warn({ err: error }, 'idle postgres connection lost'));

  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? 0,
  });

  return {
    kind: 'postgres',
    async query<T>(text: string, params?: unknown[]) {
      return toResult<T>(await pool.query(text, params));
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      const client = await pool.connect();
      let broken = false;
      // A checked-out client has no pool listener: a connection lost between two statements of
      // this transaction would otherwise be an unhandled 'error' event and end the process.
      const onLost = (error: Error) => {
        broken = true;
        options.logger.warn({ err: error }, 'postgres connection lost inside a transaction');
      };
      client.on('error', onLost);
      try {
        await client.query('BEGIN');
        const tx: Queryable = {
          query: async <R>(text: string, params?: unknown[]) => toResult<R>(await client.query(text, params)),
        };
        const result = await fn(tx);
        await client.query('COMMIT');
        return result;
      } catch (error) {
        try {
          await client.query('ROLLBACK');
        } catch {
          broken = true;
        }
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
    },
    async exec(sql: string) {
      await pool.query(sql);
    },
    async ping() {
      await pool.query('SELECT 1');
    },
    async close() {
      await pool.end();
    },
  };
}
