import { consumerQueues } from '@aerofly/contracts';
import type { Logger } from '../logger.js';
import type { Bus, DeclaredQueue } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createRabbitBus } from './rabbitmq.js';

export * from './bus.js';
export { createMemoryBus } from './memory.js';
export { createRabbitBus, type RabbitBus } from './rabbitmq.js';

/**
 * RabbitMQ when `amqpUrl` is set, in-process otherwise. `declaredQueues` (default: AeroFly's
 * `consumerQueues`) are the consumer queues an event must never miss, even when it is published
 * before its consumer first subscribes.
 */
export function createBus(options: {
  amqpUrl?: string | undefined;
  logger: Logger;
  namespace?: string;
  declaredQueues?: readonly DeclaredQueue[];
}): Bus {
  const declaredQueues = options.declaredQueues ?? Object.values(consumerQueues);
  if (options.amqpUrl) {
    return createRabbitBus({
      url: options.amqpUrl,
      logger: options.logger,
      declaredQueues,
      ...(options.namespace ? { namespace: options.namespace } : {}),
    });
  }
  return createMemoryBus({ logger: options.logger, declaredQueues });
}
