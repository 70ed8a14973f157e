import { createCapturingLogger, createTestDb, dbImplementations, silentLogger, testServers, type TestDb } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../errors.js';
import { isUniqueViolation, sqlState, type Db } from './db.js';
import { migrate, splitStatements, type Migration } from './migrate.js';
import { createPgliteDb } from './pglite.js';

const contractMigrations: Migration[] = [
  {
    name: '0001_init',
    sql: `
      CREATE TABLE contract.items (
        id bigserial PRIMARY KEY,
        name text NOT NULL CONSTRAINT items_name_key UNIQUE,
        qty integer NOT NULL DEFAULT 0 CHECK (qty >= 0),
        due_on date,
        created_at timestamptz NOT NULL DEFAULT now()
      );
      -- a function body with semicolons inside must survive statement splitting
      CREATE FUNCTION contract.double_it(n integer) RETURNS integer AS $$
      BEGIN
        RETURN n * 2;
      END;
      $$ LANGUAGE plpgsql;`,
  },
];
const sets = [{ schema: 'contract', migrations: contractMigrations }];

const implementations = dbImplementations('db contract', sets);

describe.each(implementations)('db contract on $name', (implementation) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await implementation.create();
  }, 180_000); // a first PGlite initdb on a busy machine
  afterAll(() => db.destroy());

  it('when rows are inserted and updated, then rows and row counts come back with JS types', async () => {
    const inserted = await db.query<{ id: number; name: string; createdAt: Date; dueOn: string }>(
      `INSERT INTO contract.items (name, qty, due_on) VALUES ($1, 3, '2030-03-29'), ($2, 5, NULL)
       RETURNING id, name, created_at AS "createdAt", due_on AS "dueOn"`,
      ['q-a', 'q-b'],
    );
    expect(inserted.rowCount).toBe(2);
    expect(typeof inserted.rows[0]!.id).toBe('number');
    expect(inserted.rows[0]!.createdAt).toBeInstanceOf(Date);
    expect(inserted.rows[0]!.dueOn).toBe('2030-03-29');

    const updated = await db.query(`UPDATE contract.items SET qty = qty - 4 WHERE name = ANY($1::text[]) AND qty >= 4`, [['q-a', 'q-b']]);
    expect(updated.rowCount).toBe(1);
    const { rows } = await db.query<{ total: number }>(`SELECT count(*) AS total FROM contract.items WHERE name LIKE 'q-%'`);
    expect(rows[0]!.total).toBe(2);
  });

  it('when a transaction returns, then its writes are committed together', async () => {
    const result = await db.transaction(async (tx) => {
      await tx.query(`INSERT INTO contract.items (name) VALUES ('tx-1')`);
      await tx.query(`INSERT INTO contract.items (name) VALUES ('tx-2')`);
      return 'done';
    });
    expect(result).toBe('done');
    const { rowCount } = await db.query(`SELECT 1 FROM contract.items WHERE name IN ('tx-1', 'tx-2')`);
    expect(rowCount).toBe(2);
  });

  it('when a transaction throws, then none of its writes remain and the error reaches the caller', async () => {
    const failure = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO contract.items (name) VALUES ('rolled-back')`);
      throw new AppError('SEATS_UNAVAILABLE');
    });
    await expect(failure).rejects.toMatchObject({ code: 'SEATS_UNAVAILABLE' });
    const { rowCount } = await db.query(`SELECT 1 FROM contract.items WHERE name = 'rolled-back'`);
    expect(rowCount).toBe(0);
    // The connection is usable afterwards.
    expect((await db.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
  });

  it('when a statement inside a transaction fails, then the transaction rolls back as a whole', async () => {
    await db.query(`INSERT INTO contract.items (name) VALUES ('taken')`);
    const failure = db.transaction(async (tx) => {
      await tx.query(`INSERT INTO contract.items (name) VALUES ('partial')`);
      await tx.query(`INSERT INTO contract.items (name) VALUES ('taken')`);
    });
    const error = await failure.catch((thrown: unknown) => thrown);
    expect(isUniqueViolation(error)).toBe(true);
    expect(isUniqueViolation(error, 'items_name_key')).toBe(true);
    expect(isUniqueViolation(error, 'some_other_key')).toBe(false);
    expect((await db.query(`SELECT 1 FROM contract.items WHERE name = 'partial'`)).rowCount).toBe(0);
  });

  it('when a CHECK constraint is broken, then the SQLSTATE tells it apart from a unique violation', async () => {
    const error = await db.query(`INSERT INTO contract.items (name, qty) VALUES ('negative', -1)`).catch((thrown: unknown) => thrown);
    expect(sqlState(error)).toBe('23514');
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('when migrations ran, then a function with semicolons in its body was created intact', async () => {
    const { rows } = await db.query<{ doubled: number }>('SELECT contract.double_it(21) AS doubled');
    expect(rows[0]!.doubled).toBe(42);
  });

  it('when two instances migrate the same new schema at once, then every migration is applied exactly once', async () => {
    const other = implementation.another(db);
    const migrations: Migration[] = [
      { name: '0001_a', sql: 'CREATE TABLE racing.a (id int PRIMARY KEY);' },
      { name: '0002_b', sql: 'CREATE TABLE racing.b (id int PRIMARY KEY);\nINSERT INTO racing.b VALUES (1);' },
    ];
    try {
      const [first, second] = await Promise.all([
        migrate(db, { schema: 'racing', migrations }),
        migrate(other, { schema: 'racing', migrations }),
      ]);
      expect([...first, ...second].sort()).toEqual(['0001_a', '0002_b', 'platform/0001_outbox_inbox']);
      const { rows } = await db.query<{ name: string }>('SELECT name FROM racing.schema_migrations ORDER BY name');
      expect(rows.map((row) => row.name)).toEqual(['0001_a', '0002_b', 'platform/0001_outbox_inbox']);
      expect((await db.query('SELECT * FROM racing.b')).rowCount).toBe(1);
      expect(await migrate(db, { schema: 'racing', migrations })).toEqual([]);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it('when two schemas have migrations of the same name, then each schema keeps its own record and gets both', async () => {
    const shared = (schema: string): Migration[] => [{ name: '0001_init', sql: `CREATE TABLE ${schema}.things (id int);` }];
    expect(await migrate(db, { schema: 'svc_one', migrations: shared('svc_one') })).toContain('0001_init');
    expect(await migrate(db, { schema: 'svc_two', migrations: shared('svc_two') })).toContain('0001_init');
    for (const schema of ['svc_one', 'svc_two']) {
      const { rows } = await db.query<{ name: string }>(`SELECT name FROM ${schema}.schema_migrations ORDER BY name`);
      expect(rows.map((row) => row.name)).toEqual(['0001_init', 'platform/0001_outbox_inbox']);
      expect((await db.query(`SELECT * FROM ${schema}.things`)).rowCount).toBe(0);
      // Every schema gets the platform's outbox and inbox.
      expect((await db.query(`SELECT * FROM ${schema}.outbox`)).rowCount).toBe(0);
      expect((await db.query(`SELECT * FROM ${schema}.inbox`)).rowCount).toBe(0);
    }
  });

  it('when a migration fails, then nothing of that run is applied and the error names the statement', async () => {
    const migrations: Migration[] = [
      { name: '0001_ok', sql: 'CREATE TABLE broken.ok (id int);' },
      { name: '0002_bad', sql: 'CREATE TABLE broken.bad (id nonexistent_type);' },
    ];
    await expect(migrate(db, { schema: 'broken', migrations })).rejects.toThrow(/nonexistent_type/);
    const { rowCount } = await db.query(`SELECT 1 FROM information_schema.tables WHERE table_schema = 'broken'`);
    expect(rowCount).toBe(0);
  });
});

describe('db contract: embedded (PGlite) specifics', () => {
  const { logger, lines } = createCapturingLogger();
  let db: Db;
  beforeAll(async () => {
    db = await createPgliteDb({ logger, lockTimeoutMs: 100 });
  }, 180_000);
  afterAll(() => db.close());

  it('when a caller waits for the single connection longer than the limit, then it fails loudly instead of hanging', async () => {
    let release!: () => void;
    const blocker = new Promise<void>((resolve) => (release = resolve));
    const longTransaction = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      await blocker;
      return 'finished';
    });
    // Querying the database (not the transaction) from inside a transaction is the classic way to get here.
    const waiting = db.query('SELECT 1');
    await expect(waiting).rejects.toMatchObject({ code: 'DEPENDENCY_UNAVAILABLE' });
    expect(lines.some((line) => line.includes('waited too long'))).toBe(true);
    release();
    expect(await longTransaction).toBe('finished');
    // The queue is consistent afterwards: later callers get the connection.
    expect((await db.query('SELECT 2 AS two')).rows).toEqual([{ two: 2 }]);
  });

  it('when many callers queue for the connection, then they run one at a time in order', async () => {
    await db.query('CREATE TABLE seq_log (n int)');
    await Promise.all(
      Array.from({ length: 20 }, (_, n) =>
        db.transaction(async (tx) => {
          await tx.query('INSERT INTO seq_log VALUES ($1)', [n]);
        }),
      ),
    );
    const { rows } = await db.query<{ n: number }>('SELECT n FROM seq_log');
    expect(rows.map((row) => row.n)).toEqual(Array.from({ length: 20 }, (_, n) => n));
  });

  it('when the database directory is reopened, then the data is still there', async () => {
    const { mkdtempSync, rmSync } = await import('node:fs');
    const { join } = await import('node:path');
    const { tmpdir } = await import('node:os');
    const dir = mkdtempSync(join(tmpdir(), 'aerofly-pglite-'));
    try {
      const first = await createPgliteDb({ dataDir: join(dir, 'nested', 'pg'), logger: silentLogger });
      await migrate(first, { schema: 'kept', migrations: [{ name: '0001', sql: 'CREATE TABLE kept.notes (body text);' }] });
      await first.query(`INSERT INTO kept.notes VALUES ('survives')`);
      await first.close();
      const second = await createPgliteDb({ dataDir: join(dir, 'nested', 'pg'), logger: silentLogger });
      expect((await second.query('SELECT body FROM kept.notes')).rows).toEqual([{ body: 'survives' }]);
      expect(
        await migrate(second, { schema: 'kept', migrations: [{ name: '0001', sql: 'CREATE TABLE kept.notes (body text);' }] }),
      ).toEqual([]);
      await second.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000); // two initdb runs on disk: slow on a busy machine
});

describe.runIf(testServers.databaseUrl !== undefined)('db contract: PostgreSQL concurrency', () => {
  let db: TestDb;
  beforeAll(async () => {
    db = await createTestDb(sets);
    await db.query(`INSERT INTO contract.items (name) SELECT 'job-' || n FROM generate_series(1, 10) AS n`);
  });
  afterAll(() => db.destroy());

  it('when two workers claim rows with SKIP LOCKED at the same time, then they never get the same row', async () => {
    let releaseFirst!: () => void;
    const firstHolds = new Promise<void>((resolve) => (releaseFirst = resolve));
    let firstClaimed!: (ids: number[]) => void;
    const firstIds = new Promise<number[]>((resolve) => (firstClaimed = resolve));
    const claim = `SELECT id FROM contract.items WHERE name LIKE 'job-%' ORDER BY id LIMIT 4 FOR UPDATE SKIP LOCKED`;

    const first = db.transaction(async (tx) => {
      const { rows } = await tx.query<{ id: number }>(claim);
      firstClaimed(rows.map((row) => row.id));
      await firstHolds; // keeps its row locks while the second worker claims
    });
    const idsOfFirst = await firstIds;
    const idsOfSecond = await db.transaction(async (tx) => (await tx.query<{ id: number }>(claim)).rows.map((row) => row.id));
    releaseFirst();
    await first;

    expect(idsOfFirst).toHaveLength(4);
    expect(idsOfSecond).toHaveLength(4);
    expect(idsOfFirst.filter((id) => idsOfSecond.includes(id))).toEqual([]);
  });

  it('when many transactions decrement one counter conditionally, then it never goes below zero', async () => {
    await db.query(`INSERT INTO contract.items (name, qty) VALUES ('hot', 10)`);
    const results = await Promise.all(
      Array.from({ length: 25 }, () => db.query(`UPDATE contract.items SET qty = qty - 1 WHERE name = 'hot' AND qty >= 1`)),
    );
    expect(results.filter((result) => result.rowCount === 1)).toHaveLength(10);
    expect((await db.query<{ qty: number }>(`SELECT qty FROM contract.items WHERE name = 'hot'`)).rows[0]!.qty).toBe(0);
  });
});

describe('splitStatements', () => {
  it('when a script has comments, dollar-quoted bodies and several statements, then it splits only between statements', () => {
    const statements = splitStatements(
      `-- leading comment\nCREATE TABLE a (id int);\nCREATE FUNCTION f() RETURNS int AS $$\nBEGIN\n  RETURN 1;\nEND;\n$$ LANGUAGE plpgsql;\nSELECT 1`,
    );
    expect(statements).toHaveLength(3);
    expect(statements[1]).toContain('RETURN 1;');
    expect(statements[2]).toBe('SELECT 1');
  });
});
