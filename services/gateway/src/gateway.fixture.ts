import { createTestBus, createTestDb, createTestKv, FakeClock, silentLogger, testKeys, type TestDb } from '@aerofly/testing';
import type { Bus, Kv, Logger } from '@aerofly/platform';
import { buildApp, type GatewayApp } from './app.js';
import { loadConfig, type GatewayConfig } from './config.js';
import { migrations, schema } from './main.js';
import { createPasswords, type Passwords } from './auth/passwords.js';

/** No service listens here: a connection is refused at once. */
export const closedUpstream = 'http://127.0.0.1:9';

let sharedPasswords: Promise<Passwords> | undefined;

/** Settings a test gateway starts from; rate limits off unless a test turns them on. */
export function testConfig(overrides: Record<string, string> = {}): Readonly<GatewayConfig> {
  return loadConfig({
    JWT_PRIVATE_KEY: testKeys.user.privateKeyPem,
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    FLIGHTS_URL: closedUpstream,
    BOOKINGS_URL: closedUpstream,
    NOTIFICATIONS_URL: closedUpstream,
    RATE_LIMITS: 'off',
    WEB_DIST_DIR: '/nonexistent-aerofly-web-dist',
    LOG_LEVEL: 'silent',
    ...overrides,
  });
}

export type GatewayFixture = {
  app: GatewayApp;
  db: TestDb;
  kv: Kv;
  bus: Bus;
  clock: FakeClock;
  config: Readonly<GatewayConfig>;
  close(): Promise<void>;
};

/** A gateway app on a fresh database, ready for `app.inject`. */
export async function createGatewayFixture(
  options: { env?: Record<string, string>; kv?: Kv; db?: TestDb; logger?: Logger } = {},
): Promise<GatewayFixture> {
  const db = options.db ?? (await createTestDb([{ schema, migrations: migrations() }]));
  const kv = options.kv ?? createTestKv();
  const bus = createTestBus();
  const clock = new FakeClock(new Date());
  const config = testConfig(options.env);
  sharedPasswords ??= createPasswords();
  const app = await buildApp({ config, db, kv, bus, clock, logger: options.logger ?? silentLogger, passwords: await sharedPasswords });
  await app.ready();
  return {
    app,
    db,
    kv,
    bus,
    clock,
    config,
    async close() {
      await app.close();
      await bus.close();
      await kv.close();
      if (!options.db) await db.destroy();
    },
  };
}

let counter = 0;
/** A unique, valid sign-up body. */
export const newAccount = (overrides: Partial<{ email: string; password: string; name: string }> = {}) => {
  counter += 1;
  return {
    email: `traveller${counter}-${Math.random().toString(36).slice(2, 8)}@example.com`,
    password: 'correct horse battery',
    name: `Traveller ${counter}`,
    ...overrides,
  };
};
