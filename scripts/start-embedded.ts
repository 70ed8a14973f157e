/**
 * Embedded mode (`npm start`): the four services in ONE process, sharing one PGlite database
 * (a schema each), an in-memory kv, an in-process bus and a local SMTP sink. Any of
 * DATABASE_URL, REDIS_URL (or REDIS_SENTINELS), AMQP_URL, SMTP_URL switches that part to the real server.
 */
import { mkdirSync } from 'node:fs';
import { resolve } from 'node:path';
import { createBus, createDb, createKv, createLogger, ConfigError, dbSettingsOf, kvSettingsOf } from '@aerofly/platform';
import { loadConfig as loadFlightsConfig } from '../services/flights/src/config.js';
import { startFlights } from '../services/flights/src/main.js';
import { loadConfig as loadBookingsConfig } from '../services/bookings/src/config.js';
import { startBookings } from '../services/bookings/src/main.js';
import { loadConfig as loadNotificationsConfig } from '../services/notifications/src/config.js';
import { startNotifications } from '../services/notifications/src/main.js';
import { loadConfig as loadGatewayConfig } from '../services/gateway/src/config.js';
import { startGateway } from '../services/gateway/src/main.js';
import { ensureWebBuilt } from './ensure-web-built.js';
import { ensureKeys } from './keys.js';

// The gateway serves apps/web/dist; build it on the first start (or after its sources changed).
ensureWebBuilt();
const startedAt = performance.now();
const environment: Record<string, string | undefined> = { ...process.env, EMBEDDED_MODE: 'true' };
const dataDir = resolve(environment['DATA_DIR'] ?? './data');
environment['DATA_DIR'] = dataDir;
mkdirSync(dataDir, { recursive: true });

ensureKeys(environment, dataDir);

let configs;
try {
  configs = {
    flights: loadFlightsConfig(environment),
    bookings: loadBookingsConfig(environment),
    notifications: loadNotificationsConfig(environment),
    gateway: loadGatewayConfig(environment),
  };
} catch (error) {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
    process.exit(1);
  }
  throw error;
}

const logger = createLogger({ name: 'aerofly', level: configs.gateway.LOG_LEVEL });
const db = await createDb({ ...dbSettingsOf(configs.gateway), dataDir, logger });
const kv = createKv({ ...kvSettingsOf(configs.gateway), logger });
const bus = createBus({ amqpUrl: configs.gateway.AMQP_URL, logger });
const shared = { db, kv, bus };

// Consumers first, so no event published during start-up waits for a subscriber that is late.
const notifications = await startNotifications({
  ...shared,
  config: configs.notifications,
  logger: createLogger({ name: 'notifications', level: configs.notifications.LOG_LEVEL }),
});
const flights = await startFlights({
  ...shared,
  config: configs.flights,
  logger: createLogger({ name: 'flights', level: configs.flights.LOG_LEVEL }),
});
const bookings = await startBookings({
  ...shared,
  config: configs.bookings,
  logger: createLogger({ name: 'bookings', level: configs.bookings.LOG_LEVEL }),
});
const gateway = await startGateway({
  ...shared,
  config: configs.gateway,
  logger: createLogger({ name: 'gateway', level: configs.gateway.LOG_LEVEL }),
});

const readyMs = Math.round(performance.now() - startedAt);
const publicUrl = `http://${configs.gateway.HOST === '0.0.0.0' ? 'localhost' : configs.gateway.HOST}:${configs.gateway.GATEWAY_PORT}`;
process.stdout.write(
  [
    '',
    `  AeroFly is running (embedded mode, ready in ${readyMs} ms, RSS ${Math.round(process.memoryUsage().rss / 1048576)} MB)`,
    `  Open ${publicUrl}/`,
    `  API docs ${publicUrl}/docs`,
    `  Data in ${dataDir}`,
    '',
  ].join('\n') + '\n',
);

let stopping = false;
const shutdown = async () => {
  if (stopping) return;
  stopping = true;
  logger.info('shutting down');
  await gateway.close();
  await bookings.close();
  await flights.close();
  await notifications.close();
  await bus.close();
  await kv.close();
  await db.close();
  process.exit(0);
};
process.once('SIGTERM', () => void shutdown());
process.once('SIGINT', () => void shutdown());
