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
import { startNotifications } from './main.js';

// Server mode: one notifications process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => loadConfig(process.env));
const logger = createLogger({ name: 'notifications', level: config.LOG_LEVEL });
const db = await createDb({ ...dbSettingsOf(config), logger, applicationName: 'notifications' });
const kv = createKv({ ...kvSettingsOf(config), logger });
const bus = createBus({ amqpUrl: config.AMQP_URL, logger });
const service = await startNotifications({ config, db, kv, bus, logger });
logger.info({ url: service.url }, 'notifications listening');

onShutdownSignal(logger, async () => {
  // The bus first: it stops taking messages and lets the sends in flight finish and ack while the
  // mail transport is still open; then HTTP and the transport.
  await bus.close();
  await service.close();
  await kv.close();
  await db.close();
});
