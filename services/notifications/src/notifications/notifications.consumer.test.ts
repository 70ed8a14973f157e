import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@aerofly/contracts';
import { createRabbitBus, type Bus, type Db } from '@aerofly/platform';
import {
  createSmtpSink,
  createTestBus,
  hasServers,
  silentLogger,
  startTcpProxy,
  testServers,
  uniqueSuffix,
  viaProxy,
  waitFor,
  type SmtpSink,
  type TestDb,
} from '@aerofly/testing';
import amqp from 'amqplib';
import { simpleParser } from 'mailparser';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { confirmedBooking, createNotificationsDb, eventOf, startEmailConsumer, statusCounts } from '../../test/harness.js';
import { emailQueue } from './notifications.consumer.js';

const onRabbit = testServers.amqpUrl !== undefined;
const settle = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

let db: TestDb;
let sink: SmtpSink;
const cleanups: (() => Promise<void> | void)[] = [];

beforeAll(async () => {
  db = await createNotificationsDb();
  sink = await createSmtpSink();
});
afterEach(async () => {
  // Newest first: consumers and buses before the things they use.
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  sink.failWith(undefined);
  await sink.start();
  sink.clear();
  await db.query('DELETE FROM notifications.notifications');
});
afterAll(async () => {
  await sink?.close();
  await db?.destroy();
});

/**
 * A bus "instance" as one notifications process would hold it. On RabbitMQ every call opens its
 * own connection under one throwaway namespace per test; the in-process bus is one per process.
 */
function busFactory() {
  const namespace = `test.${uniqueSuffix()}`;
  let memory: Bus | undefined;
  const create = (): Bus => {
    if (!onRabbit && memory) return memory;
    const bus = createTestBus({ namespace });
    if (!onRabbit) memory = bus;
    cleanups.push(() => bus.close());
    return bus;
  };
  return { namespace, create };
}

async function consumer(bus: Bus, options: { maxAttempts?: number; retryDelaysMs?: number[] } = {}) {
  const running = await startEmailConsumer(bus, db, { smtpUrl: sink.url, ...options });
  cleanups.push(running.close);
  return running;
}

/** In-process publishes resolve after the consumer is done; never let that block a test's flow. */
const publishAll = (bus: Bus, events: EventEnvelope[]) => Promise.all(events.map((event) => bus.publish(event)));

const messageIdOf = (event: EventEnvelope) => `<${event.id}@aerofly.local>`;

function expectExactlyOnce(events: EventEnvelope[]) {
  const ids = sink.messages.map((message) => message.messageId);
  expect(new Set(ids).size).toBe(ids.length);
  expect(ids.sort()).toEqual(events.map(messageIdOf).sort());
}

