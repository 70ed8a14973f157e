/**
 * The whole system through the gateway, and each service reached directly: nobody gets in where
 * they do not belong (DESIGN.md §3, last invariant), whichever door they use.
 */
import { randomUUID } from 'node:crypto';
import { createPrivateKey, sign as signRaw } from 'node:crypto';
import {
  silentLogger,
  bearer,
  createTestBus,
  createTestDb,
  createTestKv,
  generateKeyPair,
  mintServiceToken,
  testKeys,
} from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig as loadFlightsConfig } from '../../services/flights/src/config.js';
import { migrations as flightsMigrations, startFlights } from '../../services/flights/src/main.js';
import { loadConfig as loadBookingsConfig } from '../../services/bookings/src/config.js';
import { migrations as bookingsMigrations, startBookings } from '../../services/bookings/src/main.js';
import { loadConfig as loadGatewayConfig } from '../../services/gateway/src/config.js';
import { migrations as gatewayMigrations, startGateway } from '../../services/gateway/src/main.js';

type Running = { url: string; close(): Promise<void> };

const keys = {
  JWT_PRIVATE_KEY: testKeys.user.privateKeyPem,
  JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
  SERVICE_PRIVATE_KEY: testKeys.service.privateKeyPem,
  SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
  LOG_LEVEL: 'silent',
};

const db = await createTestDb([
  { schema: 'flights', migrations: flightsMigrations() },
  { schema: 'bookings', migrations: bookingsMigrations() },
  { schema: 'gateway', migrations: gatewayMigrations() },
]);
const kv = createTestKv();
const bus = createTestBus();
let flights: Running;
let bookings: Running;
let gateway: Running;

beforeAll(async () => {
  flights = await startFlights({
    config: loadFlightsConfig({ ...keys, FLIGHTS_PORT: '0', SEED_DEMO_DATA: 'true', SEED_DEMO_DAYS: '4', SEARCH_CACHE_TTL_SECONDS: '0' }),
    db,
    kv,
    bus,
    logger: silentLogger,
  });
  bookings = await startBookings({
    config: loadBookingsConfig({ ...keys, FLIGHTS_URL: flights.url }),
    db,
    kv,
    bus,
    logger: silentLogger,
    port: 0,
  });
  gateway = await startGateway({
    config: loadGatewayConfig({
      ...keys,
      GATEWAY_PORT: '0',
      FLIGHTS_URL: flights.url,
      BOOKINGS_URL: bookings.url,
      NOTIFICATIONS_URL: 'http://127.0.0.1:9',
      RATE_LIMITS: 'on',
      RATE_LIMIT_GLOBAL_MAX: '10000',
      RATE_LIMIT_AUTH_MAX: '1000',
      RATE_LIMIT_BOOKINGS_MAX: '4',
      WEB_DIST_DIR: '/nonexistent-aerofly-web',
    }),
    db,
    kv,
    bus,
    logger: silentLogger,
    print: () => undefined,
  });
}, 180_000);

afterAll(async () => {
  await gateway?.close();
  await bookings?.close();
  await flights?.close();
  await bus.close();
  await kv.close();
  await db.destroy();
});

type Answer = { status: number; body: any; headers: Headers };
async function call(
  base: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; idempotencyKey?: string } = {},
): Promise<Answer> {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: {
      ...(options.token ? bearer(options.token) : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...(options.idempotencyKey ? { 'idempotency-key': options.idempotencyKey } : {}),
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON
  }
  return { status: response.status, body, headers: response.headers };
}

const viaGateway = (method: string, path: string, options?: Parameters<typeof call>[3]) => call(gateway.url, method, path, options);

let travellerCount = 0;
async function signUp() {
  travellerCount += 1;
  const answer = await viaGateway('POST', '/api/v1/auth/signup', {
    body: {
      email: `sys-${travellerCount}-${randomUUID().slice(0, 6)}@example.com`,
      password: 'a proper passphrase',
      name: `Traveller ${travellerCount}`,
    },
  });
  expect(answer.status).toBe(201);
  return answer.body as { user: { id: string }; accessToken: string; refreshToken: string };
}

let flightIds: Promise<string[]> | undefined;
/** A demo flight the day after tomorrow: well in the future wherever it departs. */
async function bookableFlightId(): Promise<string> {
  flightIds ??= findFlights();
  const ids = await flightIds;
  travellerCount += 1;
  return ids[travellerCount % ids.length] ?? '';
}
async function findFlights(): Promise<string[]> {
  const date = new Date(Date.now() + 2 * 86_400_000).toISOString().slice(0, 10);
  const answer = await viaGateway('GET', `/api/v1/flights?limit=50&date=${date}`);
  expect(answer.status, JSON.stringify(answer.body).slice(0, 300)).toBe(200);
  const soon = Date.now() + 3 * 3600_000;
  const found = (answer.body.items as { id: string; departureAt: string; status: string }[]).filter(
    (f) => f.status === 'SCHEDULED' && new Date(f.departureAt).getTime() > soon,
  );
  if (found.length === 0) throw new Error(`the demo data has no bookable flight: ${JSON.stringify(answer.body).slice(0, 300)}`);
  return found.map((f) => f.id);
}

async function book(token: string) {
  const answer = await viaGateway('POST', '/api/v1/bookings', {
    token,
    idempotencyKey: randomUUID(),
    body: { flightIds: [await bookableFlightId()], cabin: 'economy', passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }] },
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as { id: string; status: string; totalPrice: { amount: number; currency: string } };
}

const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getFullYear() + 2, cvc: '123' };

