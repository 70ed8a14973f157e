import { eventSchemas, type EventEnvelope, type EventType } from '@aerofly/contracts';
import { createLogger, type App, type Bus, type Kv, type Logger } from '@aerofly/platform';
import {
  FakeClock,
  bearer,
  createTestBus,
  createTestDb,
  createTestKv,
  mintUser,
  silentLogger,
  testKeys,
  type TestDb,
  type TestUser,
} from '@aerofly/testing';
import { randomUUID } from 'node:crypto';
import { buildApp, type BookingsDeps } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createBookingsCore, type BookingsCore } from '../src/core.js';
import { createFakeHolds, type FakeHolds } from '../src/holds/holds.fake.js';
import { migrations } from '../src/main.js';
import { createTestProcessor } from '../src/payments/test-processor.js';

export { createLogger };

export type Harness = {
  app: App;
  core: BookingsCore;
  db: TestDb;
  kv: Kv;
  clock: FakeClock;
  holds: FakeHolds;
  processor: ReturnType<typeof createTestProcessor>;
  /** Events written to the outbox so far, oldest first. */
  events(type?: string): Promise<EventEnvelope[]>;
  /** A second instance on the same database and flights, as after a restart or on another machine. */
  restart(): Promise<{ app: App; core: BookingsCore }>;
  close(): Promise<void>;
};

export async function createHarness(options: { logger?: Logger; kv?: Kv; bus?: Bus; env?: Record<string, string> } = {}): Promise<Harness> {
  const db = await createTestDb([{ schema: 'bookings', migrations: migrations() }]);
  const clock = new FakeClock('2030-01-15T10:00:00.000Z');
  const holds = createFakeHolds({ clock });
  const kv = options.kv ?? createTestKv();
  const bus = options.bus ?? createTestBus();
  const config = loadConfig({
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    SERVICE_PRIVATE_KEY: testKeys.service.privateKeyPem,
    LOG_LEVEL: 'silent',
    ...options.env,
  });
  const processor = createTestProcessor({ db });
  const deps: BookingsDeps = {
    config,
    db,
    kv,
    bus,
    logger: options.logger ?? silentLogger,
    clock,
    holds: holds.client,
    paymentProvider: processor,
  };
  const instances: App[] = [];
  const boot = async () => {
    const core = await createBookingsCore(deps);
    const app = await buildApp(deps, core);
    instances.push(app);
    return { app, core };
  };
  const { app, core } = await boot();
  return {
    app,
    core,
    db,
    kv,
    clock,
    holds,
    processor,
    async events(type) {
      const { rows } = await db.query<EventEnvelope & { occurredAt: Date }>(
        `SELECT id, type, version, data, occurred_at AS "occurredAt" FROM bookings.outbox ${type ? 'WHERE type = $1' : ''} ORDER BY seq`,
        type ? [type] : [],
      );
      // Every event must match its published contract, or notifications could not read it.
      for (const row of rows) eventSchemas[row.type as EventType].parse(row.data);
      return rows;
    },
    restart: boot,
    async close() {
      for (const instance of instances) await instance.close();
      if (!options.kv) await kv.close();
      if (!options.bus) await bus.close();
      await db.destroy();
    },
  };
}

export const passengers = (n: number) => Array.from({ length: n }, (_, i) => ({ firstName: `Ada${'abcdefghi'[i]}`, lastName: 'Lovelace' }));

export async function book(app: App, user: TestUser, body: Record<string, unknown>, key: string | null = randomUUID()) {
  return app.inject({
    method: 'POST',
    url: '/api/v1/bookings',
    headers: { ...bearer(user.token), ...(key ? { 'idempotency-key': key } : {}) },
    payload: body,
  });
}

export const goodCard = { number: '4242424242424242', expMonth: 12, expYear: 2035, cvc: '123' };

export async function pay(app: App, user: TestUser, bookingId: string, body: Record<string, unknown>, key: string | null = randomUUID()) {
  return app.inject({
    method: 'POST',
    url: `/api/v1/bookings/${bookingId}/payments`,
    headers: { ...bearer(user.token), ...(key ? { 'idempotency-key': key } : {}) },
    payload: body,
  });
}

export { mintUser };
