import { LiveBookingsResponse, type InventoryCheck } from '@aerofly/contracts';
import type { Clock, Db, Logger, ServiceClient } from '@aerofly/platform';
import { inventoryRepository as repo } from './inventory.repository.js';

const batchSize = 1000;
// Bookings stores a booking just after its hold: a younger hold may not have its booking yet.
const settleMs = 60_000;

/**
 * The inventory check: set-based SQL for the counters and seats, then the active holds compared
 * with bookings in batches. Bookings being down makes the cross-check "not done", not a failure.
 */
export function createInventoryService({
  db,
  clock,
  bookings,
  logger,
}: {
  db: Db;
  clock: Clock;
  bookings: ServiceClient | null;
  logger: Logger;
}) {
  return {
    async check(flightId?: string): Promise<InventoryCheck> {
      const now = clock.now();
      const [violations, flightsChecked] = await Promise.all([repo.check(db, flightId, now), repo.countFlights(db, flightId)]);
      let holdsChecked = 0;
      let bookingsCrossChecked = false;
      let crossCheckError: string | undefined = bookings ? undefined : 'no service key configured to call bookings';
      if (bookings) {
        try {
          let after: string | null = null;
          for (;;) {
            const holds = await repo.activeHolds(db, {
              flightId,
              after,
              limit: batchSize,
              createdBefore: new Date(now.getTime() - settleMs),
            });
            if (holds.length === 0) break;
            const answer = await bookings.request('POST', '/internal/v1/bookings/live', {
              body: { bookingIds: holds.map((h) => h.bookingId) },
              response: LiveBookingsResponse,
            });
            const live = new Set(answer.live);
            for (const hold of holds) {
              if (!live.has(hold.bookingId)) {
                violations.push({
                  kind: 'hold_without_live_booking',
                  flightId: hold.flightId,
                  cabin: hold.cabin,
                  detail: `booking ${hold.bookingId} is not live in bookings but its seats are ${hold.status === 'SOLD' ? 'sold' : `held until ${hold.expiresAt.toISOString()}`}`,
                });
              }
            }
            holdsChecked += holds.length;
            after = holds[holds.length - 1]?.bookingId ?? null;
            if (holds.length < batchSize) break;
          }
          bookingsCrossChecked = true;
        } catch (error) {
          crossCheckError = error instanceof Error ? error.message : String(error);
          logger.warn({ err: error }, 'inventory cross-check with bookings not done');
        }
      }
      return {
        ok: violations.length === 0,
        flightsChecked,
        holdsChecked,
        bookingsCrossChecked,
        ...(crossCheckError ? { crossCheckError } : {}),
        violations,
      };
    },
  };
}
export type InventoryService = ReturnType<typeof createInventoryService>;