describe('bookings belong to their owner (IDOR)', () => {
  it("when B reads, pays or cancels A's booking, through the gateway or directly at bookings, then 404 and A's booking is unchanged", async () => {
    const alice = await signUp();
    const bob = await signUp();
    const booking = await book(alice.accessToken);

    for (const base of [gateway.url, bookings.url]) {
      expect((await call(base, 'GET', `/api/v1/bookings/${booking.id}`, { token: bob.accessToken })).status).toBe(404);
      const pay = await call(base, 'POST', `/api/v1/bookings/${booking.id}/payments`, {
        token: bob.accessToken,
        idempotencyKey: randomUUID(),
        body: { card, amount: booking.totalPrice },
      });
      expect(pay.status).toBe(404);
      expect(pay.body.code).toBe('NOT_FOUND');
      const cancel = await call(base, 'POST', `/api/v1/bookings/${booking.id}/cancel`, {
        token: bob.accessToken,
        body: {},
        idempotencyKey: randomUUID(),
      });
      expect(cancel.status).toBe(404);
      const list = await call(base, 'GET', '/api/v1/bookings', { token: bob.accessToken });
      expect(list.status).toBe(200);
      expect((list.body.items as { id: string }[]).map((b) => b.id)).not.toContain(booking.id);
    }

    const mine = await viaGateway('GET', `/api/v1/bookings/${booking.id}`, { token: alice.accessToken });
    expect(mine.status).toBe(200);
    expect(mine.body.status).toBe('PENDING');
    expect(mine.body.payment ?? null).toBeNull();
  });
});

describe('roles and tokens at every door', () => {
  it('when a customer calls admin routes of any service, then 403; anonymous, then 401', async () => {
    const customer = await signUp();
    const adminRoutes: [string, string, unknown?][] = [
      ['GET', '/api/v1/admin/bookings'],
      ['GET', '/api/v1/admin/inventory/check'],
      ['POST', '/api/v1/cities', { name: 'Atlantis', countryCode: 'GR' }],
      ['GET', '/api/v1/admin/users'],
    ];
    for (const [method, path, body] of adminRoutes) {
      const options = body === undefined ? {} : { body };
      expect((await viaGateway(method, path, { ...options, token: customer.accessToken })).status, `${method} ${path}`).toBe(403);
      expect((await viaGateway(method, path, options)).status, `${method} ${path} anonymous`).toBe(401);
    }
    // Straight at the services, bypassing the gateway: the same answers.
    expect((await call(bookings.url, 'GET', '/api/v1/admin/bookings', { token: customer.accessToken })).status).toBe(403);
    expect(
      (await call(flights.url, 'POST', '/api/v1/cities', { token: customer.accessToken, body: { name: 'Atlantis', countryCode: 'GR' } }))
        .status,
    ).toBe(403);
    expect((await call(bookings.url, 'GET', '/api/v1/bookings')).status).toBe(401);
  });

  it('when a token is forged, tampered, expired or unsigned, then every service refuses it with 401', async () => {
    const customer = await signUp();
    const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    const now = Math.floor(Date.now() / 1000);
    const claims = {
      sub: customer.user.id,
      email: 'x@example.com',
      role: 'admin',
      aud: 'aerofly-api',
      iss: 'aerofly-gateway',
      iat: now,
      exp: now + 600,
    };
    const signWith = (pem: string, payload: object) => {
      const input = `${b64({ alg: 'EdDSA', typ: 'JWT' })}.${b64(payload)}`;
      return `${input}.${signRaw(null, Buffer.from(input), createPrivateKey(pem)).toString('base64url')}`;
    };
    const [header, , signature] = customer.accessToken.split('.');
    const forged = [
      `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`,
      signWith(generateKeyPair().privateKeyPem, claims),
      `${header}.${b64(claims)}.${signature}`,
      signWith(testKeys.user.privateKeyPem, { ...claims, role: 'customer', iat: now - 3600, exp: now - 10 }),
    ];
    for (const token of forged) {
      for (const [base, path] of [
        [gateway.url, '/api/v1/bookings'],
        [bookings.url, '/api/v1/bookings'],
        [bookings.url, '/api/v1/admin/bookings'],
        [flights.url, '/api/v1/admin/inventory/check'],
        [gateway.url, '/api/v1/auth/me'],
      ] as const) {
        const answer = await call(base, 'GET', path, { token });
        expect(answer.status, `${base}${path}`).toBe(401);
        expect(answer.body.code).toBe('UNAUTHENTICATED');
      }
    }
  });

  it('when a user token knocks on an internal route, then 401; through the gateway, internal routes do not exist', async () => {
    const customer = await signUp();
    const internal = await call(bookings.url, 'POST', '/internal/v1/bookings/live', {
      token: customer.accessToken,
      body: { bookingIds: [] },
    });
    expect(internal.status).toBe(401);
    expect(
      (
        await viaGateway('POST', '/internal/v1/bookings/live', {
          token: await mintServiceToken('bookings', 'flights'),
          body: { bookingIds: [] },
        })
      ).status,
    ).toBe(404);
    const service = await call(bookings.url, 'POST', '/internal/v1/bookings/live', {
      token: await mintServiceToken('bookings', 'flights'),
      body: { bookingIds: [] },
    });
    expect(service.status).toBe(200);
  });
});

