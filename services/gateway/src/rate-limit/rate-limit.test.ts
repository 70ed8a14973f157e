import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { createRedisKv, type RedisKv } from '@aerofly/platform';
import {
  bearer,
  hasServers,
  mintServiceToken,
  mintUser,
  silentLogger,
  startTcpProxy,
  testServers,
  uniqueSuffix,
  waitFor,
} from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayFixture, newAccount, type GatewayFixture } from '../gateway.fixture.js';
import { createCounterStore } from './counter-store.js';

const limits = {
  RATE_LIMITS: 'on',
  RATE_LIMIT_GLOBAL_MAX: '5',
  RATE_LIMIT_AUTH_MAX: '3',
  RATE_LIMIT_LOGIN_FAILURES_MAX: '2',
  RATE_LIMIT_BOOKINGS_MAX: '2',
  RATE_LIMIT_PAYMENTS_MAX: '2',
};

/** Stands in for bookings: answers, and counts what reached it. */
async function startBookingsStandIn() {
  const app = Fastify();
  let calls = 0;
  app.post('/api/v1/bookings', async (_request, reply) => {
    calls += 1;
    return reply.status(201).send({ id: 'b1' });
  });
  app.post('/api/v1/bookings/:id/payments', async (_request, reply) => reply.status(201).send({ status: 'CONFIRMED' }));
  app.get('/internal/v1/ping', async () => ({ pong: true }));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, calls: () => calls };
}

let bookings: Awaited<ReturnType<typeof startBookingsStandIn>>;
let gateway: GatewayFixture;
beforeAll(async () => {
  bookings = await startBookingsStandIn();
  gateway = await createGatewayFixture({ env: { ...limits, BOOKINGS_URL: bookings.url, TRUSTED_PROXIES: '10.0.0.1' } });
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await (bookings.app as FastifyInstance).close();
});

let ipCounter = 0;
/** Each test gets its own client address, so the counters of one test do not leak into the next. */
const freshIp = () => `192.0.2.${(ipCounter += 1)}`;

