import { createEvent, writeOutbox, type Clock, type Db, type IdempotencyStore, type Logger } from '@aerofly/platform';
import { bookingsRepository, paymentsRepository } from '../bookings/bookings.repository.js';
import { toSnapshot } from '../bookings/bookings.views.js';
import type { Settlement } from '../bookings/settlement.js';
import type { PayBookingFlow } from '../payments/pay-booking.flow.js';

/** Runs `task` over `items`, `concurrency` at a time; a failure is logged and left for the next pass. */
async function forEachLimited<T>(
  items: T[],
  concurrency: number,
  task: (item: T) => Promise<unknown>,
  onError: (item: T, error: unknown) => void,
) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(concurrency, items.length) }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await task(item).catch((error: unknown) => onError(item, error));
      }
    }),
  );
}

/**
 * The expiry sweeper and payment reconciler (DESIGN.md §2 step 4). Safe with any number of
 * instances: rows are claimed with `FOR UPDATE SKIP LOCKED` and every step is a compare-and-swap
 * or an idempotent call. What one pass leaves unfinished (a release flights did not confirm, a
 * refund the provider did not answer) stays marked in the database and is finished by the next.
 */
export function createSweeper(deps: {
  db: Db;
  clock: Clock;
  logger: Logger;
  settlement: Settlement;
  flow: PayBookingFlow;
  idempotency?: IdempotencyStore;
  afterCommit: () => void;
  batchSize?: number;
  concurrency?: number;
  /** How long a claimed lapsed payment is left alone while this sweeper asks the provider. */
  reconcileLeaseSeconds?: number;
}) {
  const batchSize = deps.batchSize ?? 500;
  const concurrency = deps.concurrency ?? 32;
  let passes = 0;
  const logFailure = (what: string) => (bookingId: string, error: unknown) =>
    deps.logger.warn({ err: error, bookingId, what }, 'sweeper step failed; retried next pass');

  async function expireDue(): Promise<number> {
    let total = 0;
    for (;;) {
      const now = deps.clock.now();
      const expired = await deps.db.transaction(async (tx) => {
        const ids = await bookingsRepository.expireDue(tx, now, batchSize);
        const bookings = await bookingsRepository.findMany(tx, ids);
        await writeOutbox(
          tx,
          'bookings',
          bookings.map((booking) => createEvent('booking.expired', toSnapshot(booking), deps.clock)),
        );
        return ids.length;
      });
      total += expired;
      if (expired < batchSize) break;
    }
    if (total > 0) deps.afterCommit();
    return total;
  }

  async function reconcilePayments(): Promise<number> {
    const now = deps.clock.now();
    const reclaimAt = new Date(now.getTime() + (deps.reconcileLeaseSeconds ?? 30) * 1000);
    const ids = await deps.db.transaction((tx) => bookingsRepository.claimLapsedPayments(tx, now, reclaimAt, 100));
    await forEachLimited(ids, concurrency, (id) => deps.flow.settleLapsedPayment(id), logFailure('reconcile payment'));
    return ids.length;
  }

  /** Owed releases in claimed batches until none is left (or the pass has run long enough). */
  async function finishReleases(): Promise<number> {
    const startedMs = Date.now();
    let total = 0;
    while (Date.now() - startedMs < 10_000) {
      const now = deps.clock.now();
      const ids = await bookingsRepository.claimOwedReleases(deps.db, now, new Date(now.getTime() + 15_000), 1000);
      if (ids.length === 0) break;
      await forEachLimited(
        ids,
        concurrency,
        (id) => deps.settlement.releaseSeats(id),
        (id, error) => {
          logFailure('release seats')(id, error);
          void bookingsRepository.retryReleaseAt(deps.db, id, new Date(now.getTime() + 1000)).catch(() => undefined);
        },
      );
      total += ids.length;
    }
    return total;
  }

  async function finishRefunds(): Promise<number> {
    const refunds = await paymentsRepository.pendingRefunds(deps.db, 100);
    await forEachLimited(
      refunds,
      4,
      (refund) => deps.settlement.refund(refund),
      (refund, error) => logFailure('refund')(refund.bookingId, error),
    );
    return refunds.length;
  }

  return {
    async runOnce() {
      passes += 1;
      const expired = await expireDue();
      const reconciled = await reconcilePayments();
      const released = await finishReleases();
      const refunded = await finishRefunds();
      if (deps.idempotency && passes % 60 === 1) await deps.idempotency.purgeExpired();
      return { expired, reconciled, released, refunded };
    },
  };
}
export type Sweeper = ReturnType<typeof createSweeper>;
