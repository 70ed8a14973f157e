import { randomUUID } from 'node:crypto';
import {
  bearer,
  createSmtpSink,
  createTestKv,
  mintUser,
  silentLogger,
  testKeys,
  waitFor,
  type SmtpSink,
  type TestUser,
} from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../services/notifications/src/config.js';
import { startNotifications, type RunningService } from '../../services/notifications/src/main.js';
import { startSystem, type System } from './system-harness.js';

let system: System;
let notifications: RunningService;
let sink: SmtpSink;

beforeAll(async () => {
  system = await startSystem();
  sink = await createSmtpSink();
  notifications = await startNotifications({
    config: loadConfig({
      LOG_LEVEL: 'silent',
      SMTP_URL: sink.url,
      NOTIFICATIONS_PORT: '0',
      PUBLIC_URL: 'https://aerofly.example',
      JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
      SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
      EMAIL_RETRY_DELAYS_MS: '100,200,400',
    }),
    db: system.db,
    kv: createTestKv(),
    bus: system.bus,
    logger: silentLogger,
  });
});
afterAll(async () => {
  await notifications?.close();
  await system?.close();
  await sink?.close();
});

const departure = { departureAt: '2099-07-01T12:00:00.000Z', arrivalAt: '2099-07-01T13:30:00.000Z' };

async function bookAndPay(user: TestUser, flightId: string, passengers: { firstName: string; lastName: string }[]) {
  const booked = await system.bookings.app.inject({
    method: 'POST',
    url: '/api/v1/bookings',
    headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
    payload: { flightIds: [flightId], cabin: 'economy', passengers },
  });
  expect(booked.statusCode).toBe(201);
  const booking = booked.json<{ id: string; reference: string; totalPrice: { amount: number; currency: string } }>();
  const paid = await system.bookings.app.inject({
    method: 'POST',
    url: `/api/v1/bookings/${booking.id}/payments`,
    headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
    payload: { card: { number: '4242424242424242', expMonth: 12, expYear: 2099, cvc: '123' }, amount: booking.totalPrice },
  });
  expect(paid.statusCode).toBe(201);
  return booking;
}

describe('bookings → outbox → bus → notifications → SMTP', () => {
  it('when travellers book and pay, then each gets exactly one confirmation with their seats, and a cancellation email with the refund', async () => {
    const flightId = await system.flight({ from: 'SEA', to: 'SFO', ...departure, rows: 4, letters: 'ABCD' });
    const users = await Promise.all(Array.from({ length: 3 }, () => mintUser()));
    const bookings = [];
    for (const user of users) bookings.push(await bookAndPay(user, flightId, [{ firstName: 'Mary', lastName: 'Jackson' }]));

    await sink.waitForCount(bookings.length, 20_000);
    for (const [index, booking] of bookings.entries()) {
      const mails = sink.messages.filter((message) => message.subject.includes(booking.reference));
      expect(mails).toHaveLength(1);
      expect(mails[0]?.to).toEqual([users[index]?.email]);
      expect(mails[0]?.text).toMatch(/Seats: Mary Jackson \d+[A-D]/);
      expect(mails[0]?.text).toContain('$120.00');
      expect(mails[0]?.attachments.map((attachment) => attachment.filename)).toEqual([`${booking.reference}.ics`]);
    }

    const [first] = bookings;
    const cancelled = await system.bookings.app.inject({
      method: 'POST',
      url: `/api/v1/bookings/${first?.id}/cancel`,
      headers: bearer(users[0]?.token ?? ''),
      payload: {},
    });
    expect(cancelled.statusCode).toBe(200);
    await waitFor(() => sink.messages.some((message) => message.subject === `Your AeroFly booking ${first?.reference} is cancelled`), {
      timeoutMs: 20_000,
    });
    const cancellation = sink.messages.find((message) => message.subject.includes('is cancelled'));
    expect(cancellation?.text).toContain('A refund of $120.00');
    const ids = sink.messages.map((message) => message.messageId);
    expect(new Set(ids).size).toBe(ids.length);
  });
});
