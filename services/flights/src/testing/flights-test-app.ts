import { createMemoryBus, type App, type Clock, type Kv, type ServiceClient } from '@aerofly/platform';
import {
  FakeClock,
  bearer,
  createTestDb,
  createTestKv,
  mintAdmin,
  mintServiceToken,
  silentLogger,
  testKeys,
  type TestDb,
} from '@aerofly/testing';
import { buildApp } from '../app.js';
import { loadConfig } from '../config.js';
import { migrations, schema } from '../main.js';
import type { CabinLayout } from '../shared/seat-map.js';

export type FlightsTestApp = {
  app: App;
  db: TestDb;
  kv: Kv;
  clock: FakeClock;
  admin: Record<string, string>;
  service: Record<string, string>;
  close(): Promise<void>;
};

/** The flights app over HTTP (`app.inject`) on a fresh database, with a clock the test moves. */
export async function createFlightsTestApp(
  options: { env?: Record<string, string>; clock?: FakeClock; bookingsClient?: ServiceClient | null } = {},
): Promise<FlightsTestApp> {
  const db = queueQueries(await createTestDb([{ schema, migrations: migrations() }]), 16);
  const kv = createTestKv();
  const clock = options.clock ?? new FakeClock('2030-03-01T08:00:00.000Z');
  const config = loadConfig({
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    LOG_LEVEL: 'silent',
    CURRENCY: 'USD',
    ...options.env,
  });
  const app = await buildApp({
    config,
    db,
    kv,
    bus: createMemoryBus({ logger: silentLogger }),
    logger: silentLogger,
    clock: clock as Clock,
    bookingsClient: options.bookingsClient ?? null,
  });
  await app.ready();
  return {
    app,
    db,
    kv,
    clock,
    admin: bearer((await mintAdmin()).token),
    service: bearer(await mintServiceToken('flights', 'bookings')),
    async close() {
      await app.close();
      await kv.close();
      await db.destroy();
    },
  };
}

/**
 * Queues queries beyond `slots` in the test process instead of in the pg pool, whose 2 s acquire
 * timeout turns a 200-request burst into 503s on a loaded CI machine. The database still sees
 * `slots` statements racing at once, which is what the concurrency tests are about.
 */
function queueQueries(db: TestDb, slots: number): TestDb {
  if (db.kind !== 'postgres') return db;
  let free = slots;
  const waiting: (() => void)[] = [];
  const acquire = () => (free > 0 ? (free--, Promise.resolve()) : new Promise<void>((resolve) => waiting.push(resolve)));
  const release = () => {
    const next = waiting.shift();
    if (next) next();
    else free++;
  };
  const gated =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      await acquire();
      try {
        return await fn(...args);
      } finally {
        release();
      }
    };
  return Object.assign(Object.create(db) as TestDb, {
    query: gated(db.query.bind(db)) as TestDb['query'],
    transaction: gated(db.transaction.bind(db)) as TestDb['transaction'],
  });
}

export const narrowbody: CabinLayout[] = [
  { cabin: 'business', firstRow: 1, lastRow: 2, seatLetters: 'ACDF', aisleAfter: ['C'] },
  { cabin: 'economy', firstRow: 3, lastRow: 12, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [8], blockedSeats: ['12F'] },
];

/** Builds reference data through the public API, as an admin would. */
export function fixtures(t: FlightsTestApp) {
  let registration = 100;
  // Numbered in turn, not at random: many fixtures depart at the same moment, and a flight number
  // may not depart twice at one time (a random pick collided in a few percent of runs).
  let flightSerial = 2000;
  const post = async (url: string, payload: unknown) => {
    const response = await t.app.inject({ method: 'POST', url, headers: t.admin, payload: payload as object });
    if (response.statusCode !== 201) throw new Error(`${url} answered ${response.statusCode}: ${response.body}`);
    return response.json();
  };
  return {
    post,
    async airport(code: string, timeZone: string) {
      const city = await post('/api/v1/cities', { name: `City ${code}`, countryCode: 'US' });
      return post('/api/v1/airports', { code, name: `${code} Airport`, cityId: city.id, timeZone });
    },
    async airplane(cabins: CabinLayout[] = narrowbody) {
      registration += 1;
      return post('/api/v1/airplanes', { model: 'Airbus A320neo', registration: `N${registration}TS`, cabins });
    },
    async flight(input: {
      from: string;
      to: string;
      departureAt: string;
      arrivalAt: string;
      airplaneId?: string;
      economy?: number;
      business?: number;
      flightNumber?: string;
      cabins?: CabinLayout[];
    }) {
      const airplane = input.airplaneId ? undefined : await this.airplane(input.cabins);
      const airplaneId = input.airplaneId ?? airplane.id;
      const cabins: string[] = airplane ? airplane.cabins.map((c: CabinLayout) => c.cabin) : ['economy', 'business'];
      const fare = { economy: input.economy ?? 15000, business: input.business ?? 60000, premium_economy: 30000, first: 120000 } as Record<
        string,
        number
      >;
      return post('/api/v1/flights', {
        flightNumber: input.flightNumber ?? `YF${(flightSerial += 1)}`,
        airplaneId,
        from: input.from,
        to: input.to,
        departureAt: input.departureAt,
        arrivalAt: input.arrivalAt,
        fares: Object.fromEntries(cabins.map((cabin) => [cabin, { amount: fare[cabin], currency: 'USD' }])),
      });
    },
  };
}
