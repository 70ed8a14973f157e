import { randomBytes } from 'node:crypto';
import { createMemoryBus, createMemoryKv, createRabbitBus, createRedisKv, type Bus, type Kv, type Logger } from '@aerofly/platform';
import { testServers } from './environment.js';
import { silentLogger } from './logger.js';

export const uniqueSuffix = () => randomBytes(4).toString('hex');

/** Redis under a key prefix of its own when `REDIS_URL` is set, memory otherwise. */
export function createTestKv(options: { logger?: Logger } = {}): Kv {
  if (!testServers.redisUrl) return createMemoryKv();
  return createRedisKv({
    url: testServers.redisUrl,
    logger: options.logger ?? silentLogger,
    keyPrefix: `test:${uniqueSuffix()}:`,
    commandTimeoutMs: 1000,
  });
}

/**
 * RabbitMQ under a namespace of its own (exchange and queues) when `AMQP_URL` is set, in-process
 * otherwise. Retry delays are short so tests of retries stay fast.
 */
export function createTestBus(options: { logger?: Logger; namespace?: string } = {}): Bus {
  const logger = options.logger ?? silentLogger;
  if (!testServers.amqpUrl) return createMemoryBus({ logger, retryDelaysMs: [20, 50, 100] });
  const bus = createRabbitBus({ url: testServers.amqpUrl, logger, namespace: options.namespace ?? `test.${uniqueSuffix()}` });
  const closeBus = bus.close.bind(bus);
  // The namespace is throwaway: remove its queues so test runs leave nothing behind on the shared broker.
  return Object.assign(bus, {
    async close() {
      await bus.deleteTopology().catch(() => undefined);
      await closeBus();
    },
  });
}
