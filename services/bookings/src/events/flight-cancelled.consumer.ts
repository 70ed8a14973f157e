import { randomUUID } from 'node:crypto';
import { consumerQueues, parseEvent, type EventEnvelope } from '@aerofly/contracts';
import { createEvent, isConnectionError, writeOutbox, type Bus, type Clock, type Db, type Logger } from '@aerofly/platform';
import { bookingsRepository, paymentsRepository, type BookingRecord, type RefundRecord } from '../bookings/bookings.repository.js';
import { toSnapshot } from '../bookings/bookings.views.js';
import type { Settlement } from '../bookings/settlement.js';

export const flightCancelledQueue = consumerQueues.flightCancelled.queue;

/**
 * `flight.cancelled`: every booking on the flight is cancelled once (the compare-and-swap on its
 * status), refunded when paid, its owner told through `booking.cancelled`. The inbox row goes in
 * the same transaction, once nothing is left: a booking mid-payment is settled first, so the
 * event is retried (bus backoff) until those are decided.
 */
export function createFlightCancelledHandler(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  settlement: Settlement;
  afterCommit: () => void;
}) {
  return async function handle(event: EventEnvelope): Promise<void> {
    const data = parseEvent('flight.cancelled', event);
    const now = deps.clock.now();
    const outcome = await deps.db.transaction(async (tx) => {
      const seen = await tx.query(`SELECT 1 FROM bookings.inbox WHERE consumer = $1 AND event_id = $2`, [flightCancelledQueue, event.id]);
      if (seen.rowCount > 0) return { cancelled: [] as string[], refunds: [] as RefundRecord[], paying: 0 };
      const active = await bookingsRepository.activeOnFlight(tx, data.flightId);
      const cancelled: string[] = [];
      const refunds: RefundRecord[] = [];
      for (const booking of active) {
        if (booking.status === 'PAYING') continue;
        if (!(await bookingsRepository.cancel(tx, booking.id, booking.status, 'flight_cancelled', now))) continue;
        const payment = booking.status === 'CONFIRMED' ? await paymentsRepository.findLive(tx, booking.id) : null;
        const refund = payment
          ? await paymentsRepository.insertRefund(tx, { id: randomUUID(), payment, reason: 'flight_cancelled', now })
          : null;
        if (refund) refunds.push(refund);
        const record = (await bookingsRepository.findById(tx, booking.id)) as BookingRecord;
        await writeOutbox(tx, 'bookings', [
          createEvent(
            'booking.cancelled',
            { ...toSnapshot(record), reason: 'flight_cancelled', refund: refund?.amount ?? null },
            deps.clock,
          ),
        ]);
        cancelled.push(booking.id);
      }
      const paying = active.filter((b) => b.status === 'PAYING').length;
      if (paying === 0) {
        await tx.query(`INSERT INTO bookings.inbox (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING`, [
          flightCancelledQueue,
          event.id,
        ]);
      }
      return { cancelled, refunds, paying };
    });
    if (outcome.cancelled.length > 0) deps.afterCommit();
    for (const id of outcome.cancelled)
      await deps.settlement.tryLater('release after flight cancelled', id, () => deps.settlement.releaseSeats(id));
    for (const refund of outcome.refunds) {
      await deps.settlement.tryLater('refund after flight cancelled', refund.bookingId, () => deps.settlement.refund(refund));
    }
    deps.logger.info(
      { flightId: data.flightId, cancelled: outcome.cancelled.length, paying: outcome.paying },
      'flight cancelled: bookings cancelled',
    );
    if (outcome.paying > 0)
      throw new Error(`${outcome.paying} bookings on flight ${data.flightId} are mid-payment; retrying once they settle`);
  };
}

export async function subscribeFlightCancelled(bus: Bus, handle: (event: EventEnvelope) => Promise<void>) {
  await bus.subscribe(
    {
      queue: flightCancelledQueue,
      topics: [...consumerQueues.flightCancelled.topics],
      maxAttempts: 8,
      retryDelaysMs: [1000, 5000, 15_000, 30_000, 60_000],
      // A database outage waits for the database; only the work's own failures count towards the dead-letter queue.
      isOutage: isConnectionError,
    },
    handle,
  );
}
