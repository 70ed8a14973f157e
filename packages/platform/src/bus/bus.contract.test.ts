import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@aerofly/contracts';
import { createTestBus, hasServers, silentLogger, startTcpProxy, testServers, uniqueSuffix, viaProxy, waitFor } from '@aerofly/testing';
import amqp from 'amqplib';
import { afterAll, describe, expect, it } from 'vitest';
import { topicMatches, type Bus, type Delivery, type EventHandler } from './bus.js';
import { createMemoryBus } from './memory.js';
import { createRabbitBus } from './rabbitmq.js';

type Implementation = {
  name: string;
  /** Two instances of the bus as two processes would hold them, sharing one namespace. */
  create(namespace: string): Bus;
  /** Puts raw bytes on the bus as a foreign or broken publisher would. */
  publishRaw(bus: Bus, namespace: string, routingKey: string, content: string): Promise<void>;
};

const memoryBuses = new Map<string, Bus>();
const memory: Implementation = {
  name: 'in-process',
  // One process holds one in-process bus; a second "instance" in embedded mode is the same bus.
  create(namespace) {
    let bus = memoryBuses.get(namespace);
    if (!bus) {
      bus = createMemoryBus({ logger: silentLogger, retryDelaysMs: [20, 40] });
      memoryBuses.set(namespace, bus);
    }
    return bus;
  },
  async publishRaw(bus, _namespace, routingKey, content) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(content);
    } catch {
      parsed = { type: routingKey, raw: content };
    }
    await bus.publish(parsed as EventEnvelope);
  },
};
const rabbitmq: Implementation = {
  name: 'rabbitmq',
  create: (namespace) => createTestBus({ namespace }),
  async publishRaw(_bus, namespace, routingKey, content) {
    const connection = await amqp.connect(testServers.amqpUrl!);
    try {
      const channel = await connection.createConfirmChannel();
      channel.publish(`${namespace}.events`, routingKey, Buffer.from(content));
      await channel.waitForConfirms();
    } finally {
      await connection.close();
    }
  },
};

const implementations = [memory];
if (hasServers('bus contract on rabbitmq', ['rabbitmq'])) implementations.push(rabbitmq);

const event = (type: string, data: unknown = {}): EventEnvelope => ({
  id: randomUUID(),
  type,
  version: 1,
  occurredAt: new Date().toISOString(),
  data,
});

/** Records what a consumer saw; `fail` decides whether the handler throws for a delivery. */
function recorder(fail: (event: EventEnvelope, delivery: Delivery) => boolean = () => false) {
  const seen: { event: EventEnvelope; attempt: number; atMs: number }[] = [];
  const handler: EventHandler = async (received, delivery) => {
    seen.push({ event: received, attempt: delivery.attempt, atMs: performance.now() });
    if (fail(received, delivery)) throw new Error(`refusing ${received.type} attempt ${delivery.attempt}`);
  };
  return { seen, handler, ids: () => seen.map((entry) => entry.event.id) };
}

