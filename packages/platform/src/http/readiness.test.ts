import { hasServers, silentLogger, startTcpProxy, testServers, uniqueSuffix, viaProxy, waitFor, type TcpProxy } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createRabbitBus, type RabbitBus } from '../bus/rabbitmq.js';
import { createPostgresDb } from '../db/postgres.js';
import type { Db } from '../db/db.js';
import { createRedisKv, type RedisKv } from '../kv/redis.js';
import { createApp, type App } from './app.js';

const proxyTo = (url: string, defaultPort: number) => {
  const parsed = new URL(url);
  return startTcpProxy({ host: parsed.hostname, port: Number(parsed.port || defaultPort) });
};

/**
 * A service wired as the services wire themselves (readiness on postgres, redis, rabbitmq), but
 * reaching each server through a proxy the test can cut. The shared servers are never touched.
 */
describe.runIf(hasServers('readiness through cut connections', ['postgres', 'redis', 'rabbitmq']))('readiness against real servers', () => {
  const proxies: Record<'postgres' | 'redis' | 'rabbitmq', TcpProxy> = {} as never;
  let db: Db;
  let kv: RedisKv;
  let bus: RabbitBus;
  let app: App;

  beforeAll(async () => {
    proxies.postgres = await proxyTo(testServers.databaseUrl!, 5432);
    proxies.redis = await proxyTo(testServers.redisUrl!, 6379);
    proxies.rabbitmq = await proxyTo(testServers.amqpUrl!, 5672);
    db = createPostgresDb({ url: viaProxy(testServers.databaseUrl!, proxies.postgres), logger: silentLogger, maxConnections: 2 });
    kv = createRedisKv({ url: viaProxy(testServers.redisUrl!, proxies.redis), logger: silentLogger, keyPrefix: `test:${uniqueSuffix()}:` });
    bus = createRabbitBus({
      url: viaProxy(testServers.amqpUrl!, proxies.rabbitmq),
      logger: silentLogger,
      namespace: `test.${uniqueSuffix()}`,
    });
    app = await createApp({
      name: 'flights',
      logger: silentLogger,
      readinessTimeoutMs: 500,
      readiness: {
        postgres: () => db.ping(),
        redis: () => kv.ping(),
        rabbitmq: () => {
          if (!bus.isHealthy()) throw new Error('rabbitmq disconnected');
        },
      },
    });
    await app.ready();
    await bus.connected();
  });
  afterAll(async () => {
    await app.close();
    await bus.deleteTopology().catch(() => undefined);
    await bus.close();
    await kv.close();
    await db.close();
    for (const proxy of Object.values(proxies)) await proxy.close();
  });

  const ready = () => app.inject({ method: 'GET', url: '/ready' });
  const health = () => app.inject({ method: 'GET', url: '/health' });

  it.each(['redis', 'rabbitmq', 'postgres'] as const)(
    'when the connection to %s is cut, then /ready is 503 naming it, /health stays 200, and both recover when it returns',
    async (dependency) => {
      await waitFor(async () => (await ready()).statusCode === 200, { timeoutMs: 10_000, what: 'ready before the cut' });

      proxies[dependency].cut();
      await waitFor(async () => (await ready()).statusCode === 503, { timeoutMs: 10_000, what: `${dependency} to be reported down` });
      const down = (await ready()).json();
      expect(down.down).toEqual([dependency]);
      expect(down.checks[dependency]).toBe('down');
      expect((await health()).statusCode).toBe(200);

      proxies[dependency].restore();
      await waitFor(async () => (await ready()).statusCode === 200, {
        timeoutMs: 15_000,
        intervalMs: 100,
        what: `${dependency} to come back`,
      });
      expect((await health()).statusCode).toBe(200);
    },
  );

  it('when Redis is gone, then a kv call fails fast instead of queueing', async () => {
    proxies.redis.cut();
    try {
      await waitFor(async () => (await ready()).statusCode === 503, { what: 'redis down' });
      const started = performance.now();
      await expect(kv.get('anything')).rejects.toThrow();
      expect(performance.now() - started).toBeLessThan(1000);
    } finally {
      proxies.redis.restore();
    }
    await waitFor(
      async () =>
        await kv
          .get('anything')
          .then(() => true)
          .catch(() => false),
      { timeoutMs: 10_000, what: 'redis back' },
    );
  });
});
