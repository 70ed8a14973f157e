import type { App } from './http/app.js';
import { createBus, type Bus } from './bus/index.js';
import { createDb, dbSettingsOf, type Db } from './db/index.js';
import { createKv, kvSettingsOf, type Kv } from './kv/index.js';
import { onShutdownSignal } from './lifecycle.js';
import { createLogger, type Logger } from './logger.js';

/** A started service: its HTTP app and address, and how to stop it (HTTP, loops, consumers). */
export type RunningService = { app: App; url: string; close(): Promise<void> };

type ServerSettings = Parameters<typeof dbSettingsOf>[0] &
  Parameters<typeof kvSettingsOf>[0] & { LOG_LEVEL: string; AMQP_URL?: string | undefined };

/**
 * Server mode: one process of service `name` on the PostgreSQL, Redis and RabbitMQ its settings
 * name. Starts it and, on SIGTERM, closes it and then the bus, kv and database (`busFirst`: the bus
 * before the service, so consumers finish what they hold while the service's own clients are open).
 */
export async function runServerProcess<C extends ServerSettings>(
  name: string,
  config: C,
  start: (deps: { config: C; db: Db; kv: Kv; bus: Bus; logger: Logger }) => Promise<RunningService>,
  options: { busFirst?: boolean } = {},
): Promise<void> {
  const logger = createLogger({ name, level: config.LOG_LEVEL });
  const db = await createDb({ ...dbSettingsOf(config), logger, applicationName: name });
  const kv = createKv({ ...kvSettingsOf(config), logger });
  const bus = createBus({ amqpUrl: config.AMQP_URL, logger });
  const service = await start({ config, db, kv, bus, logger });
  logger.info({ url: service.url }, `${name} listening`);

  onShutdownSignal(logger, async () => {
    if (options.busFirst) await bus.close();
    await service.close();
    if (!options.busFirst) await bus.close();
    await kv.close();
    await db.close();
  });
}
