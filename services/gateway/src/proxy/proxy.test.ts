import { setTimeout as sleep } from 'node:timers/promises';
import type { AddressInfo } from 'node:net';
import { createApp, createTokenVerifier, requireUser, type App } from '@aerofly/platform';
import { bearer, mintUser, silentLogger, testKeys } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { closedUpstream, createGatewayFixture, type GatewayFixture } from '../gateway.fixture.js';

/** A stand-in for a service: the same app factory, its own token checks, a few routes. */
async function startUpstream() {
  const app = await createApp({
    name: 'flights',
    logger: silentLogger,
    verifier: await createTokenVerifier({ userPublicKeyPem: testKeys.user.publicKeyPem, serviceName: 'flights' }),
  });
  const seen: { url: string; headers: Record<string, unknown> }[] = [];
  app.addHook('onRequest', async (request) => {
    seen.push({ url: request.url, headers: request.headers });
  });
  app.get(
    '/api/v1/flights/search',
    { schema: { tags: ['flights'], summary: 'Search flights', querystring: z.object({ from: z.string() }) } },
    async (request) => ({ path: request.url, from: request.query.from }),
  );
  app.post(
    '/api/v1/bookings',
    { config: { auth: 'user' }, schema: { security: [{ bearerAuth: [] }], body: z.object({ note: z.string() }) } },
    async (request, reply) => reply.status(201).send({ owner: requireUser(request).id, note: request.body.note }),
  );
  app.get('/api/v1/flights/slow', async () => {
    await sleep(1500);
    return { late: true };
  });
  app.get('/api/v1/flights/hop', async (_request, reply) =>
    reply.header('connection', 'x-private-hop').header('x-private-hop', 'secret').header('keep-alive', 'timeout=5').send({ ok: true }),
  );
  app.get('/dev/mailbox', async () => ({ mailbox: true }));
  app.post('/internal/v1/holds', { config: { auth: 'service' }, schema: { summary: 'internal' } }, async () => ({}));
  let connections = 0;
  app.server.on('connection', () => (connections += 1));
  await app.listen({ port: 0, host: '127.0.0.1' });
  return { app, seen, url: `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`, connections: () => connections };
}

let upstream: Awaited<ReturnType<typeof startUpstream>>;
let gateway: GatewayFixture;
beforeAll(async () => {
  upstream = await startUpstream();
  gateway = await createGatewayFixture({
    env: {
      FLIGHTS_URL: upstream.url,
      BOOKINGS_URL: upstream.url,
      NOTIFICATIONS_URL: closedUpstream,
      UPSTREAM_TIMEOUT_MS: '300',
      BODY_LIMIT_BYTES: '2048',
    },
  });
}, 120_000);
afterAll(async () => {
  await gateway?.close();
  await (upstream.app as App).close();
});

