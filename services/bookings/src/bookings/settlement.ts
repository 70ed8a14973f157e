import type { ReleaseReason } from '@aerofly/contracts';
import type { Clock, Db, Logger } from '@aerofly/platform';
import type { HoldsClient } from '../holds/holds.client.js';
import type { PaymentProvider } from '../payments/payment-provider.js';
import { bookingsRepository, paymentsRepository, type RefundRecord } from './bookings.repository.js';

/**
 * What a state change leaves owed to the outside world, each step idempotent so that whoever
 * finishes it (the request, the next sweeper pass, another instance) does it once.
 */
export function createSettlement(deps: { db: Db; holds: HoldsClient; provider: PaymentProvider; clock: Clock; logger: Logger }) {
  return {
    /** Seats back to flights, then the marker cleared. A crash in between is finished by the sweeper. */
    async releaseSeats(bookingId: string): Promise<void> {
      await deps.holds.release(bookingId);
      await bookingsRepository.markReleasedMany(deps.db, [bookingId], deps.clock.now());
    },

    /**
     * `releaseSeats` for up to 1,000 bookings: one call to flights, one update. Only the ids flights
     * answered for are marked; anything else stays owed for the next pass.
     */
    async releaseSeatsMany(bookingIds: string[], reason?: ReleaseReason): Promise<void> {
      const { released, alreadyReleased, tombstoned } = await deps.holds.releaseMany(bookingIds, reason);
      await bookingsRepository.markReleasedMany(deps.db, [...released, ...alreadyReleased, ...tombstoned], deps.clock.now());
    },

    /** The refund's own id is the provider's idempotency key: a retried refund pays back once. */
    async refund(refund: RefundRecord): Promise<void> {
      const { reference } = await deps.provider.refund({
        chargeIdempotencyKey: refund.paymentId,
        idempotencyKey: refund.id,
        amount: refund.amount,
      });
      await paymentsRepository.markRefunded(deps.db, refund.id, refund.paymentId, reference, deps.clock.now());
    },

    /** For request paths: try now, leave it to the sweeper when it fails. */
    async tryLater(what: string, bookingId: string, step: () => Promise<void>): Promise<void> {
      try {
        await step();
      } catch (error) {
        deps.logger.warn({ err: error, bookingId, what }, 'settlement step failed; the sweeper will finish it');
      }
    },
  };
}
export type Settlement = ReturnType<typeof createSettlement>;
