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
import { userKeys } from './app.js';
import { startGateway } from './main.js';

// Server mode: one gateway process against the real PostgreSQL, Redis and RabbitMQ.
const config = loadConfigOrExit(() => {
  const parsed = loadConfig(process.env);
  userKeys(parsed); // the signing key is required here: say so before connecting to anything
  return parsed;
});
const logger = createLogger({ name: 'gateway', level: config.LOG_LEVEL });
const db = await createDb({ ...dbSettingsOf(config), logger, applicationName: 'gateway' });
const kv = createKv({ ...kvSettingsOf(config), logger });
const bus = createBus({ amqpUrl: config.AMQP_URL, logger });
const service = await startGateway({ config, db, kv, bus, logger });
logger.info({ url: service.url }, 'gateway listening');

onShutdownSignal(logger, async () => {
  await service.close();
  await bus.close();
  await kv.close();
  await db.close();
});
