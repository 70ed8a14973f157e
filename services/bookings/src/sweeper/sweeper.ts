import type { ReleaseReason } from '@aerofly/contracts';
import { createEvent, createLimiter, writeOutbox, type Clock, type Db, type IdempotencyStore, type Logger } from '@aerofly/platform';
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
  const limit = createLimiter(concurrency);
  await Promise.all(items.map((item) => limit(() => task(item)).catch((error: unknown) => onError(item, error))));
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
  /** Bookings per batch release call to flights (at most 1,000), and how many such calls run at once. */
  releaseChunkSize?: number;
  releaseConcurrency?: number;
  /** Transactions expiring batches side by side when many bookings fall due at once. */
  expiryWorkers?: number;
  /** How long a claimed lapsed payment is left alone while this sweeper asks the provider. */
  reconcileLeaseSeconds?: number;
}) {
  const batchSize = deps.batchSize ?? 500;
  const concurrency = deps.concurrency ?? 32;
  const releaseChunkSize = deps.releaseChunkSize ?? 1000;
  const releaseConcurrency = deps.releaseConcurrency ?? 2;
  const expiryWorkers = deps.expiryWorkers ?? 2;
  /** Releases claimed by this sweeper are left alone by the others for this long. */
  const releaseLeaseMs = 15_000;
  let passes = 0;
  const logFailure = (what: string) => (bookingId: string, error: unknown) =>
    deps.logger.warn({ err: error, bookingId, what }, 'sweeper step failed; retried next pass');

  /** One batch release; a failure is logged once for the chunk, which a later pass retries. */
  async function releaseChunk(chunk: string[], reason?: ReleaseReason): Promise<void> {
    try {
      await deps.settlement.releaseSeatsMany(chunk, reason);
    } catch (error) {
      deps.logger.warn(
        { err: error, bookings: chunk.length, firstBookingId: chunk[0], what: 'release seats' },
        'sweeper step failed; retried next pass',
      );
      // Sooner than the claim would lapse; if even this fails, the claim lapses and a later pass takes them.
      await bookingsRepository.retryReleasesAt(deps.db, chunk, new Date(deps.clock.now().getTime() + 1000)).catch(() => undefined);
    }
  }

  /**
   * Claimed releases wait here until one of `releaseConcurrency` calls takes what is queued, up to
   * `releaseChunkSize`. Every release statement in flights touches the counters of the flights it
   * gives seats back to, so calls over the same flights run one after another there: while
   * bookings expire faster than flights releases, fewer and larger calls keep up best.
   */
  function createReleaseQueue(reason?: ReleaseReason) {
    const waiting: string[] = [];
    const calls = new Set<Promise<void>>();
    const pump = () => {
      while (calls.size < releaseConcurrency && waiting.length > 0) {
        const call: Promise<void> = releaseChunk(waiting.splice(0, releaseChunkSize), reason).finally(() => {
          calls.delete(call);
          pump();
        });
        calls.add(call);
      }
    };
    return {
      add(ids: string[]) {
        waiting.push(...ids);
        pump();
      },
      async drained() {
        while (calls.size > 0) await Promise.all([...calls]);
      },
    };
  }

  /** One batch of due bookings expired, with its `booking.expired` events, in one transaction; their releases are claimed. */
  async function expireBatch(): Promise<string[]> {
    const now = deps.clock.now();
    return deps.db.transaction(async (tx) => {
      const ids = await bookingsRepository.expireDue(tx, now, batchSize, new Date(now.getTime() + releaseLeaseMs));
      const bookings = await bookingsRepository.findMany(tx, ids);
      await writeOutbox(
        tx,
        'bookings',
        bookings.map((booking) => createEvent('booking.expired', toSnapshot(booking), deps.clock)),
      );
      return ids;
    });
  }

  /**
   * Expires due bookings and gives their seats back as each batch commits. Most passes find a few
   * or none; a full first batch means many fell due at once, and then more transactions expire
   * them side by side (`SKIP LOCKED` keeps them apart) until a batch is not full.
   */
  async function expireDue(): Promise<number> {
    const releases = createReleaseQueue('expired');
    let total = 0;
    const expireUntilDone = async () => {
      for (;;) {
        const ids = await expireBatch();
        total += ids.length;
        releases.add(ids);
        if (ids.length < batchSize) return;
      }
    };
    try {
      const first = await expireBatch();
      total = first.length;
      releases.add(first);
      if (first.length === batchSize) {
        // Every worker is waited for, also when one fails, so no work outlives the pass.
        const workers = await Promise.allSettled(Array.from({ length: expiryWorkers }, expireUntilDone));
        const failed = workers.find((worker) => worker.status === 'rejected');
        if (failed) throw failed.reason;
      }
      return total;
    } finally {
      await releases.drained();
      if (total > 0) deps.afterCommit();
    }
  }

  /** `expireDue`, joined by a second call while one runs (the expiry loop and a full pass may meet). */
  let expiring: Promise<number> | undefined;
  function expireDueOnce(): Promise<number> {
    expiring ??= expireDue().finally(() => {
      expiring = undefined;
    });
    return expiring;
  }

  async function reconcilePayments(): Promise<number> {
    const now = deps.clock.now();
    const reclaimAt = new Date(now.getTime() + (deps.reconcileLeaseSeconds ?? 30) * 1000);
    const ids = await deps.db.transaction((tx) => bookingsRepository.claimLapsedPayments(tx, now, reclaimAt, 100));
    await forEachLimited(ids, concurrency, (id) => deps.flow.settleLapsedPayment(id), logFailure('reconcile payment'));
    return ids.length;
  }

  /** Owed releases (other paths' and failed ones) in claimed batches until none is left or the pass has run long enough. */
  async function finishReleases(): Promise<number> {
    const startedMs = Date.now();
    let total = 0;
    while (Date.now() - startedMs < 10_000) {
      const now = deps.clock.now();
      const ids = await bookingsRepository.claimOwedReleases(deps.db, now, new Date(now.getTime() + releaseLeaseMs), 1000);
      if (ids.length === 0) break;
      const releases = createReleaseQueue();
      releases.add(ids);
      await releases.drained();
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
    /** Only the expiry, for a loop that looks for due bookings more often than the full pass runs. */
    expireDue: expireDueOnce,
    async runOnce() {
      passes += 1;
      const expired = await expireDueOnce();
      const reconciled = await reconcilePayments();
      const released = await finishReleases();
      const refunded = await finishRefunds();
      if (deps.idempotency && passes % 60 === 1) await deps.idempotency.purgeExpired();
      return { expired, reconciled, released, refunded };
    },
  };
}
export type Sweeper = ReturnType<typeof createSweeper>;