describe.each(implementations)('bus contract on $name', (implementation) => {
  const namespace = `test.${uniqueSuffix()}`;
  const bus = implementation.create(namespace);
  const others: Bus[] = [];
  afterAll(async () => {
    for (const other of others) if (other !== bus) await other.close();
    await bus.close();
  });

  it('when events are published, then each consumer gets exactly the types its topics match', async () => {
    const bookings = recorder();
    const flights = recorder();
    const everything = recorder();
    await bus.subscribe({ queue: 'routing-bookings', topics: ['booking.*'] }, bookings.handler);
    await bus.subscribe({ queue: 'routing-flights', topics: ['flight.cancelled'] }, flights.handler);
    await bus.subscribe({ queue: 'routing-all', topics: ['#'] }, everything.handler);

    const created = event('booking.created');
    const cancelled = event('flight.cancelled');
    const registered = event('user.registered');
    for (const published of [created, cancelled, registered]) await bus.publish(published);

    await waitFor(() => everything.seen.length === 3 && bookings.seen.length === 1 && flights.seen.length === 1, { what: 'routed events' });
    expect(bookings.ids()).toEqual([created.id]);
    expect(flights.ids()).toEqual([cancelled.id]);
    expect(everything.ids().sort()).toEqual([created.id, cancelled.id, registered.id].sort());
    expect(everything.seen.find((entry) => entry.event.id === created.id)?.event).toEqual(created);
  });

  it('when a handler fails once, then the same event comes again and is handled', async () => {
    const consumer = recorder((_received, delivery) => delivery.attempt === 1);
    await bus.subscribe({ queue: 'at-least-once', topics: ['booking.confirmed'], maxAttempts: 3, retryDelaysMs: [20] }, consumer.handler);
    const confirmed = event('booking.confirmed');
    await bus.publish(confirmed);
    await waitFor(() => consumer.seen.length === 2, { what: 'redelivery' });
    expect(consumer.seen.map((entry) => [entry.event.id, entry.attempt])).toEqual([
      [confirmed.id, 1],
      [confirmed.id, 2],
    ]);
    expect(await bus.deadLetterCount('at-least-once')).toBe(0);
  });

  it('when a handler keeps failing, then it is retried with growing delays, dead-lettered, and replayed on request', async () => {
    let failing = true;
    const consumer = recorder(() => failing);
    const queue = 'dead-letters';
    await bus.subscribe({ queue, topics: ['booking.expired'], maxAttempts: 3, retryDelaysMs: [60, 150] }, consumer.handler);
    const expired = event('booking.expired');
    await bus.publish(expired);

    await waitFor(async () => (await bus.deadLetterCount(queue)) === 1, { what: 'dead letter' });
    expect(consumer.seen.map((entry) => entry.attempt)).toEqual([1, 2, 3]);
    const [first, second, third] = consumer.seen.map((entry) => entry.atMs);
    // Timers may fire a little early; the second delay must be the longer one.
    expect(second! - first!).toBeGreaterThanOrEqual(50);
    expect(third! - second!).toBeGreaterThanOrEqual(140);

    failing = false;
    expect(await bus.replayDeadLetters(queue)).toBe(1);
    await waitFor(() => consumer.seen.length === 4, { what: 'replayed event' });
    expect(consumer.seen[3]).toMatchObject({ attempt: 1, event: { id: expired.id } });
    expect(await bus.deadLetterCount(queue)).toBe(0);
    expect(await bus.replayDeadLetters(queue)).toBe(0);
  });

  it('when a dependency stays away longer than the retry schedule, then the event waits for it without spending its attempts', async () => {
    class Away extends Error {}
    // Six outage failures against a budget of two attempts, then one real failure, then success.
    let outages = 6;
    const consumer = recorder((_received, delivery) => {
      if (outages > 0) {
        outages -= 1;
        throw new Away('database unreachable');
      }
      return delivery.attempt === 1;
    });
    const queue = 'outage';
    await bus.subscribe(
      { queue, topics: ['booking.paid'], maxAttempts: 2, retryDelaysMs: [20], isOutage: (error) => error instanceof Away },
      consumer.handler,
    );
    const paid = event('booking.paid');
    await bus.publish(paid);

    await waitFor(() => consumer.seen.length === 8, { what: 'outage retries, one counted failure and the success' });
    expect(consumer.seen.map((entry) => entry.attempt)).toEqual([1, 1, 1, 1, 1, 1, 1, 2]);
    expect(await bus.deadLetterCount(queue)).toBe(0);
  });

  it('when a malformed message arrives, then it is dead-lettered and the consumer keeps going', async () => {
    const consumer = recorder();
    const queue = 'malformed';
    await bus.subscribe({ queue, topics: ['booking.cancelled'], maxAttempts: 2, retryDelaysMs: [20] }, consumer.handler);
    await implementation.publishRaw(bus, namespace, 'booking.cancelled', 'this is not json');
    await implementation.publishRaw(bus, namespace, 'booking.cancelled', JSON.stringify({ type: 'booking.cancelled', id: 'not-a-uuid' }));
    const valid = event('booking.cancelled');
    await bus.publish(valid);

    await waitFor(async () => consumer.seen.length === 1 && (await bus.deadLetterCount(queue)) === 2, {
      what: 'valid event and two dead letters',
    });
    expect(consumer.ids()).toEqual([valid.id]);
    const after = event('booking.cancelled');
    await bus.publish(after);
    await waitFor(() => consumer.seen.length === 2, { what: 'next event' });
    expect(consumer.ids()).toEqual([valid.id, after.id]);
  });

  it('when two instances consume the same queue, then they share the work and each event is handled once', async () => {
    const second = implementation.create(namespace);
    others.push(second);
    const a = recorder();
    const b = recorder();
    await bus.subscribe({ queue: 'shared', topics: ['user.registered'], prefetch: 1 }, a.handler);
    await second.subscribe({ queue: 'shared', topics: ['user.registered'], prefetch: 1 }, b.handler);
    const events = Array.from({ length: 20 }, () => event('user.registered'));
    await Promise.all(events.map((published) => bus.publish(published)));

    await waitFor(() => a.seen.length + b.seen.length === 20, { what: 'all events handled' });
    expect([...a.ids(), ...b.ids()].sort()).toEqual(events.map((published) => published.id).sort());
    expect(a.seen.length).toBeGreaterThan(0);
    expect(b.seen.length).toBeGreaterThan(0);
  });
});