describe('hostile input through the gateway', () => {
  it('when injection strings reach every booking parameter, then 4xx, never 500', async () => {
    const customer = await signUp();
    const evils = ["' OR '1'='1", '1; DROP TABLE bookings.bookings', '../../etc/passwd', '<script>', 'a'.repeat(3000)];
    for (const evil of evils) {
      const id = encodeURIComponent(evil);
      const answers = [
        await viaGateway('GET', `/api/v1/bookings/${id}`, { token: customer.accessToken }),
        await viaGateway('GET', `/api/v1/bookings?cursor=${id}&limit=${id}`, { token: customer.accessToken }),
        await viaGateway('POST', `/api/v1/bookings/${id}/payments`, {
          token: customer.accessToken,
          idempotencyKey: randomUUID(),
          body: { card, amount: { amount: 1, currency: 'USD' } },
        }),
        await viaGateway('POST', '/api/v1/bookings', {
          token: customer.accessToken,
          idempotencyKey: randomUUID(),
          body: { flightIds: [evil], cabin: evil, passengers: [{ firstName: evil, lastName: evil }], contactEmail: evil },
        }),
        await viaGateway('GET', `/api/v1/flights/search?from=${id}&to=${id}&date=${id}`),
        await viaGateway('GET', `/api/v1/flights/${id}/seats`),
      ];
      for (const answer of answers)
        expect(answer.status, `${evil.slice(0, 20)} → ${JSON.stringify(answer.body).slice(0, 120)}`).toBeLessThan(500);
    }
  });

  it('when a body is over the limit, then 413 PAYLOAD_TOO_LARGE before any service works on it', async () => {
    const customer = await signUp();
    const answer = await viaGateway('POST', '/api/v1/bookings', {
      token: customer.accessToken,
      idempotencyKey: randomUUID(),
      body: { flightIds: [], cabin: 'economy', passengers: [{ firstName: 'x'.repeat(2_000_000), lastName: 'y' }] },
    });
    expect(answer.status).toBe(413);
    expect(answer.body.code).toBe('PAYLOAD_TOO_LARGE');
  });
});

describe('rate limits leave services talking to each other', () => {
  it('when a user hits the booking limit at the gateway, then 429 with headers, while bookings still holds seats in flights for everyone else', async () => {
    const busy = await signUp();
    const statuses: number[] = [];
    let last: Answer | undefined;
    for (let i = 0; i < 5; i += 1) {
      last = await viaGateway('POST', '/api/v1/bookings', {
        token: busy.accessToken,
        idempotencyKey: randomUUID(),
        body: { flightIds: [await bookableFlightId()], cabin: 'economy', passengers: [{ firstName: 'Busy', lastName: 'Bee' }] },
      });
      statuses.push(last.status);
    }
    expect(statuses).toEqual([201, 201, 201, 201, 429]);
    expect(last?.body.code).toBe('RATE_LIMITED');
    expect(Number(last?.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(last?.headers.get('ratelimit-limit')).toBe('4');
    expect(last?.headers.get('ratelimit-remaining')).toBe('0');
    // Each of those bookings made bookings call flights' internal holds API: no limit applies there.
    const other = await signUp();
    expect((await book(other.accessToken)).status).toBe('PENDING');
  });
});
