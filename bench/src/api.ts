import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createUserTokenSigner } from '@aerofly/platform';

export type Customer = { id: string; email: string; token: string };

/**
 * Mints access tokens with the system's own key (DATA_DIR/keys/jwt.private.pem), as the gateway
 * would after a sign-in: benchmarks measure bookings, not thousands of password hashes.
 */
export async function createTokenMinter(dataDir: string) {
  const signer = await createUserTokenSigner({
    privateKeyPem: readFileSync(join(dataDir, 'keys', 'jwt.private.pem'), 'utf8'),
    ttlSeconds: 3600,
  });
  return {
    async customers(count: number): Promise<Customer[]> {
      const out: Customer[] = [];
      for (let i = 0; i < count; i += 1) {
        const id = randomUUID();
        const email = `bench-${id.slice(0, 12)}@example.com`;
        out.push({ id, email, token: await signer.sign({ id, email, role: 'customer' }) });
      }
      return out;
    },
    async admin(): Promise<string> {
      const id = randomUUID();
      return signer.sign({ id, email: `bench-admin-${id.slice(0, 8)}@example.com`, role: 'admin' });
    },
  };
}

export type ApiAnswer<T = unknown> = { status: number; body: T; ms: number };

export async function call<T = unknown>(
  baseUrl: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown; headers?: Record<string, string>; timeoutMs?: number } = {},
): Promise<ApiAnswer<T>> {
  const started = performance.now();
  const answer = await fetch(`${baseUrl}${path}`, {
    method,
    headers: {
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(options.body === undefined ? {} : { 'content-type': 'application/json' }),
      ...options.headers,
    },
    ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
    signal: AbortSignal.timeout(options.timeoutMs ?? 30_000),
  });
  const text = await answer.text();
  const ms = performance.now() - started;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // not JSON; keep the text
  }
  return { status: answer.status, body: body as T, ms };
}

async function expectCreated<T>(answer: Promise<ApiAnswer<T>>, what: string): Promise<T> {
  const result = await answer;
  if (result.status !== 201 && result.status !== 200)
    throw new Error(`setup: creating ${what} answered ${result.status}: ${JSON.stringify(result.body)}`);
  return result.body;
}

/** Runs `task` over `items` with at most `concurrency` in flight. */
export async function inParallel<T, R>(
  items: readonly T[],
  concurrency: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      for (;;) {
        const index = next;
        next += 1;
        if (index >= items.length) return;
        results[index] = await task(items[index]!, index);
      }
    }),
  );
  return results;
}

export type Fleet = { flightIds: string[]; seatsPerFlight: number; from: string; to: string };

/**
 * Creates flights through the admin API: two airports, one airplane with `rows` × 6 economy seats,
 * and `count` flights between them, departing over the coming weeks.
 */
export async function createFleet(
  gatewayUrl: string,
  adminToken: string,
  options: { count: number; rows?: number; concurrency?: number; tag?: string },
): Promise<Fleet> {
  const rows = options.rows ?? 30;
  const tag = (
    options.tag ??
    randomUUID()
      .replace(/[^A-Z]/gi, '')
      .toUpperCase()
  )
    .padEnd(2, 'X')
    .slice(0, 2);
  const post = <T>(path: string, body: unknown) => expectCreated<T>(call<T>(gatewayUrl, 'POST', path, { token: adminToken, body }), path);
  // Setup on a busy machine: a 5xx is retried; if the first attempt did create the flight, the retry
  // is refused as overlapping and that flight is left out of the fleet (counted, not hidden).
  const postFlight = async (body: unknown): Promise<string | undefined> => {
    for (let attempt = 1; ; attempt += 1) {
      const answer = await call<{ id: string }>(gatewayUrl, 'POST', '/api/v1/flights', {
        token: adminToken,
        body,
        timeoutMs: 60_000,
      }).catch(() => undefined);
      if (answer && (answer.status === 201 || answer.status === 200)) return answer.body.id;
      if (answer && answer.status < 500 && attempt > 1) return undefined;
      if ((answer && answer.status < 500) || attempt >= 4)
        throw new Error(`setup: creating a flight answered ${answer?.status ?? 'nothing'}: ${JSON.stringify(answer?.body)}`);
      await new Promise((done) => setTimeout(done, 500 * attempt));
    }
  };
  const city = await post<{ id: string }>('/api/v1/cities', { name: `Benchville ${tag}`, countryCode: 'US' });
  const from = `Q${tag}`;
  const to = `Z${tag}`;
  await post('/api/v1/airports', { code: from, name: `Bench ${from}`, cityId: city.id, timeZone: 'America/New_York' });
  await post('/api/v1/airports', { code: to, name: `Bench ${to}`, cityId: city.id, timeZone: 'America/Chicago' });
  // An airplane flies one flight at a time: enough airplanes that each flies at most 200 in a row.
  const airplaneCount = Math.ceil(options.count / 200);
  const registrationBase = Math.floor(Math.random() * 500);
  const airplaneIds = await inParallel(
    Array.from({ length: airplaneCount }, (_v, i) => i),
    4,
    async (i) =>
      (
        await post<{ id: string }>('/api/v1/airplanes', {
          model: 'Bench A320',
          registration: `N${tag}${String(registrationBase + i).padStart(4, '0')}`,
          cabins: [{ cabin: 'economy', firstRow: 1, lastRow: rows, seatLetters: 'ABCDEF', aisleAfter: ['C'] }],
        })
      ).id,
  );
  const firstDeparture = Date.now() + 3 * 24 * 3600_000;
  const designators = ['BA', 'BB', 'BC', 'BD', 'BE', 'BF', 'BG', 'BH'];
  const flightIds = await inParallel(
    Array.from({ length: options.count }, (_v, i) => i),
    options.concurrency ?? 8,
    async (i) => {
      const departure = firstDeparture + Math.floor(i / airplaneCount) * 70 * 60_000;
      return postFlight({
        flightNumber: `${designators[Math.floor(i / 9999)]}${(i % 9999) + 1}`,
        airplaneId: airplaneIds[i % airplaneCount],
        from,
        to,
        departureAt: new Date(departure).toISOString(),
        arrivalAt: new Date(departure + 60 * 60_000).toISOString(),
        fares: { economy: { amount: 12_900, currency: 'USD' } },
      });
    },
  );
  return { flightIds: flightIds.filter((id): id is string => id !== undefined), seatsPerFlight: rows * 6, from, to };
}

export const bookingBody = (flightId: string) => ({
  flightIds: [flightId],
  cabin: 'economy',
  passengers: [{ firstName: 'Ada', lastName: 'Lovelace' }],
});

export async function inventoryCheck(gatewayUrl: string, adminToken: string, flightId?: string) {
  const answer = await call<{ ok: boolean; flightsChecked: number; violations: unknown[] }>(
    gatewayUrl,
    'GET',
    `/api/v1/admin/inventory/check${flightId ? `?flightId=${flightId}` : ''}`,
    { token: adminToken, timeoutMs: 120_000 },
  );
  if (answer.status !== 200)
    return { ok: false, flightsChecked: 0, violations: [`inventory check answered ${answer.status}: ${JSON.stringify(answer.body)}`] };
  return answer.body;
}