// Generous deadlines: on a loaded machine these take longer, never a different path.
describe(`email consumer on ${onRabbit ? 'RabbitMQ' : 'the in-process bus'} with a real SMTP sink`, { timeout: 90_000 }, () => {
  it('when N bookings are confirmed, then exactly N confirmation emails arrive with local times, seats, total and a calendar file', async () => {
    const { create } = busFactory();
    const bus = create();
    await consumer(bus);
    const events = Array.from({ length: 12 }, () => eventOf('booking.confirmed', confirmedBooking()));
    await publishAll(create(), events);
    await sink.waitForCount(events.length, 30_000);
    await settle(200);

    expectExactlyOnce(events);
    for (const event of events) {
      const booking = event.data;
      const [message] = sink.byMessageId(messageIdOf(event));
      if (!message) throw new Error('missing message');
      expect(message.to).toEqual([booking.contactEmail]);
      expect(message.from).toBe('no-reply@aerofly.local');
      expect(message.subject).toBe(`Your AeroFly booking ${booking.reference} is confirmed`);
      for (const part of [message.text, message.html]) {
        expect(part).toContain(booking.reference);
        expect(part).toContain('Ada Lovelace');
        expect(part).toContain('Grace Hopper');
        expect(part).toContain('Sun 29 Mar 2026, 01:30');
        expect(part).toContain('Europe/Paris');
        expect(part).toContain('Sun 29 Mar 2026, 14:05');
        expect(part).toContain('America/New_York');
        expect(part).toContain('$1,234.56');
        expect(part).toContain('12A');
        expect(part).toContain('31D');
      }
      expect(message.text).toContain('Seats: Ada Lovelace 12A, Grace Hopper 12B\n');
      expect(message.text).toContain('Seats: Ada Lovelace 31C, Grace Hopper 31D\n');

      const calendar = message.attachments.find((attachment) => attachment.contentType === 'text/calendar');
      expect(calendar?.filename).toBe(`${booking.reference}.ics`);
      // Long lines are folded (RFC 5545 §3.1): unfold before reading.
      const ics = (calendar?.content.toString('utf8') ?? '').replace(/\r\n /g, '');
      expect(ics.match(/BEGIN:VEVENT/g)).toHaveLength(2);
      expect(ics).toContain('DTSTART:20260329T003000Z');
      expect(ics).toContain('DTEND:20260329T014500Z');
      expect(ics).toContain('DTSTART:20260329T100000Z');
      expect(ics).toContain('DTEND:20260329T180500Z');
      expect(ics).toContain(`UID:${booking.bookingId}-${booking.segments[0]?.flightId}@aerofly.local`);

      // The raw message parses as a standards-conforming email too.
      const parsed = await simpleParser(message.raw);
      expect(parsed.messageId).toBe(messageIdOf(event));
    }
    expect(await statusCounts(db)).toEqual({ SENT: events.length });
  });

  it('when the same event arrives again, also at the same moment, then one email is sent and the redeliveries are acked', async () => {
    const { create } = busFactory();
    const bus = create();
    await consumer(bus);
    const events = Array.from({ length: 6 }, () => eventOf('booking.confirmed', confirmedBooking()));
    // Each event three times: two copies at once, a third after the first is done.
    await publishAll(bus, [...events, ...events]);
    await sink.waitForCount(events.length, 30_000);
    await publishAll(bus, events);
    await settle(onRabbit ? 500 : 50);

    expectExactlyOnce(events);
    expect(await statusCounts(db)).toEqual({ SENT: events.length });
    expect(await bus.deadLetterCount(emailQueue)).toBe(0);
  });

  it('when two notifications instances consume at once and every event is published twice, then each event gives exactly one email', async () => {
    const { create } = busFactory();
    const first = create();
    const second = create();
    await consumer(first);
    await consumer(second);
    const events = Array.from({ length: 30 }, () => eventOf('booking.confirmed', confirmedBooking()));
    const publisher = create();
    await publishAll(publisher, [...events, ...events]);
    await sink.waitForCount(events.length, 20_000);
    // Duplicates that lost the race wait for a retry and then find the email sent.
    await waitFor(async () => (await statusCounts(db))['SENT'] === events.length, { timeoutMs: 10_000 });
    await settle(onRabbit ? 800 : 100);

    expectExactlyOnce(events);
    const { rows } = await db.query<{ attempts: number }>('SELECT attempts FROM notifications.notifications');
    expect(rows.every((row) => row.attempts === 1)).toBe(true);
  });

  it('when the SMTP server is down for a while, then every email arrives after it returns, none twice, and none is marked failed', async () => {
    const { create } = busFactory();
    const bus = create();
    // Enough attempts to outlast the outage (about 9 s of retries) even when the machine is slow.
    await consumer(bus, { maxAttempts: 30, retryDelaysMs: [50, 100, 200, 300] });
    await sink.stop();
    const events = Array.from({ length: 8 }, () => eventOf('booking.confirmed', confirmedBooking()));
    const publishing = publishAll(bus, events);
    // Every event has failed at least once against the closed port before the server comes back.
    await waitFor(
      async () => {
        const { rows } = await db.query<{ failed: number }>(
          'SELECT count(*)::int AS failed FROM notifications.notifications WHERE last_error IS NOT NULL',
        );
        return rows[0]?.failed === events.length;
      },
      { timeoutMs: 30_000 },
    );
    expect(sink.messages).toHaveLength(0);
    await sink.start();
    await publishing;
    await sink.waitForCount(events.length, 30_000);
    await settle(200);

    expectExactlyOnce(events);
    expect(await statusCounts(db)).toEqual({ SENT: events.length });
    const { rows } = await db.query<{ attempts: number; lastError: string | null }>(
      'SELECT attempts, last_error AS "lastError" FROM notifications.notifications',
    );
    expect(rows.every((row) => row.attempts >= 2 && row.lastError === null)).toBe(true);
  });

  it('when the database is away for longer than the retry schedule, then the emails wait for it: sent once each, none dead-lettered', async () => {
    const { create } = busFactory();
    const bus = create();
    // The consumer's database refuses connections, as pg reports it, while `away` is set.
    let away = true;
    let refused = 0;
    const refuse = () => {
      refused += 1;
      return Promise.reject(Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }));
    };
    const flaky: Db = {
      ...db,
      kind: db.kind,
      query: (text, params) => (away ? refuse() : db.query(text, params)),
      transaction: (fn) => (away ? refuse() : db.transaction(fn)),
    };
    const running = await startEmailConsumer(bus, flaky, { smtpUrl: sink.url, maxAttempts: 2, retryDelaysMs: [30] });
    cleanups.push(running.close);
    const events = Array.from({ length: 3 }, () => eventOf('booking.confirmed', confirmedBooking()));
    const publishing = publishAll(bus, events);
    // Each event has failed four times over, against a budget of two attempts.
    await waitFor(() => refused >= events.length * 4, { timeoutMs: 20_000, what: 'deliveries refused by the database' });
    away = false;
    await publishing;
    await sink.waitForCount(events.length, 30_000);
    await settle(onRabbit ? 500 : 50);

    expectExactlyOnce(events);
    expect(await statusCounts(db)).toEqual({ SENT: events.length });
    expect(await bus.deadLetterCount(emailQueue)).toBe(0);
  });

  it('when sending keeps failing, then the notification is marked failed with the error, dead-lettered, and sent once after a replay', async () => {
    const { create } = busFactory();
    const bus = create();
    await consumer(bus, { maxAttempts: 3, retryDelaysMs: [20, 40] });
    sink.failWith(451, 'Mailbox temporarily unavailable');
    const event = eventOf('booking.confirmed', confirmedBooking());
    await bus.publish(event);
    await waitFor(async () => (await bus.deadLetterCount(emailQueue)) === 1, { timeoutMs: 30_000 });

    const { rows } = await db.query<{ status: string; attempts: number; lastError: string }>(
      'SELECT status, attempts, last_error AS "lastError" FROM notifications.notifications WHERE event_id = $1',
      [event.id],
    );
    expect(rows[0]).toMatchObject({ status: 'FAILED', attempts: 3 });
    expect(rows[0]?.lastError).toContain('451');
    expect(sink.messages).toHaveLength(0);

    sink.failWith(undefined);
    expect(await bus.replayDeadLetters(emailQueue)).toBe(1);
    await sink.waitForCount(1, 30_000);
    await settle(onRabbit ? 300 : 20);
    expectExactlyOnce([event]);
    expect(await statusCounts(db)).toEqual({ SENT: 1 });
    expect(await bus.deadLetterCount(emailQueue)).toBe(0);
  });

  it('when a poison message arrives, then it lands in the dead-letter queue and the next messages still flow', async () => {
    const { create, namespace } = busFactory();
    const bus = create();
    await consumer(bus, { maxAttempts: 3, retryDelaysMs: [20, 40] });
    const before = eventOf('booking.confirmed', confirmedBooking());
    // A valid envelope whose booking has no reference and a broken e-mail address: never sendable.
    const broken = {
      ...eventOf('booking.confirmed', confirmedBooking()),
      data: { bookingId: 'x', contactEmail: 'not-an-email' },
    } as EventEnvelope;
    const after = Array.from({ length: 5 }, () => eventOf('booking.confirmed', confirmedBooking()));

    await bus.publish(before);
    if (onRabbit) {
      // Bytes that are not even JSON, as a broken publisher would send them.
      const connection = await amqp.connect(testServers.amqpUrl ?? '');
      const channel = await connection.createConfirmChannel();
      channel.publish(`${namespace}.events`, 'booking.confirmed', Buffer.from('{"id": not json'));
      await channel.waitForConfirms();
      await connection.close();
    } else {
      await bus.publish({ type: 'booking.confirmed', raw: '{"id": not json' } as unknown as EventEnvelope);
    }
    await Promise.all([bus.publish(broken), publishAll(bus, after)]);

    await sink.waitForCount(1 + after.length, 30_000);
    await waitFor(async () => (await bus.deadLetterCount(emailQueue)) === 2, { timeoutMs: 30_000 });
    await settle(100);
    expectExactlyOnce([before, ...after]);
    expect(await statusCounts(db)).toEqual({ SENT: 1 + after.length });
  });

  it('when every kind of event arrives, then each gets its own email and booking.created gets none', async () => {
    const { create } = busFactory();
    const bus = create();
    await consumer(bus);
    const booking = confirmedBooking();
    const events = [
      eventOf('user.registered', { userId: randomUUID(), email: 'new@example.com', name: 'Katherine <Johnson>' }),
      eventOf('booking.cancelled', {
        ...booking,
        status: 'CANCELLED',
        reason: 'flight_cancelled',
        refund: { amount: 123_456, currency: 'USD' },
      }),
      eventOf('booking.cancelled', { ...booking, status: 'CANCELLED', reason: 'customer', refund: null, payment: null }),
      eventOf('booking.expired', { ...booking, status: 'EXPIRED', payment: null }),
      eventOf('booking.payment_refunded', {
        ...booking,
        status: 'EXPIRED',
        refund: { amount: 123_456, currency: 'USD' },
        reason: 'The hold ended before the payment went through',
      }),
    ];
    await publishAll(bus, [eventOf('booking.created', { ...booking, status: 'PENDING' }), ...events]);
    await sink.waitForCount(events.length, 30_000);
    await settle(onRabbit ? 300 : 20);
    expectExactlyOnce(events);

    const byEvent = (event: EventEnvelope) => sink.byMessageId(messageIdOf(event))[0];
    const [welcome, airline, customer, expired, refunded] = events.map(byEvent);
    expect(welcome?.subject).toBe('Welcome to AeroFly, Katherine <Johnson>');
    expect(welcome?.html).toContain('Katherine &lt;Johnson&gt;');
    expect(welcome?.html).not.toContain('<Johnson>');
    expect(airline?.subject).toBe(`Your flight was cancelled: booking ${booking.reference}`);
    expect(airline?.text).toContain('had to cancel a flight');
    expect(airline?.text).toContain('A refund of $1,234.56 to your visa card ending 4242 is on its way');
    expect(customer?.subject).toBe(`Your AeroFly booking ${booking.reference} is cancelled`);
    expect(customer?.text).toContain('No payment was taken');
    expect(expired?.text).toContain('The seats are released');
    expect(expired?.text).toContain('https://aerofly.example/?from=CDG&to=JFK&date=2026-03-29&passengers=2&cabin=economy');
    expect(refunded?.subject).toBe(`Refund of $1,234.56 for AeroFly booking ${booking.reference}`);
    expect(refunded?.text).toContain('The hold ended before the payment went through');
  });
});

