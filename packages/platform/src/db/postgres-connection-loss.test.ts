import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasServers, silentLogger, startTcpProxy, testServers, viaProxy, type TcpProxy } from '@aerofly/testing';
import type { Db } from './db.js';
import { createPostgresDb } from './postgres.js';

const ready = hasServers('postgres adapter: connection loss', ['postgres']);

describe.skipIf(!ready)('postgres adapter when the connection is lost', () => {
  let proxy: TcpProxy;
  let db: Db;
  beforeAll(async () => {
    const target = new URL(testServers.databaseUrl!);
    proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5432) });
    db = createPostgresDb({
      url: viaProxy(testServers.databaseUrl!, proxy),
      logger: silentLogger,
      applicationName: 'connection-loss-test',
    });
  });
  afterAll(async () => {
    await db?.close();
    await proxy?.close();
  });

  it('when the connection drops between two statements of a transaction, then the transaction fails and the process lives on', async () => {
    const attempt = db.transaction(async (tx) => {
      await tx.query('SELECT 1');
      proxy.cut();
      // No statement is running while the socket dies: the client itself reports the loss.
      await new Promise((done) => setTimeout(done, 200));
      await tx.query('SELECT 2');
    });
    await expect(attempt).rejects.toThrow();
    proxy.restore();
    await expect(db.query<{ one: number }>('SELECT 1 AS one')).resolves.toMatchObject({ rows: [{ one: 1 }] });
  });
});
