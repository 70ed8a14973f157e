import { createHash } from 'node:crypto';
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
  /**
   * Run parameterised statements as named prepared statements (default on). Turn off behind a
   * pooler that does not keep them across transactions (PgBouncer before 1.21 in transaction mode).
   */
  preparedStatements?: boolean;
};

/** Distinct statement texts prepared per pool; statements built with a varying number of rows stop here. */
const maxPreparedTexts = 500;

/** A statement the server refused (constraint, raised error, timeout) leaves the connection ready for the next one. */
const leavesConnectionReady = (error: unknown) => error instanceof pg.DatabaseError && error.severity === 'ERROR';

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

  // PostgreSQL plans an unnamed statement on every call; for the hold and booking statements planning
  // costs several times the execution (about 2 ms against 0.3 ms measured). A named statement is
  // planned once per connection and reused. The name is the text's hash, so a text always has one.
  const prepare = options.preparedStatements ?? true;
  const names = new Map<string, string>();
  const statement = (text: string, params?: unknown[]): string | pg.QueryConfig => {
    if (!prepare || !params || params.length === 0) return text;
    let name = names.get(text);
    if (!name) {
      if (names.size >= maxPreparedTexts) return text;
      name = `aerofly_${createHash('sha1').update(text).digest('hex').slice(0, 24)}`;
      names.set(text, name);
    }
    return { name, text, values: params };
  };
  const run = (client: pg.Pool | pg.PoolClient, text: string, params?: unknown[]) => {
    const query = statement(text, params);
    return typeof query === 'string' ? client.query(query, params) : client.query(query);
  };

  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? 0,
  });

  return {
    kind: 'postgres',
    // Not pool.query: it closes the connection after any failed statement, and a conflict (a seat
    // taken, a unique key) is an everyday answer here. Under a flash sale that meant a new backend,
    // and every statement prepared and planned again, for each refusal.
    async query<T>(text: string, params?: unknown[]) {
      const client = await pool.connect();
      let broken: Error | undefined;
      const onLost = (error: Error) => {
        broken = error;
      };
      client.on('error', onLost);
      try {
        return toResult<T>(await run(client, text, params));
      } catch (error) {
        if (!leavesConnectionReady(error)) broken ??= error as Error;
        throw error;
      } finally {
        client.off('error', onLost);
        client.release(broken);
      }
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
          query: async <R>(text: string, params?: unknown[]) => toResult<R>(await run(client, text, params)),
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
