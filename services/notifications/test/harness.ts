import { randomUUID } from 'node:crypto';
import type { BookingSnapshot, EventData, EventEnvelope, EventType } from '@aerofly/contracts';
import { createMemoryKv, type Bus, type Db } from '@aerofly/platform';
import { createTestDb, silentLogger, testKeys } from '@aerofly/testing';
import { createNotificationsServiceFrom, type NotificationsDeps } from '../src/app.js';
import { loadConfig } from '../src/config.js';
import { createMailer } from '../src/emails/mailer.js';
import { migrations, schema } from '../src/main.js';
import { subscribeEmailConsumer } from '../src/notifications/notifications.consumer.js';

export const createNotificationsDb = () => createTestDb([{ schema, migrations: migrations() }]);

let counter = 0;

/** A confirmed two-segment booking over a DST change, with seats for every passenger. */
export function confirmedBooking(overrides: Partial<BookingSnapshot> = {}): BookingSnapshot {
  counter += 1;
  return {
    bookingId: randomUUID(),
    reference: `R${String(counter).padStart(5, '0')}`,
    status: 'CONFIRMED',
    userId: randomUUID(),
    contactEmail: `traveller${counter}@example.com`,
    cabin: 'economy',
    passengers: [
      { firstName: 'Ada', lastName: 'Lovelace' },
      { firstName: 'Grace', lastName: 'Hopper' },
    ],
    segments: [
      {
        flightId: randomUUID(),
        flightNumber: 'AF101',
        from: 'CDG',
        to: 'LHR',
        // 01:30 in Paris on the night clocks go forward (CET, UTC+1): 00:30 UTC.
        departureAt: '2026-03-29T00:30:00.000Z',
        arrivalAt: '2026-03-29T01:45:00.000Z',
        departureLocal: '2026-03-29T01:30:00',
        arrivalLocal: '2026-03-29T02:45:00',
        departureTimeZone: 'Europe/Paris',
        arrivalTimeZone: 'Europe/London',
        durationMinutes: 75,
        cabin: 'economy',
        fare: { amount: 30_000, currency: 'USD' },
        seats: [
          { passenger: 1, seat: '12B' },
          { passenger: 0, seat: '12A' },
        ],
      },
      {
        flightId: randomUUID(),
        flightNumber: 'AF202',
        from: 'LHR',
        to: 'JFK',
        departureAt: '2026-03-29T10:00:00.000Z',
        arrivalAt: '2026-03-29T18:05:00.000Z',
        departureLocal: '2026-03-29T11:00:00',
        arrivalLocal: '2026-03-29T14:05:00',
        departureTimeZone: 'Europe/London',
        arrivalTimeZone: 'America/New_York',
        durationMinutes: 485,
        cabin: 'economy',
        fare: { amount: 31_728, currency: 'USD' },
        seats: [
          { passenger: 0, seat: '31C' },
          { passenger: 1, seat: '31D' },
        ],
      },
    ],
    totalPrice: { amount: 123_456, currency: 'USD' },
    expiresAt: '2026-03-01T10:05:00.000Z',
    createdAt: '2026-03-01T10:00:00.000Z',
    payment: { id: randomUUID(), amount: { amount: 123_456, currency: 'USD' }, brand: 'visa', last4: '4242' },
    ...overrides,
  };
}

export function eventOf<T extends EventType>(type: T, data: EventData<T>): EventEnvelope<EventData<T>> {
  return { id: randomUUID(), type, version: 1, occurredAt: '2026-03-01T10:01:00.000Z', data };
}

export type ConsumerOptions = {
  smtpUrl: string;
  maxAttempts?: number;
  retryDelaysMs?: number[];
  prefetch?: number;
  smtpTimeoutMs?: number;
};

export function testConfig(options: Partial<ConsumerOptions> & { env?: Record<string, string> } = {}) {
  return loadConfig({
    NODE_ENV: 'test',
    LOG_LEVEL: 'silent',
    PUBLIC_URL: 'https://aerofly.example',
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    // Long enough that a slow machine never times out a send the sink has already accepted (that would send twice).
    SMTP_TIMEOUT_MS: String(options.smtpTimeoutMs ?? 20_000),
    EMAIL_MAX_ATTEMPTS: String(options.maxAttempts ?? 8),
    EMAIL_RETRY_DELAYS_MS: (options.retryDelaysMs ?? [50, 100, 200, 300]).join(','),
    EMAIL_PREFETCH: String(options.prefetch ?? 16),
    ...options.env,
  });
}

/** One notifications instance's consumer on the given bus, as `startNotifications` wires it. */
export async function startEmailConsumer(bus: Bus, db: Db, options: ConsumerOptions) {
  const config = testConfig(options);
  const mailer = createMailer({ smtpUrl: options.smtpUrl, from: config.MAIL_FROM, timeoutMs: config.SMTP_TIMEOUT_MS });
  const deps: NotificationsDeps = { config, db, kv: createMemoryKv(), bus, logger: silentLogger, clock: { now: () => new Date() }, mailer };
  const service = createNotificationsServiceFrom(deps);
  await subscribeEmailConsumer(bus, service, {
    maxAttempts: config.EMAIL_MAX_ATTEMPTS,
    retryDelaysMs: config.EMAIL_RETRY_DELAYS_MS,
    prefetch: config.EMAIL_PREFETCH,
  });
  return { service, deps, close: () => mailer.close() };
}

/** Rows of the notifications table by status, for assertions. */
export async function statusCounts(db: Db): Promise<Record<string, number>> {
  const { rows } = await db.query<{ status: string; count: number }>(
    'SELECT status, count(*)::int AS count FROM notifications.notifications GROUP BY status',
  );
  return Object.fromEntries(rows.map((row) => [row.status, row.count]));
}
