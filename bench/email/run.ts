/**
 * `npm run bench:email`: 1,000 booking confirmations written to an outbox, relayed to RabbitMQ with
 * publisher confirms, consumed by the notifications service and sent over SMTP to a real SMTP sink.
 * Measures the time until every email is in the sink and checks none is missing or doubled.
 * Uses AMQP_URL (default: the local broker) and DATABASE_URL (PGlite when unset).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BookingSnapshot } from '@aerofly/contracts';
import { createEvent, createMemoryKv, createOutboxRelay, createRabbitBus, writeOutbox, type RabbitBus } from '@aerofly/platform';
import { createSmtpSink, createTestDb, silentLogger, uniqueSuffix, waitFor } from '@aerofly/testing';
import { loadConfig } from '../../services/notifications/src/config.js';
import { migrations, schema, startNotifications, type RunningService } from '../../services/notifications/src/main.js';
import { describeMachine, writeResult, type ResultRow } from '../src/measure.js';

const total = Number(process.env['BENCH_EMAILS'] ?? 1000);
const amqpUrl = process.env['AMQP_URL'] || 'amqp://guest:guest@127.0.0.1:5672';
const publisherSchema = 'bench_publisher';

function booking(index: number): BookingSnapshot {
  const flightId = randomUUID();
  return {
    bookingId: randomUUID(),
    reference: `B${String(index).padStart(5, '0')}`,
    status: 'CONFIRMED',
    userId: randomUUID(),
    contactEmail: `traveller${index}@example.com`,
    cabin: 'economy',
    passengers: [
      { firstName: 'Ada', lastName: 'Lovelace' },
      { firstName: 'Alan', lastName: 'Turing' },
    ],
    segments: [
      {
        flightId,
        flightNumber: 'AF100',
        from: 'CDG',
        to: 'JFK',
        departureAt: '2026-06-01T08:00:00.000Z',
        arrivalAt: '2026-06-01T16:30:00.000Z',
        departureLocal: '2026-06-01T10:00:00',
        arrivalLocal: '2026-06-01T12:30:00',
        departureTimeZone: 'Europe/Paris',
        arrivalTimeZone: 'America/New_York',
        durationMinutes: 510,
        cabin: 'economy',
        fare: { amount: 45_000, currency: 'USD' },
        seats: [
          { passenger: 0, seat: `${10 + (index % 20)}A` },
          { passenger: 1, seat: `${10 + (index % 20)}B` },
        ],
      },
    ],
    totalPrice: { amount: 90_000, currency: 'USD' },
    expiresAt: '2026-05-01T10:05:00.000Z',
    createdAt: '2026-05-01T10:00:00.000Z',
    payment: { id: randomUUID(), amount: { amount: 90_000, currency: 'USD' }, brand: 'visa', last4: '4242' },
  };
}

async function runOnce(instances: number) {
  const db = await createTestDb([
    { schema, migrations: migrations() },
    { schema: publisherSchema, migrations: [] },
  ]);
  const sink = await createSmtpSink({ parse: false });
  const dataDir = await mkdtemp(join(tmpdir(), 'aerofly-bench-email-'));
  const namespace = `bench.${uniqueSuffix()}`;
  const buses: RabbitBus[] = [];
  const services: RunningService[] = [];
  const config = loadConfig({
    LOG_LEVEL: 'silent',
    SMTP_URL: sink.url,
    NOTIFICATIONS_PORT: '0',
    DATA_DIR: dataDir,
    EMAIL_RETRY_DELAYS_MS: '200,500,1000',
  });
  try {
    // Each instance is what one notifications process holds: its own broker connection.
    for (let i = 0; i < instances; i += 1) {
      const bus = createRabbitBus({ url: amqpUrl, logger: silentLogger, namespace });
      buses.push(bus);
      services.push(await startNotifications({ config, db, kv: createMemoryKv(), bus, logger: silentLogger }));
    }
    const publisherBus = createRabbitBus({ url: amqpUrl, logger: silentLogger, namespace });
    buses.push(publisherBus);
    await publisherBus.connected();

    // The confirmations are committed first, as bookings would have done; the clock starts when the relay does.
    const events = Array.from({ length: total }, (_, index) => createEvent('booking.confirmed', booking(index)));
    for (let offset = 0; offset < events.length; offset += 200) {
      await db.transaction((tx) => writeOutbox(tx, publisherSchema, events.slice(offset, offset + 200)));
    }
    const relay = createOutboxRelay({
      db,
      bus: publisherBus,
      schema: publisherSchema,
      logger: silentLogger,
      batchSize: 100,
      intervalMs: 20,
    });
    const startedAt = performance.now();
    relay.start();
    let relayedMs = 0;
    await waitFor(
      async () => {
        const { rows } = await db.query<{ left: number }>(
          `SELECT count(*)::int AS left FROM ${publisherSchema}.outbox WHERE published_at IS NULL`,
        );
        if (rows[0]?.left === 0 && relayedMs === 0) relayedMs = performance.now() - startedAt;
        return sink.messages.length >= total;
      },
      { timeoutMs: 600_000, intervalMs: 20, what: `${total} emails in the sink` },
    );
    const allInSinkMs = performance.now() - startedAt;
    await relay.stop();
    // Give stray duplicates a moment to show up before counting.
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const messageIds = sink.messages.map((message) => message.messageId);
    const { rows } = await db.query<{ sent: number }>(
      `SELECT count(*)::int AS sent FROM notifications.notifications WHERE status = 'SENT'`,
    );
    const expected = new Set(events.map((event) => `<${event.id}@aerofly.local>`));
    return {
      instances,
      emails: total,
      relayedMs: Math.round(relayedMs),
      allInSinkMs: Math.round(allInSinkMs),
      emailsPerSecond: Math.round((total / allInSinkMs) * 1000 * 10) / 10,
      received: messageIds.length,
      unique: new Set(messageIds).size,
      missing: [...expected].filter((id) => !messageIds.includes(id)).length,
      sentRows: rows[0]?.sent ?? 0,
    };
  } finally {
    for (const service of services) await service.close();
    await buses[0]?.deleteTopology().catch(() => undefined);
    for (const bus of buses) await bus.close();
    await sink.close();
    await db.destroy();
    await rm(dataDir, { recursive: true, force: true });
  }
}

const runs = [];
for (const instances of [1, 2]) {
  process.stdout.write(`email bench: ${total} confirmations, ${instances} notifications instance(s)…\n`);
  runs.push(await runOnce(instances));
}
const rows: ResultRow[] = runs.map((run) => ({
  setup: `${run.emails} booking.confirmed via outbox → RabbitMQ → ${run.instances} notifications instance${run.instances > 1 ? 's' : ''} → SMTP sink`,
  figures: {
    'emails/s': run.emailsPerSecond,
    'all in sink': `${(run.allInSinkMs / 1000).toFixed(1)} s`,
    'relayed in': `${(run.relayedMs / 1000).toFixed(1)} s`,
    'missing / doubled': `${run.missing} / ${run.received - run.unique}`,
  },
  target: 'every email exactly once',
  met: run.missing === 0 && run.received === run.emails && run.unique === run.emails && run.sentRows === run.emails,
}));
const result = {
  name: 'email',
  title: 'Confirmation emails: outbox → RabbitMQ → notifications → SMTP',
  finishedAt: new Date().toISOString(),
  machine: await describeMachine(process.env['DATABASE_URL']),
  rows,
  details: { database: process.env['DATABASE_URL'] ? 'postgres' : 'pglite', broker: 'rabbitmq', runs },
};
const file = writeResult(result);
process.stdout.write(`${JSON.stringify(result, null, 2)}\nwritten to ${file}\n`);
process.exit(rows.every((row) => row.met) ? 0 : 1);
