import type { EventEnvelope } from '@aerofly/contracts';
import { createEvent, systemClock } from '@aerofly/platform';
import { bearer, createTestBus, createTestDb, createTestKv, mintUser, silentLogger, testKeys, waitFor } from '@aerofly/testing';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from './config.js';
import { createFakeHolds } from './holds/holds.fake.js';
import { migrations, startBookings, type RunningService } from './main.js';

const db = await createTestDb([{ schema: 'bookings', migrations: migrations() }]);
const kv = createTestKv();
const bus = createTestBus();
const holds = createFakeHolds({ clock: systemClock });
const seen: EventEnvelope[] = [];
let service: RunningService;

beforeAll(async () => {
  await bus.subscribe({ queue: `test.bookings-events.${randomUUID().slice(0, 8)}`, topics: ['booking.*'] }, async (event) => {
    seen.push(event);
  });
  const config = loadConfig({
    JWT_PUBLIC_KEY: testKeys.user.publicKeyPem,
    SERVICE_PUBLIC_KEY: testKeys.service.publicKeyPem,
    SERVICE_PRIVATE_KEY: testKeys.service.privateKeyPem,
    LOG_LEVEL: 'silent',
    BOOKING_HOLD_SECONDS: '10',
    SWEEPER_INTERVAL_MS: '100',
  });
  service = await startBookings({ config, db, kv, bus, logger: silentLogger, holds: holds.client, port: 0 });
});
afterAll(async () => {
  await service.close();
  await bus.close();
  await kv.close();
  await db.destroy();
});

describe('the running bookings service', () => {
  it('when a booking is made over HTTP, then booking.created reaches the bus through the outbox', async () => {
    const flightId = holds.addFlight({ capacity: 3, departureAt: '2099-01-01T08:00:00.000Z', arrivalAt: '2099-01-01T10:00:00.000Z' });
    const user = await mintUser();
    const answer = await fetch(`${service.url}/api/v1/bookings`, {
      method: 'POST',
      headers: { ...bearer(user.token), 'content-type': 'application/json', 'idempotency-key': randomUUID() },
      body: JSON.stringify({ flightIds: [flightId], cabin: 'economy', passengers: [{ firstName: 'Grace', lastName: 'Hopper' }] }),
    });
    expect(answer.status).toBe(201);
    const booking = (await answer.json()) as { id: string };
    await waitFor(() => seen.some((e) => e.type === 'booking.created' && (e.data as { bookingId: string }).bookingId === booking.id), {
      what: 'booking.created on the bus',
    });
  });

  it('when flight.cancelled arrives on the bus, then the booking is cancelled and booking.cancelled published', async () => {
    const flightId = holds.addFlight({ capacity: 3, departureAt: '2099-01-01T08:00:00.000Z', arrivalAt: '2099-01-01T10:00:00.000Z' });
    const user = await mintUser();
    const answer = await service.app.inject({
      method: 'POST',
      url: '/api/v1/bookings',
      headers: { ...bearer(user.token), 'idempotency-key': randomUUID() },
      payload: { flightIds: [flightId], cabin: 'economy', passengers: [{ firstName: 'Grace', lastName: 'Hopper' }] },
    });
    const booking = answer.json<{ id: string }>();
    await bus.publish(
      createEvent('flight.cancelled', {
        flightId,
        flightNumber: 'AF1',
        departureAt: '2099-01-01T08:00:00.000Z',
        cancelledAt: new Date().toISOString(),
      }),
    );
    await waitFor(() => seen.some((e) => e.type === 'booking.cancelled' && (e.data as { bookingId: string }).bookingId === booking.id), {
      what: 'booking.cancelled on the bus',
    });
    expect(holds.releaseCount(booking.id)).toBe(1);
  });
});