describe('reverse proxy', () => {
  it('when a route is called through the gateway, then the service gets the same path, query and request id', async () => {
    const answer = await gateway.app.inject({
      method: 'GET',
      url: '/api/v1/flights/search?from=LIS',
      headers: { 'x-request-id': 'trace-me-123' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json()).toEqual({ path: '/api/v1/flights/search?from=LIS', from: 'LIS' });
    expect(answer.headers['x-request-id']).toBe('trace-me-123');
    expect(upstream.seen.at(-1)?.headers['x-request-id']).toBe('trace-me-123');
  });

  it('when a protected service route is reached through the gateway, then the service itself checks the token', async () => {
    const anonymous = await gateway.app.inject({ method: 'POST', url: '/api/v1/bookings', payload: { note: 'x' } });
    expect(anonymous.statusCode).toBe(401);
    expect(anonymous.json().code).toBe('UNAUTHENTICATED');
    const user = await mintUser();
    const signed = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      payload: { note: 'window seat' },
      headers: bearer(user.token),
    });
    expect(signed.statusCode).toBe(201);
    expect(signed.json()).toEqual({ owner: user.id, note: 'window seat' });
  });

  it('when the service answers with hop-by-hop headers, then none reach the client', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/flights/hop' });
    expect(answer.statusCode).toBe(200);
    expect(answer.headers['x-private-hop']).toBeUndefined();
    expect(answer.headers['keep-alive']).toBeUndefined();
    expect(answer.headers['connection']).not.toBe('x-private-hop');
  });

  it('when the client sends hop-by-hop headers, then the service does not get them', async () => {
    await gateway.app.inject({
      method: 'GET',
      url: '/api/v1/flights/search?from=OPO',
      headers: { connection: 'x-client-hop', 'x-client-hop': '1', 'proxy-authorization': 'Basic abc', te: 'trailers' },
    });
    const headers = upstream.seen.at(-1)?.headers ?? {};
    expect(headers['x-client-hop']).toBeUndefined();
    expect(headers['proxy-authorization']).toBeUndefined();
    expect(headers['te']).toBeUndefined();
  });

  it('when many requests pass, then they reuse kept-alive connections to the service', async () => {
    const before = upstream.connections();
    for (let i = 0; i < 20; i += 1) await gateway.app.inject({ method: 'GET', url: '/api/v1/flights/search?from=MAD' });
    expect(upstream.connections() - before).toBeLessThanOrEqual(1);
  });

  it('when the service is slow, then 504 UPSTREAM_TIMEOUT as problem+json', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/flights/slow' });
    expect(answer.statusCode).toBe(504);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.json().code).toBe('UPSTREAM_TIMEOUT');
  });

  it('when the service is down, then 502 UPSTREAM_UNAVAILABLE as problem+json', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/notifications?status=failed' });
    expect(answer.statusCode).toBe(502);
    expect(answer.headers['content-type']).toContain('application/problem+json');
    expect(answer.json()).toMatchObject({ code: 'UPSTREAM_UNAVAILABLE', status: 502 });
  });

  it('when a body is over the limit, then 413 PAYLOAD_TOO_LARGE and the service never sees it', async () => {
    const before = upstream.seen.length;
    const user = await mintUser();
    const answer = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      payload: { note: 'x'.repeat(5000) },
      headers: bearer(user.token),
    });
    expect(answer.statusCode).toBe(413);
    expect(answer.json().code).toBe('PAYLOAD_TOO_LARGE');
    expect(upstream.seen.length).toBe(before);
  });

  it('when an unknown API path or an internal route is asked, then 404 and nothing is forwarded', async () => {
    const before = upstream.seen.length;
    for (const url of ['/api/v1/nothing-here', '/internal/v1/holds', '/dev/mailbox']) {
      const answer = await gateway.app.inject({ method: url.startsWith('/internal') ? 'POST' : 'GET', url });
      expect(answer.statusCode).toBe(404);
      expect(answer.json().code).toBe('NOT_FOUND');
    }
    expect(upstream.seen.length).toBe(before);
  });

  it('when running embedded, then the dev mailbox is reachable through the gateway', async () => {
    const embedded = await createGatewayFixture({ db: gateway.db, env: { EMBEDDED_MODE: 'true', NOTIFICATIONS_URL: upstream.url } });
    try {
      const answer = await embedded.app.inject({ method: 'GET', url: '/dev/mailbox' });
      expect(answer.statusCode).toBe(200);
      expect(answer.json()).toEqual({ mailbox: true });
    } finally {
      await embedded.close();
    }
  });
});

describe('API docs', () => {
  it("when /openapi.json is asked, then it holds the gateway's and the services' public paths with the auth scheme and error examples", async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/openapi.json' });
    expect(answer.statusCode).toBe(200);
    const document = answer.json();
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/v1/auth/login', '/api/v1/admin/users/{id}', '/api/v1/flights/search']),
    );
    expect(Object.keys(document.paths).some((path: string) => path.startsWith('/internal'))).toBe(false);
    expect(Object.keys(document.paths).some((path: string) => path.includes('{*}'))).toBe(false);
    expect(document.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
    expect(Object.keys(document.components.responses.Problem409.content['application/problem+json'].examples)).toEqual(
      expect.arrayContaining(['EMAIL_TAKEN', 'SEATS_UNAVAILABLE', 'BOOKING_EXPIRED']),
    );
    expect(document.paths['/api/v1/auth/me'].get.responses['401']).toEqual({ $ref: '#/components/responses/Problem401' });
    expect(document.paths['/api/v1/auth/signup'].post.responses['429']).toEqual({ $ref: '#/components/responses/Problem429' });
    // Notifications is down in this test: the document still answers and says so.
    expect(document['x-unavailable-services']).toEqual(['notifications']);
  });

  it('when /docs is opened, then Swagger UI loads the merged document', async () => {
    const page = await gateway.app.inject({ method: 'GET', url: '/docs/' });
    expect(page.statusCode).toBe(200);
    expect(page.headers['content-type']).toContain('text/html');
    const json = await gateway.app.inject({ method: 'GET', url: '/docs/json' });
    expect(json.statusCode).toBe(200);
    expect(Object.keys(json.json().paths)).toContain('/api/v1/flights/search');
  });
});
