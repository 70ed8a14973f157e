import { randomUUID } from 'node:crypto';
import type { PayBookingBody } from '@aerofly/contracts';
import {
  AppError,
  createEvent,
  isUniqueViolation,
  writeOutbox,
  type Clock,
  type Db,
  type Logger,
  type UserCaller,
} from '@aerofly/platform';
import { bookingsRepository, paymentsRepository, type BookingRecord } from '../bookings/bookings.repository.js';
import { toSnapshot } from '../bookings/bookings.views.js';
import type { Settlement } from '../bookings/settlement.js';
import type { HoldsClient } from '../holds/holds.client.js';
import { assertValidCard } from './card.js';
import type { PaymentProvider } from './payment-provider.js';

/**
 * Paying a booking (DESIGN.md §2 step 3), as steps with their undo:
 *
 *   1. start attempt   PENDING → PAYING (before expiresAt) + attempt row under the partial unique
 *                      index, one transaction          undo: attempt FAILED, booking PENDING/EXPIRED
 *   2. pin the hold    flights keeps the seats until the lease ends         undo: as 1
 *   3. charge          attempt id = provider idempotency key                declined: undo 1
 *                      no answer: outcome unknown, the booking stays PAYING for the reconciler
 *   4. confirm hold    seats sold in flights             hold gone: refund, booking EXPIRED
 *   5. record          attempt SUCCEEDED, PAYING → CONFIRMED + booking.confirmed
 *
 * `settleLapsedPayment` is the same flow picked up by the sweeper after a lease ended (a timeout,
 * a crash at any step): it asks the provider what happened and finishes from step 4 or undoes.
 * Never charged-and-expired, never confirmed-and-unpaid.
 */