describe.runIf(testServers.amqpUrl !== undefined)('bus contract: RabbitMQ connection faults', () => {
  it('when the connection to the broker is cut and restored, then the bus reports it, reconnects and consumes again', async () => {
    const target = new URL(testServers.amqpUrl!);
    const proxy = await startTcpProxy({ host: target.hostname, port: Number(target.port || 5672) });
    const bus = createRabbitBus({ url: viaProxy(testServers.amqpUrl!, proxy), logger: silentLogger, namespace: `test.${uniqueSuffix()}` });
    try {
      const consumer = recorder();
      await bus.subscribe({ queue: 'reconnect', topics: ['booking.*'] }, consumer.handler);
      await bus.publish(event('booking.created'));
      await waitFor(() => consumer.seen.length === 1, { what: 'first event' });
      expect(bus.isHealthy()).toBe(true);

      proxy.cut();
      await waitFor(() => !bus.isHealthy(), { what: 'bus to notice the cut' });
      await expect(bus.publish(event('booking.created'))).rejects.toThrow();

      proxy.restore();
      await waitFor(() => bus.isHealthy(), { timeoutMs: 15_000, what: 'reconnect' });
      const afterRestore = event('booking.confirmed');
      // The consumer is re-created on the new connection shortly after the publish channel.
      await waitFor(
        async () => {
          if (!consumer.ids().includes(afterRestore.id)) await bus.publish(afterRestore).catch(() => undefined);
          return consumer.ids().includes(afterRestore.id);
        },
        { timeoutMs: 15_000, intervalMs: 200, what: 'event after reconnect' },
      );
    } finally {
      await bus.deleteTopology().catch(() => undefined);
      await bus.close();
      await proxy.close();
    }
  });
});

describe('topic patterns', () => {
  it('when patterns use * and #, then they follow AMQP topic rules', () => {
    expect(topicMatches('booking.*', 'booking.created')).toBe(true);
    expect(topicMatches('booking.*', 'booking.payment.refunded')).toBe(false);
    expect(topicMatches('booking.#', 'booking.payment.refunded')).toBe(true);
    expect(topicMatches('#', 'anything.at.all')).toBe(true);
    expect(topicMatches('*.cancelled', 'flight.cancelled')).toBe(true);
    expect(topicMatches('flight.cancelled', 'flight.created')).toBe(false);
  });
});
