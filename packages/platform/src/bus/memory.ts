import { EventEnvelope } from '@aerofly/contracts';
import type { Logger } from '../logger.js';
import {
  type Bus,
  type DeclaredQueue,
  type EventHandler,
  type SubscribeOptions,
  defaultMaxAttempts,
  retryDelay,
  topicMatches,
} from './bus.js';

type Consumer = { options: SubscribeOptions; handlers: EventHandler[]; next: number; deadLetters: EventEnvelope[] };

/**
 * In-process bus for embedded mode. A publish resolves only after every consumer has acked the
 * event (or dead-lettered it after its attempts), so an outbox row is marked published only once
 * its effects are stored, and a restart loses nothing.
 */
export function createMemoryBus(options: { logger: Logger; retryDelaysMs?: number[]; declaredQueues?: readonly DeclaredQueue[] }): Bus {
  const consumers = new Map<string, Consumer>();
  const delays = options.retryDelaysMs ?? [100, 500, 2000, 5000];
  let closed = false;

  const deliver = async (consumer: Consumer, event: EventEnvelope) => {
    const maxAttempts = consumer.options.maxAttempts ?? defaultMaxAttempts;
    for (let attempt = 1; ;) {
      const handler = consumer.handlers[consumer.next++ % consumer.handlers.length];
      if (!handler) return;
      try {
        await handler(event, { attempt });
        return;
      } catch (error) {
        const outage = consumer.options.isOutage?.(error) ?? false;
        if (attempt >= maxAttempts && !outage) {
          consumer.deadLetters.push(event);
          options.logger.error({ err: error, queue: consumer.options.queue, eventId: event.id }, 'event dead-lettered');
          return;
        }
        options.logger.warn(
          { err: error, queue: consumer.options.queue, eventId: event.id, attempt, outage },
          'event handler failed; retrying',
        );
        await new Promise((resolve) => setTimeout(resolve, retryDelay(consumer.options.retryDelaysMs ?? delays, attempt)));
        // Shutting down mid-retry: fail the publish so the outbox keeps the event for the next start.
        if (closed) throw new Error('bus closed before the event was handled');
        if (!outage) attempt += 1;
      }
    }
  };

  return {
    kind: 'memory',
    async publish(event) {
      if (closed) throw new Error('bus closed');
      const targets = [...consumers.values()].filter((consumer) =>
        consumer.options.topics.some((topic) => topicMatches(topic, String(event.type))),
      );
      // Nothing holds an event here for a declared consumer that has not subscribed yet (RabbitMQ's
      // queue would): refuse it, so the outbox keeps it and tries again shortly.
      const waiting = (options.declaredQueues ?? []).find(
        (declared) => !consumers.has(declared.queue) && declared.topics.some((topic) => topicMatches(topic, String(event.type))),
      );
      if (waiting) throw new Error(`no consumer on ${waiting.queue} yet for ${String(event.type)}`);
      // As on RabbitMQ: the bus takes the message, and a consumer dead-letters what it cannot read.
      if (!EventEnvelope.safeParse(event).success) {
        for (const consumer of targets) consumer.deadLetters.push(structuredClone(event));
        options.logger.error({ eventId: event.id, type: event.type }, 'malformed event dead-lettered');
        return;
      }
      // A structured clone keeps consumers from sharing objects with the publisher, as over a wire.
      await Promise.all(targets.map((consumer) => deliver(consumer, structuredClone(event))));
    },
    async subscribe(subscribeOptions, handler) {
      const existing = consumers.get(subscribeOptions.queue);
      if (existing) existing.handlers.push(handler);
      else consumers.set(subscribeOptions.queue, { options: subscribeOptions, handlers: [handler], next: 0, deadLetters: [] });
    },
    async replayDeadLetters(queue) {
      const consumer = consumers.get(queue);
      if (!consumer) return 0;
      // A letter that cannot be read stays dead; the rest go through the handlers again from attempt 1.
      const letters = consumer.deadLetters.splice(0);
      const readable = letters.filter((event) => EventEnvelope.safeParse(event).success);
      consumer.deadLetters.push(...letters.filter((event) => !readable.includes(event)));
      for (const event of readable) await deliver(consumer, event);
      return readable.length;
    },
    async deadLetterCount(queue) {
      return consumers.get(queue)?.deadLetters.length ?? 0;
    },
    isHealthy: () => !closed,
    async close() {
      closed = true;
      consumers.clear();
    },
  };
}
