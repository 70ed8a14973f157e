import { connect, type AddressInfo } from 'node:net';
import { createCapturingLogger, silentLogger, testKeys } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceTokenSigner, createTokenVerifier } from '../auth/tokens.js';
import { AppError } from '../errors.js';
import { createApp, type App } from './app.js';
import { createServiceClient } from './service-client.js';

const Booking = z.object({
  passengers: z.array(z.object({ firstName: z.string().min(1), lastName: z.string().min(1) })).min(1),
});

describe('app factory', () => {
  const { logger, lines } = createCapturingLogger('bookings');
  let app: App;
  beforeAll(async () => {
    app = await createApp({ name: 'bookings', logger, bodyLimitBytes: 2048, openapi: { title: 'AeroFly bookings' } });
    app.post(
      '/api/v1/things',
      { schema: { tags: ['things'], summary: 'Create a thing', body: Booking, response: { 201: z.object({ count: z.number() }) } } },
      async (request, reply) => reply.status(201).send({ count: request.body.passengers.length }),
    );
    app.get(
      '/api/v1/things',
      { schema: { querystring: z.object({ limit: z.coerce.number().int().min(1).max(100).default(20) }) } },
      async (request) => ({
        limit: request.query.limit,
      }),
    );
    app.get('/api/v1/things/:id', async (request) => ({ id: (request.params as { id: string }).id }));
    app.get('/api/v1/full', async () => {
      throw new AppError('SEATS_UNAVAILABLE', 'Only 1 seat left in economy', { headers: { 'retry-after': '5' } });
    });
    app.get('/api/v1/boom', async () => {
      throw new Error('connection string postgres://admin:hunter2@db leaked');
    });
    await app.ready();
  });
  afterAll(() => app.close());

  it('when a route throws an AppError, then the answer is problem+json with code, status and request id', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/full', headers: { 'x-request-id': 'req-42' } });
    expect(response.statusCode).toBe(409);
    expect(response.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(response.headers['retry-after']).toBe('5');
    expect(response.json()).toEqual({
      type: 'urn:aerofly:problem:seats-unavailable',
      title: 'Not enough seats are available',
      status: 409,
      detail: 'Only 1 seat left in economy',
      code: 'SEATS_UNAVAILABLE',
      requestId: 'req-42',
    });
  });

  it('when a nested body field is missing, then it is 400 with the field path', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/things',
      payload: { passengers: [{ firstName: 'Ada' }, { firstName: 'Alan', lastName: 'Turing' }] },
    });
    expect(response.statusCode).toBe(400);
    const body = response.json();
    expect(body.code).toBe('VALIDATION_FAILED');
    expect(body.errors).toEqual([{ field: 'passengers[0].lastName', message: expect.any(String) }]);
  });

  it('when a query parameter is out of range, then it is 400 naming the parameter', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/things?limit=1000' });
    expect(response.statusCode).toBe(400);
    expect(response.json().errors[0].field).toBe('limit');
    expect((await app.inject({ method: 'GET', url: '/api/v1/things?limit=5' })).json()).toEqual({ limit: 5 });
  });

  it('when the body is malformed JSON, then it is 400 VALIDATION_FAILED, not 500', async () => {
    const response = await app.inject({
      method: 'POST',
      url: '/api/v1/things',
      headers: { 'content-type': 'application/json' },
      payload: '{"passengers": [',
    });
    expect(response.statusCode).toBe(400);
    expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED', status: 400 });
  });

  it('when the body has an unsupported content type, then it is a 4xx problem, not 500', async () => {
    const response = await app.inject({ method: 'POST', url: '/api/v1/things', headers: { 'content-type': 'text/csv' }, payload: 'a,b' });
    expect(response.statusCode).toBeGreaterThanOrEqual(400);
    expect(response.statusCode).toBeLessThan(500);
    expect(response.headers['content-type']).toContain('application/problem+json');
  });

  it('when the body is over the limit, then it is 413 PAYLOAD_TOO_LARGE', async () => {
    const passengers = Array.from({ length: 200 }, () => ({ firstName: 'Ada', lastName: 'Lovelace' }));
    const response = await app.inject({ method: 'POST', url: '/api/v1/things', payload: { passengers } });
    expect(response.statusCode).toBe(413);
    expect(response.json().code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('when something unexpected breaks, then the client gets a generic 500 and the log keeps the details', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/boom' });
    expect(response.statusCode).toBe(500);
    expect(response.json()).toMatchObject({ code: 'INTERNAL_ERROR', detail: 'Something went wrong on our side' });
    expect(response.body).not.toContain('hunter2');
    const logged = lines.map((line) => JSON.parse(line) as { level: number; msg: string; err?: { message: string }; reqId?: string });
    const entry = logged.find((line) => line.level === 50 && line.err?.message.includes('leaked'));
    expect(entry).toBeDefined();
    expect(entry!.reqId).toBe(response.json().requestId);
  });

  it('when a route does not exist, then it is a 404 problem', async () => {
    const response = await app.inject({ method: 'GET', url: '/api/v1/nowhere?x=1' });
    expect(response.statusCode).toBe(404);
    expect(response.json()).toMatchObject({ code: 'NOT_FOUND', detail: 'No route GET /api/v1/nowhere' });
  });

  it('when the router refuses the URL (over-long path part, broken escape), then it is a problem with the request id', async () => {
    const long = await app.inject({ method: 'GET', url: `/api/v1/things/${'a'.repeat(150)}`, headers: { 'x-request-id': 'edge-long' } });
    expect(long.statusCode).toBe(414);
    expect(long.headers['content-type']).toBe('application/problem+json; charset=utf-8');
    expect(long.json()).toMatchObject({ code: 'URI_TOO_LONG', status: 414, requestId: 'edge-long' });
    expect(long.headers['x-request-id']).toBe('edge-long');
    const broken = await app.inject({ method: 'GET', url: '/api/v1/things/%E0%A4%A' });
    expect(broken.statusCode).toBe(400);
    expect(broken.json()).toMatchObject({ code: 'VALIDATION_FAILED', errors: [{ field: '(url)' }] });
  });

  it('when a request id is sent, then it is kept; when none or a bad one is sent, then one is created', async () => {
    const kept = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'edge-7f3a' } });
    expect(kept.headers['x-request-id']).toBe('edge-7f3a');
    const created = await app.inject({ method: 'GET', url: '/health' });
    expect(created.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    const hostile = await app.inject({ method: 'GET', url: '/health', headers: { 'x-request-id': 'x\u0000'.repeat(100) } });
    expect(hostile.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('when asked, then /health, /ready, /metrics and /openapi.json answer', async () => {
    expect((await app.inject({ method: 'GET', url: '/health' })).json()).toEqual({ status: 'ok', service: 'bookings' });
    expect((await app.inject({ method: 'GET', url: '/ready' })).json()).toMatchObject({ status: 'ready', service: 'bookings' });
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.headers['content-type']).toContain('text/plain');
    expect(metrics.body).toContain('http_request_duration_seconds_bucket');
    expect(metrics.body).toContain('service="bookings"');
    const openapi = (await app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(openapi.info.title).toBe('AeroFly bookings');
    expect(openapi.paths['/api/v1/things'].post.summary).toBe('Create a thing');
    expect(openapi.paths['/health']).toBeUndefined();
    expect(openapi.components.securitySchemes.bearerAuth).toMatchObject({ type: 'http', scheme: 'bearer' });
  });
});

describe('readiness', () => {
  it('when a check fails or hangs, then /ready is 503 naming it while /health stays 200', async () => {
    let redisUp = true;
    const app = await createApp({
      name: 'flights',
      logger: silentLogger,
      readinessTimeoutMs: 100,
      readiness: {
        postgres: () => undefined,
        redis: () => {
          if (!redisUp) throw new Error('connection refused');
        },
        rabbitmq: () => new Promise<void>(() => undefined), // never answers
      },
    });
    try {
      const ready = await app.inject({ method: 'GET', url: '/ready' });
      expect(ready.statusCode).toBe(503);
      expect(ready.json()).toEqual({
        status: 'unavailable',
        service: 'flights',
        checks: { postgres: 'up', redis: 'up', rabbitmq: 'down' },
        down: ['rabbitmq'],
      });
      redisUp = false;
      expect((await app.inject({ method: 'GET', url: '/ready' })).json().down).toEqual(['redis', 'rabbitmq']);
      expect((await app.inject({ method: 'GET', url: '/health' })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});

describe('calls between services', () => {
  const seen: { requestId?: string; caller?: unknown }[] = [];
  let upstream: App;
  let edge: App;
  let upstreamUrl: string;

  beforeAll(async () => {
    const verifier = await createTokenVerifier({ servicePublicKeyPem: testKeys.service.publicKeyPem, serviceName: 'flights' });
    upstream = await createApp({ name: 'flights', logger: silentLogger, verifier });
    upstream.post('/internal/v1/holds', { config: { auth: 'service' } }, async (request) => {
      seen.push({ requestId: request.headers['x-request-id'] as string, caller: request.caller });
      const body = request.body as { seats: number };
      if (body.seats > 9) throw new AppError('SEATS_UNAVAILABLE', 'Only 9 seats left');
      if (body.seats === 0) throw new Error('flights broke');
      if (body.seats === 5) await new Promise((resolve) => setTimeout(resolve, 800));
      return { holdId: 'h-1', seats: body.seats, extra: 'ignored by the client schema' };
    });
    upstreamUrl = await upstream.listen({ host: '127.0.0.1', port: 0 });

    const signer = await createServiceTokenSigner({ privateKeyPem: testKeys.service.privateKeyPem, serviceName: 'bookings' });
    const flights = createServiceClient({ baseUrl: upstreamUrl, audience: 'flights', signer, timeoutMs: 5000 });
    const impatient = createServiceClient({ baseUrl: upstreamUrl, audience: 'flights', signer, timeoutMs: 100 });
    const unreachable = createServiceClient({ baseUrl: 'http://127.0.0.1:9', audience: 'flights', signer });
    edge = await createApp({ name: 'bookings', logger: silentLogger });
    edge.post('/api/v1/bookings', async (request) => {
      const body = request.body as { seats: number; unreachable?: boolean };
      const client = body.unreachable ? unreachable : body.seats === 5 ? impatient : flights;
      return client.request('POST', '/internal/v1/holds', {
        body: { seats: body.seats },
        response: z.object({ holdId: z.string(), seats: z.number() }),
      });
    });
    await edge.ready();
  });
  afterAll(async () => {
    await edge.close();
    await upstream.close();
  });

  const book = (payload: object, headers: Record<string, string> = {}) =>
    edge.inject({ method: 'POST', url: '/api/v1/bookings', payload, headers });

  it('when a request with an id calls another service, then that service sees the same id and a service token', async () => {
    const response = await book({ seats: 2 }, { 'x-request-id': 'trace-abc' });
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ holdId: 'h-1', seats: 2 });
    expect(seen.at(-1)).toEqual({ requestId: 'trace-abc', caller: { kind: 'service', id: 'bookings' } });
  });

  it('when a request comes without an id, then the id created at the edge is the one forwarded', async () => {
    const response = await book({ seats: 1 });
    expect(seen.at(-1)!.requestId).toBe(response.headers['x-request-id']);
  });

  it('when the other service answers with a problem code, then the caller gets the same code', async () => {
    const response = await book({ seats: 10 });
    expect(response.statusCode).toBe(409);
    expect(response.json()).toMatchObject({ code: 'SEATS_UNAVAILABLE', detail: 'Only 9 seats left' });
  });

  it('when the other service fails, is slow or is down, then the caller answers 502, 504 or 502', async () => {
    expect((await book({ seats: 0 })).json()).toMatchObject({ status: 502, code: 'UPSTREAM_UNAVAILABLE' });
    expect((await book({ seats: 5 })).json()).toMatchObject({ status: 504, code: 'UPSTREAM_TIMEOUT' });
    expect((await book({ seats: 1, unreachable: true })).json()).toMatchObject({ status: 502, code: 'UPSTREAM_UNAVAILABLE' });
  });
});

describe('app factory on a real socket', () => {
  let app: App;
  let port: number;
  beforeAll(async () => {
    app = await createApp({ name: 'flights', logger: silentLogger });
    await app.listen({ port: 0, host: '127.0.0.1' });
    port = (app.server.address() as AddressInfo).port;
  });
  afterAll(() => app.close());

  /** Sends raw bytes and reads the answer until the server closes the connection. */
  const raw = (bytes: string) =>
    new Promise<string>((resolve, reject) => {
      const socket = connect(port, '127.0.0.1', () => socket.end(bytes));
      let answer = '';
      socket.on('data', (chunk) => (answer += chunk.toString('utf8')));
      socket.on('close', () => resolve(answer));
      socket.on('error', reject);
    });

  it('when Node refuses a request before Fastify sees it (headers too large, not HTTP), then the answer is problem+json too', async () => {
    const tooLarge = await raw(`GET /health HTTP/1.1\r\nHost: x\r\nX-Filler: ${'a'.repeat(20_000)}\r\n\r\n`);
    expect(tooLarge).toMatch(/^HTTP\/1\.1 431 /);
    expect(tooLarge).toContain('Content-Type: application/problem+json');
    const body = JSON.parse(tooLarge.slice(tooLarge.indexOf('\r\n\r\n') + 4)) as Record<string, unknown>;
    expect(body).toMatchObject({ code: 'HEADERS_TOO_LARGE', status: 431 });
    expect(tooLarge).toContain(`X-Request-Id: ${String(body['requestId'])}`);

    const garbage = await raw('THIS IS NOT HTTP\r\n\r\n');
    expect(garbage).toMatch(/^HTTP\/1\.1 400 /);
    expect(garbage).toContain('"code":"VALIDATION_FAILED"');
    // The server keeps serving.
    expect((await fetch(`http://127.0.0.1:${port}/health`)).status).toBe(200);
  });
});