describe('rate limits', () => {
  it('when any answer is sent, then it carries RateLimit-Limit, -Remaining and -Reset in seconds', async () => {
    const ip = freshIp();
    const answers = [
      await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: ip }),
      await gateway.app.inject({ method: 'GET', url: '/api/v1/unknown', remoteAddress: ip }),
      await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: 'x' }, remoteAddress: ip }),
    ];
    expect(answers.map((a) => a.statusCode)).toEqual([401, 404, 400]);
    for (const answer of answers) {
      expect(Number(answer.headers['ratelimit-limit'])).toBeGreaterThan(0);
      expect(answer.headers['ratelimit-remaining']).toBeDefined();
      expect(Number(answer.headers['ratelimit-reset'])).toBeGreaterThan(0);
      expect(Number(answer.headers['ratelimit-reset'])).toBeLessThanOrEqual(60);
      expect(answer.headers['x-ratelimit-limit']).toBeUndefined();
    }
    expect(answers[0]?.headers['ratelimit-remaining']).toBe('4');
    expect(answers[1]?.headers['ratelimit-remaining']).toBe('3');
  });

  it('when one address exceeds the auth limit, then 429 RATE_LIMITED with Retry-After, and another address is unaffected', async () => {
    const ip = freshIp();
    const statuses = [];
    for (let i = 0; i < 3; i += 1) {
      statuses.push(
        (
          await gateway.app.inject({
            method: 'POST',
            url: '/api/v1/auth/refresh',
            payload: { refreshToken: 'y'.repeat(43) },
            remoteAddress: ip,
          })
        ).statusCode,
      );
    }
    expect(statuses).toEqual([401, 401, 401]);
    const limited = await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: newAccount(), remoteAddress: ip });
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['content-type']).toContain('application/problem+json');
    expect(limited.json()).toMatchObject({ code: 'RATE_LIMITED', status: 429 });
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(0);
    expect(limited.headers['ratelimit-remaining']).toBe('0');
    expect(limited.headers['ratelimit-limit']).toBe('3');

    const other = await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: newAccount(), remoteAddress: freshIp() });
    expect(other.statusCode).toBe(201);
  });

  it('when an address fails to log in too often, then even the right password is refused until the window passes', async () => {
    const account = newAccount();
    await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: account, remoteAddress: freshIp() });
    const ip = freshIp();
    const login = (password: string) =>
      gateway.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email: account.email, password }, remoteAddress: ip });
    expect((await login('wrong password 1')).statusCode).toBe(401);
    expect((await login('wrong password 2')).statusCode).toBe(401);
    const refused = await login(account.password);
    expect(refused.statusCode).toBe(429);
    expect(refused.json().code).toBe('RATE_LIMITED');
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(60);
  });

  it('when one user creates bookings too fast, then that user gets 429 while another user on the same address goes on', async () => {
    const ip = freshIp();
    const alice = await mintUser();
    const bob = await mintUser();
    const create = (token: string) =>
      gateway.app.inject({
        method: 'POST',
        url: '/api/v1/bookings',
        payload: {},
        headers: { ...bearer(token), 'idempotency-key': uniqueSuffix() },
        remoteAddress: ip,
      });
    const before = bookings.calls();
    expect((await create(alice.token)).statusCode).toBe(201);
    expect((await create(alice.token)).statusCode).toBe(201);
    const limited = await create(alice.token);
    expect(limited.statusCode).toBe(429);
    expect(limited.headers['retry-after']).toBeDefined();
    expect((await create(bob.token)).statusCode).toBe(201);
    expect(bookings.calls() - before).toBe(3);
  });

  it('when one user pays too often, then the payment limit applies to that user only', async () => {
    const carol = await mintUser();
    const pay = (token: string) =>
      gateway.app.inject({
        method: 'POST',
        url: '/api/v1/bookings/b1/payments',
        payload: {},
        headers: bearer(token),
        remoteAddress: freshIp(),
      });
    expect([(await pay(carol.token)).statusCode, (await pay(carol.token)).statusCode, (await pay(carol.token)).statusCode]).toEqual([
      201, 201, 429,
    ]);
    expect((await pay((await mintUser()).token)).statusCode).toBe(201);
  });

  it('when X-Forwarded-For comes from a trusted proxy, then each client counts apart; from anyone else, it is ignored', async () => {
    const viaProxy = (client: string) =>
      gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-forwarded-for': client }, remoteAddress: '10.0.0.1' });
    expect((await viaProxy('198.51.100.1')).headers['ratelimit-remaining']).toBe('4');
    expect((await viaProxy('198.51.100.2')).headers['ratelimit-remaining']).toBe('4');

    const spoofer = freshIp();
    const spoof = (client: string) =>
      gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { 'x-forwarded-for': client }, remoteAddress: spoofer });
    expect((await spoof('198.51.100.3')).headers['ratelimit-remaining']).toBe('4');
    expect((await spoof('198.51.100.4')).headers['ratelimit-remaining']).toBe('3');
  });

  it('when IPv6 clients rotate addresses inside one /56, then they share one limit', async () => {
    const from = (suffix: string) =>
      gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: `2001:db8:77:aa${suffix}::1` });
    expect((await from('01')).headers['ratelimit-remaining']).toBe('4');
    expect((await from('02')).headers['ratelimit-remaining']).toBe('3');
    expect(
      (await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: '2001:db8:78::1' })).headers['ratelimit-remaining'],
    ).toBe('4');
  });

  it('when the gateway limits a client, then services still answer each other directly', async () => {
    const ip = freshIp();
    for (let i = 0; i < 6; i += 1) await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: ip });
    expect((await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: ip })).statusCode).toBe(429);
    const direct = await fetch(`${bookings.url}/internal/v1/ping`, { headers: bearer(await mintServiceToken('bookings', 'flights')) });
    expect(direct.status).toBe(200);
  });

  it('when RATE_LIMITS=off, then no limit applies and no headers are sent', async () => {
    const open = await createGatewayFixture({ db: gateway.db, env: { ...limits, RATE_LIMITS: 'off' } });
    try {
      for (let i = 0; i < 8; i += 1) {
        const answer = await open.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: '192.0.2.250' });
        expect(answer.statusCode).toBe(401);
        expect(answer.headers['ratelimit-limit']).toBeUndefined();
      }
    } finally {
      await open.close();
    }
  });
});

