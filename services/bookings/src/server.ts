import {
  createBus,
  createDb,
  createKv,
  createLogger,
  dbSettingsOf,
  kvSettingsOf,
  loadConfigOrExit,
  onShutdownSignal,
} from '@aerofly/platform';
import { loadConfig } from './config.js';
import { startBookings } from './main.js';

// Server mode: one bookings process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => loadConfig(process.env));
const logger = createLogger({ name: 'bookings', level: config.LOG_LEVEL });
const db = await createDb({ ...dbSettingsOf(config), logger, applicationName: 'bookings' });
const kv = createKv({ ...kvSettingsOf(config), logger });
const bus = createBus({ amqpUrl: config.AMQP_URL, logger });
const service = await startBookings({ config, db, kv, bus, logger });
logger.info({ url: service.url }, 'bookings listening');

onShutdownSignal(logger, async () => {
  await service.close();
  await bus.close();
  await kv.close();
  await db.close();
});
