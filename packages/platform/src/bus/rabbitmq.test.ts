import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@aerofly/contracts';
import { hasServers, silentLogger, testServers, uniqueSuffix, waitFor } from '@aerofly/testing';
import amqp from 'amqplib';
import { describe, expect, it } from 'vitest';
import { createRabbitBus } from './rabbitmq.js';

const event = (type: string): EventEnvelope => ({ id: randomUUID(), type, version: 1, occurredAt: new Date().toISOString(), data: {} });

// Edge cases of the RabbitMQ bus beyond the shared contract (bus.contract.test.ts).
describe.skipIf(!hasServers('rabbitmq bus edge cases', ['rabbitmq']))('RabbitMQ bus edge cases', () => {
  const url = testServers.amqpUrl ?? '';

  it('when dead letters are replayed for a consumer that never existed, then nothing moves and nothing fails', async () => {
    const bus = createRabbitBus({ url, logger: silentLogger, namespace: `test.${uniqueSuffix()}` });
    try {
      expect(await bus.replayDeadLetters('nobody')).toBe(0);
      expect(await bus.deadLetterCount('nobody')).toBe(0);
      expect(bus.isHealthy()).toBe(true);
    } finally {
      await bus.deleteTopology().catch(() => undefined);
      await bus.close();
    }
  });

  it('when a message carries a damaged attempt header, then it is handled as a first attempt instead of vanishing', async () => {
    const namespace = `test.${uniqueSuffix()}`;
    const bus = createRabbitBus({ url, logger: silentLogger, namespace });
    const attempts: number[] = [];
    try {
      await bus.subscribe({ queue: 'headers', topics: ['booking.*'], maxAttempts: 2, retryDelaysMs: [20] }, async (_event, delivery) => {
        attempts.push(delivery.attempt);
        if (delivery.attempt === 1) throw new Error('first attempt fails');
      });
      const connection = await amqp.connect(url);
      try {
        const channel = await connection.createConfirmChannel();
        for (const header of ['garbage', -3, 2.5]) {
          channel.publish(`${namespace}.events`, 'booking.created', Buffer.from(JSON.stringify(event('booking.created'))), {
            headers: { 'x-attempt': header },
          });
        }
        await channel.waitForConfirms();
      } finally {
        await connection.close();
      }
      // Each goes attempt 1 (fails) → retry queue → attempt 2 (succeeds).
      await waitFor(() => attempts.filter((attempt) => attempt === 2).length === 3, { what: 'three second attempts' });
      expect(attempts.sort()).toEqual([1, 1, 1, 2, 2, 2]);
      expect(await bus.deadLetterCount('headers')).toBe(0);
    } finally {
      await bus.deleteTopology().catch(() => undefined);
      await bus.close();
    }
  });

  it('when an event is published before its declared consumer ever ran, then the consumer gets it once it starts', async () => {
    const namespace = `test.${uniqueSuffix()}`;
    const declaredQueues = [{ queue: 'late-starter', topics: ['booking.confirmed'] }];
    const publisher = createRabbitBus({ url, logger: silentLogger, namespace, declaredQueues });
    const consumer = createRabbitBus({ url, logger: silentLogger, namespace });
    try {
      const early = event('booking.confirmed');
      await publisher.publish(early);
      const seen: string[] = [];
      await consumer.subscribe({ queue: 'late-starter', topics: ['booking.confirmed'] }, async (received) => {
        seen.push(received.id);
      });
      await waitFor(() => seen.length === 1, { what: 'the event published before the consumer existed' });
      expect(seen).toEqual([early.id]);
      // Without the declaration the broker drops what nobody is bound to.
      const undeclared = event('booking.expired');
      await publisher.publish(undeclared);
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(seen).toEqual([early.id]);
    } finally {
      await consumer.deleteTopology().catch(() => undefined);
      await consumer.close();
      await publisher.close();
    }
  });
});
