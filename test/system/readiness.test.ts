import { createRabbitBus, createRedisKv, type App, type RabbitBus, type RedisKv } from '@aerofly/platform';
import {
  createTestDb,
  hasServers,
  silentLogger,
  startTcpProxy,
  testKeys,
  testServers,
  uniqueSuffix,
  viaProxy,
  waitFor,
  type TcpProxy,
  type TestDb,
} from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../services/flights/src/app.js';
import { loadConfig } from '../../services/flights/src/config.js';
import { migrations, schema } from '../../services/flights/src/main.js';

/**
 * The flights service as server mode wires it, reaching Redis and RabbitMQ through TCP proxies that
 * the test cuts and restores (the shared servers themselves are never touched).
 */
describe.runIf(hasServers('readiness of a service when Redis or RabbitMQ goes away', ['postgres', 'redis', 'rabbitmq']))(
  'service readiness when a server goes away',
  () => {
    let db: TestDb;
    let kv: RedisKv;
    let bus: RabbitBus;
    let app: App;
    const proxies = {} as Record<'redis' | 'rabbitmq', TcpProxy>;

    beforeAll(async () => {
      const redis = new URL(testServers.redisUrl!);
      const amqp = new URL(testServers.amqpUrl!);
      proxies.redis = await startTcpProxy({ host: redis.hostname, port: Number(redis.port || 6379) });
      proxies.rabbitmq = await startTcpProxy({ host: amqp.hostname, port: Number(amqp.port || 5672) });
      db = await createTestDb([{ schema, migrations: migrations() }]);
      kv = createRedisKv({
        url: viaProxy(testServers.redisUrl!, proxies.redis),
        logger: silentLogger,
        keyPrefix: `test:${uniqueSuffix()}:`,
      });
      bus = createRabbitBus({
        url: viaProxy(testServers.amqpUrl!, proxies.rabbitmq),
        logger: silentLogger,
        namespace: `test.${uniqueSuffix()}`,
      });
      const config = loadConfig({
        JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
        SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
        LOG_LEVEL: 'silent',
      });
      app = await buildApp({ config, db, kv, bus, logger: silentLogger, clock: { now: () => new Date() }, bookingsClient: null });
      await app.ready();
      await bus.connected();
    });
    afterAll(async () => {
      await app?.close();
      await bus?.deleteTopology().catch(() => undefined);
      await bus?.close();
      await kv?.close();
      await db?.destroy();
      for (const proxy of Object.values(proxies)) await proxy.close();
    });

    const get = (url: string) => app.inject({ method: 'GET', url });

    it.each(['redis', 'rabbitmq'] as const)(
      'when %s goes away, then /ready is 503 naming it, /health and public reads stay up, and /ready recovers when it returns',
      async (dependency) => {
        await waitFor(async () => (await get('/ready')).statusCode === 200, { timeoutMs: 10_000, what: 'ready before the cut' });

        proxies[dependency].cut();
        await waitFor(async () => (await get('/ready')).statusCode === 503, { timeoutMs: 10_000, what: `${dependency} reported down` });
        const ready = (await get('/ready')).json();
        expect(ready.down).toEqual([dependency]);
        expect((await get('/health')).statusCode).toBe(200);
        // The read cache fails open: search data still come from PostgreSQL.
        expect((await get('/api/v1/cities')).statusCode).toBe(200);

        proxies[dependency].restore();
        await waitFor(async () => (await get('/ready')).statusCode === 200, {
          timeoutMs: 15_000,
          intervalMs: 100,
          what: `${dependency} back`,
        });
        expect((await get('/api/v1/cities')).statusCode).toBe(200);
      },
    );
  },
);