export function createPayBookingFlow(deps: {
  db: Db;
  holds: HoldsClient;
  provider: PaymentProvider;
  settlement: Settlement;
  clock: Clock;
  logger: Logger;
  /** How long a payment may run before the reconciler takes over; longer than the provider's timeout. */
  leaseSeconds: number;
  afterCommit: () => void;
}) {
  const { db, clock } = deps;

  function assertPayable(booking: BookingRecord, now: Date) {
    switch (booking.status) {
      case 'CONFIRMED':
        throw new AppError('BOOKING_ALREADY_PAID');
      case 'EXPIRED':
        throw new AppError('BOOKING_EXPIRED', 'The booking has expired; nothing was charged');
      case 'CANCELLED':
        throw new AppError('INVALID_BOOKING_STATE', 'A cancelled booking cannot be paid');
      case 'PAYING':
        // Not a final answer (Retry-After), so it is not kept for the idempotency key.
        throw new AppError('INVALID_BOOKING_STATE', 'A payment for this booking is in progress; check again shortly', {
          headers: { 'retry-after': '2' },
        });
      case 'PENDING':
        if (booking.expiresAt <= now) throw new AppError('BOOKING_EXPIRED', 'The booking has expired; nothing was charged');
    }
  }

  // Step 1
  async function startAttempt(booking: BookingRecord, card: { brand: string; last4: string }, now: Date) {
    const attempt = { id: randomUUID(), payingUntil: new Date(now.getTime() + deps.leaseSeconds * 1000) };
    try {
      const started = await db.transaction(async (tx) => {
        if (!(await bookingsRepository.startPaying(tx, booking.id, now, attempt.payingUntil))) return false;
        await paymentsRepository.insertAttempt(tx, { id: attempt.id, bookingId: booking.id, amount: booking.totalPrice, ...card, now });
        return true;
      });
      if (started) return attempt;
    } catch (error) {
      if (!isUniqueViolation(error, 'payments_one_live_attempt_idx')) throw error;
    }
    // Lost a race: answer from what the booking is now.
    const current = (await bookingsRepository.findById(db, booking.id)) as BookingRecord;
    assertPayable(current, now);
    throw new AppError('INVALID_BOOKING_STATE', 'The booking changed while paying; try again', { headers: { 'retry-after': '1' } });
  }

  // Undo of 1: the attempt failed; the booking goes back to PENDING while in time, else EXPIRED.
  async function abandonAttempt(bookingId: string, paymentId: string, failureCode: string) {
    const now = clock.now();
    const status = await db.transaction(async (tx) => {
      await paymentsRepository.markFailed(tx, paymentId, failureCode, now);
      const next = await bookingsRepository.endPaying(tx, bookingId, now);
      if (next === 'EXPIRED') {
        const expired = (await bookingsRepository.findById(tx, bookingId)) as BookingRecord;
        await writeOutbox(tx, 'bookings', [createEvent('booking.expired', toSnapshot(expired), clock)]);
      }
      return next;
    });
    if (status === 'EXPIRED') {
      deps.afterCommit();
      await deps.settlement.tryLater('release after failed payment', bookingId, () => deps.settlement.releaseSeats(bookingId));
    }
    return status;
  }

  // Steps 4 and 5, after the provider took the money.
  async function completePaidAttempt(bookingId: string, paymentId: string, providerReference: string): Promise<'CONFIRMED' | 'REFUNDED'> {
    try {
      await deps.holds.confirm(bookingId);
    } catch (error) {
      if (error instanceof AppError && (error.code === 'SEATS_UNAVAILABLE' || error.code === 'NOT_FOUND')) {
        await refundLostBooking(bookingId, paymentId, providerReference);
        return 'REFUNDED';
      }
      // Flights unreachable: keep what we know; the reconciler confirms after the lease.
      await paymentsRepository.markSucceeded(db, paymentId, providerReference, clock.now());
      throw error;
    }
    const now = clock.now();
    await db.transaction(async (tx) => {
      await paymentsRepository.markSucceeded(tx, paymentId, providerReference, now);
      if (!(await bookingsRepository.confirm(tx, bookingId, now))) return; // someone else recorded it first
      const confirmed = (await bookingsRepository.findById(tx, bookingId)) as BookingRecord;
      await writeOutbox(tx, 'bookings', [createEvent('booking.confirmed', toSnapshot(confirmed), clock)]);
    });
    deps.afterCommit();
    return 'CONFIRMED';
  }

  // Undo of 3 when 4 cannot happen: the seats are gone, so the money goes back.
  async function refundLostBooking(bookingId: string, paymentId: string, providerReference: string) {
    const now = clock.now();
    const refund = await db.transaction(async (tx) => {
      await paymentsRepository.markSucceeded(tx, paymentId, providerReference, now);
      const moved = await bookingsRepository.expirePaying(tx, bookingId, now);
      const current = (await bookingsRepository.findById(tx, bookingId)) as BookingRecord;
      if (current.status === 'CONFIRMED') return null;
      const payment = await paymentsRepository.findLive(tx, bookingId);
      if (!payment) return null;
      // Once per payment (unique), whoever gets here first; the event goes with the state change.
      const owed = await paymentsRepository.insertRefund(tx, { id: randomUUID(), payment, reason: 'seats_released', now });
      if (moved) {
        await writeOutbox(tx, 'bookings', [
          createEvent(
            'booking.payment_refunded',
            { ...toSnapshot(current), refund: owed.amount, reason: 'The seats were released before the payment completed' },
            clock,
          ),
        ]);
      }
      return owed.status === 'PENDING' ? owed : null;
    });
    deps.afterCommit();
    if (refund) await deps.settlement.tryLater('refund of a lost booking', bookingId, () => deps.settlement.refund(refund));
  }

  return {
    async payBooking(caller: UserCaller, bookingId: string, body: PayBookingBody): Promise<BookingRecord> {
      const now = clock.now();
      const card = assertValidCard(body.card, now);
      const booking = await bookingsRepository.findById(db, bookingId);
      if (!booking || booking.userId !== caller.id) throw new AppError('NOT_FOUND', 'Booking not found');
      assertPayable(booking, now);
      if (body.amount.amount !== booking.totalPrice.amount || body.amount.currency !== booking.totalPrice.currency) {
        throw new AppError(
          'AMOUNT_MISMATCH',
          `The booking total is ${booking.totalPrice.amount} ${booking.totalPrice.currency} (minor units); nothing was charged`,
        );
      }

      const attempt = await startAttempt(booking, card, now);

      try {
        await deps.holds.pin(bookingId, attempt.payingUntil);
      } catch (error) {
        await abandonAttempt(bookingId, attempt.id, 'HOLD_UNAVAILABLE');
        if (error instanceof AppError && (error.code === 'SEATS_UNAVAILABLE' || error.code === 'NOT_FOUND')) {
          throw new AppError('BOOKING_EXPIRED', 'The seats of this booking were released; nothing was charged');
        }
        throw error;
      }

      let charge;
      try {
        charge = await deps.provider.charge({
          idempotencyKey: attempt.id,
          amount: booking.totalPrice,
          card: body.card,
          description: `AeroFly booking ${booking.reference}`,
        });
      } catch (error) {
        deps.logger.warn({ err: error, bookingId, paymentId: attempt.id }, 'payment outcome unknown; left for reconciliation');
        throw new AppError('PAYMENT_PROVIDER_TIMEOUT', 'The payment provider did not answer in time; the booking will be settled shortly');
      }
      if (charge.status === 'failed') {
        await abandonAttempt(bookingId, attempt.id, charge.code);
        throw new AppError(charge.code);
      }

      const outcome = await completePaidAttempt(bookingId, attempt.id, charge.reference);
      if (outcome === 'REFUNDED')
        throw new AppError('BOOKING_EXPIRED', 'The seats were released before the payment completed; the charge was refunded');
      return (await bookingsRepository.findById(db, bookingId)) as BookingRecord;
    },

    /** The reconciler's step for one PAYING booking whose lease ended (claimed by the sweeper). */
    async settleLapsedPayment(bookingId: string): Promise<string> {
      const booking = await bookingsRepository.findById(db, bookingId);
      if (booking?.status !== 'PAYING') return 'not-paying';
      const attempt = await paymentsRepository.findLive(db, bookingId);
      if (!attempt) return (await abandonAttemptless(bookingId)) ?? 'gone';
      // Keep the seats while we find out (the sweeper moved the lease forward); a hold already gone
      // is handled below as a lost booking.
      if (booking.payingUntil) await deps.holds.pin(bookingId, booking.payingUntil).catch(() => undefined);
      const state = await deps.provider.getAttempt(attempt.id);
      if (state.status === 'succeeded') return completePaidAttempt(bookingId, attempt.id, state.reference);
      return (await abandonAttempt(bookingId, attempt.id, state.status === 'failed' ? state.code : 'NOT_CHARGED')) ?? 'gone';
    },
  };

  async function abandonAttemptless(bookingId: string) {
    const now = clock.now();
    const status = await db.transaction((tx) => bookingsRepository.endPaying(tx, bookingId, now));
    if (status === 'EXPIRED') await deps.settlement.tryLater('release', bookingId, () => deps.settlement.releaseSeats(bookingId));
    return status;
  }
}
export type PayBookingFlow = ReturnType<typeof createPayBookingFlow>;
