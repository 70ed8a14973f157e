import { createPostgresDb, type Bus, type Clock, type Db, type Kv } from '@aerofly/platform';
import {
  bearer,
  createTestBus,
  createTestDb,
  createTestKv,
  mintAdmin,
  silentLogger,
  sparePort,
  testKeys,
  type TestDb,
} from '@aerofly/testing';
import { loadConfig as loadBookingsConfig } from '../../services/bookings/src/config.js';
import { migrations as bookingsMigrations, startBookings, type RunningService } from '../../services/bookings/src/main.js';
import { loadConfig as loadFlightsConfig } from '../../services/flights/src/config.js';
import { migrations as flightsMigrations, startFlights } from '../../services/flights/src/main.js';

export type System = {
  flights: RunningService;
  bookings: RunningService;
  /** Stops bookings (as a crash or deploy would); `startBookings()` brings a new instance up on the same database. */
  stopBookings(): Promise<void>;
  startBookings(): Promise<RunningService>;
  db: TestDb;
  /** The kv both services use (idempotency fast path, cache). */
  kv: Kv;
  /** The bus both services publish on, for consumers a test adds (e.g. notifications). */
  bus: Bus;
  admin: Record<string, string>;
  /** Creates an airport pair, an airplane with `rows` × `letters` economy seats and a flight; returns the flight id. */
  flight(input: { from: string; to: string; departureAt: string; arrivalAt: string; rows?: number; letters?: string }): Promise<string>;
  available(flightId: string): Promise<number>;
  inventoryOk(flightId: string): Promise<{ ok: boolean; violations: unknown[] }>;
  close(): Promise<void>;
};

/**
 * Flights and bookings as they run in production (their `main.ts`), on one test database and
 * loopback ports, talking over HTTP with service tokens.
 */
export async function startSystem(options: { clock?: Clock; env?: Record<string, string> } = {}): Promise<System> {
  const db = await createTestDb([
    { schema: 'flights', migrations: flightsMigrations() },
    { schema: 'bookings', migrations: bookingsMigrations() },
  ]);
  // Each service has its own connection pool, as in production (PGlite is one connection anyway);
  // a burst on a shared machine may wait for a connection: the tests are about correctness.
  const poolFor = (name: string): Db =>
    db.databaseUrl
      ? createPostgresDb({
          url: db.databaseUrl,
          logger: silentLogger,
          maxConnections: 10,
          applicationName: name,
          connectionTimeoutMs: 30_000,
        })
      : db;
  const flightsDb = poolFor('flights');
  const bookingsDb = poolFor('bookings');
  const kv = createTestKv();
  const bus = createTestBus();
  const bookingsPort = await sparePort();
  const keys = {
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    SERVICE_PRIVATE_KEY: testKeys.service.privateKeyPem,
    LOG_LEVEL: 'silent',
    CURRENCY: 'USD',
    // Correctness under a burst on a shared 2-core machine, not latency: let slow answers arrive.
    UPSTREAM_TIMEOUT_MS: '30000',
  };
  const clock = options.clock ? { clock: options.clock } : {};
  const flights = await startFlights({
    config: loadFlightsConfig({
      ...keys,
      FLIGHTS_PORT: '0',
      SEED_DEMO_DATA: 'false',
      BOOKINGS_URL: `http://127.0.0.1:${bookingsPort}`,
      ...options.env,
    }),
    db: flightsDb,
    kv,
    bus,
    logger: silentLogger,
    ...clock,
  });
  const bookingsConfig = loadBookingsConfig({ ...keys, FLIGHTS_URL: flights.url, ...options.env });
  const launchBookings = () =>
    startBookings({
      config: bookingsConfig,
      db: bookingsDb,
      kv,
      bus,
      logger: silentLogger,
      port: bookingsPort,
      ...clock,
    });
  let bookings = await launchBookings();
  let bookingsRunning = true;
  const admin = bearer((await mintAdmin()).token);
  const post = async (url: string, payload: unknown) => {
    const answer = await flights.app.inject({ method: 'POST', url, headers: admin, payload: payload as object });
    if (answer.statusCode !== 201) throw new Error(`${url} answered ${answer.statusCode}: ${answer.body}`);
    return answer.json<{ id: string }>();
  };
  const airports = new Set<string>();
  let registration = 100;
  const airport = async (code: string) => {
    if (airports.has(code)) return;
    airports.add(code);
    const city = await post('/api/v1/cities', { name: `City ${code}`, countryCode: 'US' });
    await post('/api/v1/airports', { code, name: `${code} Airport`, cityId: city.id, timeZone: 'America/New_York' });
  };
  return {
    flights,
    get bookings() {
      return bookings;
    },
    async stopBookings() {
      await bookings.close();
      bookingsRunning = false;
    },
    async startBookings() {
      bookings = await launchBookings();
      bookingsRunning = true;
      return bookings;
    },
    db,
    kv,
    bus,
    admin,
    async flight(input) {
      await airport(input.from);
      await airport(input.to);
      registration += 1;
      const airplane = await post('/api/v1/airplanes', {
        model: 'Airbus A320neo',
        registration: `N${registration}SY`,
        cabins: [{ cabin: 'economy', firstRow: 1, lastRow: input.rows ?? 1, seatLetters: input.letters ?? 'ABC' }],
      });
      const flight = await post('/api/v1/flights', {
        flightNumber: `SY${registration}`,
        airplaneId: airplane.id,
        from: input.from,
        to: input.to,
        departureAt: input.departureAt,
        arrivalAt: input.arrivalAt,
        fares: { economy: { amount: 12_000, currency: 'USD' } },
      });
      return flight.id;
    },
    async available(flightId) {
      // Straight from the counter: the public flight detail goes through a short read cache.
      const { rows } = await db.query<{ available: number }>(
        `SELECT available FROM flights.inventory WHERE flight_id = $1 AND cabin = 'economy'`,
        [flightId],
      );
      return rows[0]?.available ?? -1;
    },
    async inventoryOk(flightId) {
      const answer = await flights.app.inject({ method: 'GET', url: `/api/v1/admin/inventory/check?flightId=${flightId}`, headers: admin });
      return answer.json<{ ok: boolean; violations: unknown[] }>();
    },
    async close() {
      if (bookingsRunning) await bookings.close();
      await flights.close();
      await bus.close();
      await kv.close();
      if (flightsDb !== db) await flightsDb.close();
      if (bookingsDb !== db) await bookingsDb.close();
      await db.destroy();
    },
  };
}