describe.skipIf(!hasServers('email consumer broker cut', ['rabbitmq']))(
  'email consumer when the broker connection is cut (RabbitMQ through a TCP proxy)',
  { timeout: 90_000 },
  () => {
    it('when the connection drops in the middle of a stream of confirmations, then no email is lost and none is sent twice', async () => {
      const amqpUrl = testServers.amqpUrl ?? '';
      const namespace = `test.${uniqueSuffix()}`;
      const proxy = await startTcpProxy({ host: new URL(amqpUrl).hostname, port: Number(new URL(amqpUrl).port || 5672) });
      const consumingBus = createRabbitBus({ url: viaProxy(amqpUrl, proxy), logger: silentLogger, namespace });
      cleanups.push(async () => {
        await consumingBus.deleteTopology().catch(() => undefined);
        await consumingBus.close();
        await proxy.close();
      });
      await consumer(consumingBus, { retryDelaysMs: [50, 100, 200] });
      const publisher = createTestBus({ namespace });
      cleanups.push(() => publisher.close());

      const events = Array.from({ length: 60 }, () => eventOf('booking.confirmed', confirmedBooking()));
      for (const [index, event] of events.entries()) {
        await publisher.publish(event);
        if (index === 20) {
          await waitFor(() => sink.messages.length >= 5, { timeoutMs: 30_000 });
          proxy.cut();
          await settle(300);
          expect(consumingBus.isHealthy()).toBe(false);
        }
        if (index === 40) proxy.restore();
      }
      await sink.waitForCount(events.length, 30_000);
      await waitFor(async () => (await statusCounts(db))['SENT'] === events.length, { timeoutMs: 10_000 });
      await settle(1000);

      expectExactlyOnce(events);
      expect(await publisher.deadLetterCount(emailQueue)).toBe(0);
    });
  },
);
