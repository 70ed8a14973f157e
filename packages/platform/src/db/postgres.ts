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
  const run = (client: pg.PoolClient, text: string, params?: unknown[]) => {
    const query = statement(text, params);
    return typeof query === 'string' ? client.query(query, params) : client.query(query);
  };

  const toResult = <T>(result: pg.QueryResult): QueryResult<T> => ({
    rows: result.rows as T[],
    rowCount: result.rowCount ?? 0,
  });

  /**
   * A pooled client for `use`, watched while checked out (it has no pool listener then: a lost
   * connection's 'error' event would end the process). Handed back afterwards, or closed when the
   * connection was lost or `use` called `discard`.
   */
  const withClient = async <T>(
    use: (client: pg.PoolClient, discard: () => void) => Promise<T>,
    onLost?: (error: Error) => void,
  ): Promise<T> => {
    const client = await pool.connect();
    let broken = false;
    const lost = (error: Error) => {
      broken = true;
      onLost?.(error);
    };
    client.on('error', lost);
    try {
      return await use(client, () => {
        broken = true;
      });
    } finally {
      client.off('error', lost);
      client.release(broken);
    }
  };

  return {
    kind: 'postgres',
    // Not pool.query: it closes the connection after any failed statement, and a conflict (a seat
    // taken, a unique key) is an everyday answer here. Under a flash sale that meant a new backend,
    // and every statement prepared and planned again, for each refusal.
    query: <T>(text: string, params?: unknown[]) =>
      withClient(async (client, discard) => {
        try {
          return toResult<T>(await run(client, text, params));
        } catch (error) {
          if (!leavesConnectionReady(error)) discard();
          throw error;
        }
      }),
    transaction: <T>(fn: (tx: Queryable) => Promise<T>): Promise<T> =>
      withClient(
        async (client, discard) => {
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
              discard();
            }
            throw error;
          }
        },
        (error) => options.logger.warn({ err: error }, 'postgres connection lost inside a transaction'),
      ),
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
