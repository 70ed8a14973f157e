import type { Logger } from '../logger.js';
import type { Bus } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createRabbitBus } from './rabbitmq.js';

export * from './bus.js';
export { createMemoryBus } from './memory.js';
export { createRabbitBus, type RabbitBus } from './rabbitmq.js';

/** RabbitMQ when `amqpUrl` is set, in-process otherwise. */
export function createBus(options: { amqpUrl?: string | undefined; logger: Logger; namespace?: string }): Bus {
  if (options.amqpUrl) {
    return createRabbitBus({
      url: options.amqpUrl,
      logger: options.logger,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
  }
  return createMemoryBus({ logger: options.logger });
}
