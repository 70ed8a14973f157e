import { createMemoryBus, type App, type Clock, type Kv, type ServiceClient } from '@aerofly/platform';
import { FakeClock, bearer, createTestDb, createTestKv, mintAdmin, mintServiceToken, silentLogger, testKeys, type TestDb } from '@aerofly/testing';
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
  const db = await createTestDb([{ schema, migrations: migrations() }]);
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

export const narrowbody: CabinLayout[] = [
  { cabin: 'business', firstRow: 1, lastRow: 2, seatLetters: 'ACDF', aisleAfter: ['C'] },
  { cabin: 'economy', firstRow: 3, lastRow: 12, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [8], blockedSeats: ['12F'] },
];

/** Builds reference data through the public API, as an admin would. */
export function fixtures(t: FlightsTestApp) {
  let registration = 100;
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
    async flight(input: { from: string; to: string; departureAt: string; arrivalAt: string; airplaneId?: string; economy?: number; business?: number; flightNumber?: string }) {
      const airplaneId = input.airplaneId ?? (await this.airplane()).id;
      return post('/api/v1/flights', {
        flightNumber: input.flightNumber ?? `YF${Math.floor(Math.random() * 9000) + 100}`,
        airplaneId,
        from: input.from,
        to: input.to,
        departureAt: input.departureAt,
        arrivalAt: input.arrivalAt,
        fares: { economy: { amount: input.economy ?? 15000, currency: 'USD' }, business: { amount: input.business ?? 60000, currency: 'USD' } },
      });
    },
  };
}