describe('rate-limit counters when Redis fails', () => {
  it('when Redis errors, then counting goes on in memory, limits still hold, and Redis is tried again later', async () => {
    let healthy = false;
    const calls: string[] = [];
    const fakeRedis = {
      eval: async (_script: string, _keys: number, key: string) => {
        calls.push(key);
        if (!healthy) throw new Error('Connection is closed.');
        return [42, 1000];
      },
    } as unknown as RedisKv['client'];
    const store = createCounterStore({ redis: fakeRedis, logger: silentLogger, retryMs: 50 });
    expect((await store.incr('k', 60_000)).current).toBe(1);
    expect((await store.incr('k', 60_000)).current).toBe(2);
    expect(store.isFallingBack()).toBe(true);
    expect(calls).toHaveLength(1);
    healthy = true;
    await new Promise((resolve) => setTimeout(resolve, 60));
    expect((await store.incr('k', 60_000)).current).toBe(42);
    expect(store.isFallingBack()).toBe(false);
    store.close();
  });
});

describe.skipIf(!hasServers('gateway rate limits on Redis', ['redis']))('rate limits on a real Redis that goes away', () => {
  it('when the connection to Redis is cut, then requests keep their limits from memory and never fail; when it returns, Redis counts again', async () => {
    const redisUrl = new URL(testServers.redisUrl ?? '');
    const proxy = await startTcpProxy({ host: redisUrl.hostname, port: Number(redisUrl.port || 6379) });
    redisUrl.hostname = '127.0.0.1';
    redisUrl.port = String(proxy.port);
    const kv = createRedisKv({ url: redisUrl.toString(), logger: silentLogger, keyPrefix: `test:${uniqueSuffix()}:` });
    const limited = await createGatewayFixture({ db: gateway.db, kv, env: { ...limits, RATE_LIMIT_REDIS_RETRY_MS: '100' } });
    const me = () => limited.app.inject({ method: 'GET', url: '/api/v1/auth/me', remoteAddress: '203.0.113.7' });
    try {
      await waitFor(
        async () =>
          await kv.ping().then(
            () => true,
            () => false,
          ),
        { what: 'redis' },
      );
      expect((await me()).headers['ratelimit-remaining']).toBe('4');
      expect(limited.app.rateLimits?.store?.isFallingBack()).toBe(false);

      proxy.cut();
      const during = [];
      for (let i = 0; i < 6; i += 1) during.push(await me());
      expect(during.map((a) => a.statusCode)).toEqual([401, 401, 401, 401, 401, 429]);
      expect(limited.app.rateLimits?.store?.isFallingBack()).toBe(true);

      proxy.restore();
      await waitFor(
        async () =>
          await kv.ping().then(
            () => true,
            () => false,
          ),
        { what: 'redis to come back' },
      );
      await new Promise((resolve) => setTimeout(resolve, 150));
      // Back on Redis, whose count for this address survived the outage (a command sent as the
      // connection dropped may have landed late, so it is 1 or 2 before this request).
      const back = Number((await me()).headers['ratelimit-remaining']);
      expect([2, 3]).toContain(back);
      expect(limited.app.rateLimits?.store?.isFallingBack()).toBe(false);
      expect(Number((await me()).headers['ratelimit-remaining'])).toBe(back - 1);
    } finally {
      await limited.close();
      await proxy.close();
    }
  });
});
