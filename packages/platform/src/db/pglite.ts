import { mkdirSync } from 'node:fs';
import { PGlite, types } from '@electric-sql/pglite';
import type { Logger } from '../logger.js';
import { AppError } from '../errors.js';
import type { Db, Queryable, QueryResult } from './db.js';

export type PgliteDbOptions = {
  /** Directory for the data files; omit for an in-memory database (tests). */
  dataDir?: string;
  logger: Logger;
  /** How long a caller may wait for the single connection before failing loudly. */
  lockTimeoutMs?: number;
  /** Start from a copy of another database's files (`dumpDataDir()`), skipping initdb (test templates). */
  loadDataDir?: Blob;
};

export type PgliteDb = Db & {
  /** The database files as a tarball, for `loadDataDir`. */
  dumpDataDir(): Promise<Blob>;
};

/**
 * PGlite has one connection per process, so work is serialised here: one transaction or statement
 * at a time, and a caller that waits longer than `lockTimeoutMs` gets an error instead of hanging.
 */
export async function createPgliteDb(options: PgliteDbOptions): Promise<PgliteDb> {
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const lite = await PGlite.create(options.dataDir, {
    parsers: { [types.INT8]: (value: string) => Number(value), [types.DATE]: (value: string) => value },
    ...(options.loadDataDir ? { loadDataDir: options.loadDataDir } : {}),
  });
  const lock = createLock(options.lockTimeoutMs ?? 10_000, options.logger);

  const toResult = <T>(result: { rows: unknown[]; affectedRows?: number }): QueryResult<T> => ({
    rows: result.rows as T[],
    // PGlite reports affectedRows 0 for a SELECT; pg counts the rows it returned. Match pg.
    rowCount: Math.max(result.affectedRows ?? 0, result.rows.length),
  });

  const run = async <T>(query: (q: Queryable) => Promise<T>, q: Queryable) => query(q);

  const direct: Queryable = {
    query: async <T>(text: string, params?: unknown[]) => toResult<T>(await lite.query(text, params)),
  };

  return {
    kind: 'pglite',
    async query<T>(text: string, params?: unknown[]) {
      return lock.with(() => direct.query<T>(text, params));
    },
    async transaction<T>(fn: (tx: Queryable) => Promise<T>): Promise<T> {
      return lock.with(() =>
        lite.transaction(async (liteTx) => {
          const tx: Queryable = {
            query: async <R>(text: string, params?: unknown[]) => toResult<R>(await liteTx.query(text, params)),
          };
          return run(fn, tx);
        }),
      );
    },
    async exec(sql: string) {
      await lock.with(() => lite.exec(sql));
    },
    async ping() {
      await lock.with(() => lite.query('SELECT 1'));
    },
    async dumpDataDir() {
      return lock.with(() => lite.dumpDataDir('none'));
    },
    async close() {
      await lock.with(() => lite.close());
    },
  };
}

function createLock(timeoutMs: number, logger: Logger) {
  let tail: Promise<void> = Promise.resolve();
  return {
    async with<T>(fn: () => Promise<T>): Promise<T> {
      let release!: () => void;
      const previous = tail;
      const mine = new Promise<void>((resolve) => (release = resolve));
      tail = previous.then(() => mine);
      let timer: NodeJS.Timeout | undefined;
      let timedOut = false;
      const acquired = await Promise.race([
        previous.then(() => true),
        new Promise<boolean>((resolve) => {
          timer = setTimeout(() => resolve(false), timeoutMs);
        }),
      ]);
      clearTimeout(timer);
      if (!acquired) {
        timedOut = true;
        // Keep the queue consistent: our slot is released as soon as it comes up.
        void previous.then(release);
        logger.error({ timeoutMs }, 'embedded database: waited too long for the connection');
        throw new AppError('DEPENDENCY_UNAVAILABLE', `embedded database busy for more than ${timeoutMs} ms`);
      }
      try {
        return await fn();
      } finally {
        if (!timedOut) release();
      }
    },
  };
}
