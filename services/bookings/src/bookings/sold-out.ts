import type { CabinClass } from '@aerofly/contracts';
import { AppError, type Clock } from '@aerofly/platform';

/**
 * What this instance heard from flights a moment ago: "flight F has fewer than n seats left in
 * cabin C". For a short while after such an answer, a one-flight request for n or more seats in
 * that cabin is refused here, before an idempotency key is claimed or flights is asked, so the
 * losers of a sold-out flash sale cost a map lookup. Only ever a refusal, never a sale: a seat that
 * comes back (expiry, cancellation) can be booked again once the memory lapses (a second by default).
 */
export function createSoldOutMemory(options: { clock: Clock; ttlMs?: number; maxEntries?: number }) {
  const ttlMs = options.ttlMs ?? 1000;
  const maxEntries = options.maxEntries ?? 10_000;
  const entries = new Map<string, { fewerThan: number; untilMs: number }>();
  const keyOf = (flightId: string, cabin: CabinClass) => `${flightId}|${cabin}`;

  return {
    /** Flights refused `passengers` seats on this one flight: fewer than that are left. */
    remember(flightId: string, cabin: CabinClass, passengers: number) {
      const key = keyOf(flightId, cabin);
      const nowMs = options.clock.now().getTime();
      const known = entries.get(key);
      const fewerThan = known && known.untilMs > nowMs ? Math.min(known.fewerThan, passengers) : passengers;
      entries.delete(key);
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(key, { fewerThan, untilMs: nowMs + ttlMs });
    },

    /** Throws 409 SEATS_UNAVAILABLE when flights said a moment ago that this cannot be held. */
    refuseIfKnown(flightIds: string[], cabin: CabinClass, passengers: number) {
      if (flightIds.length !== 1) return;
      const key = keyOf(flightIds[0] as string, cabin);
      const known = entries.get(key);
      if (!known) return;
      if (known.untilMs <= options.clock.now().getTime()) {
        entries.delete(key);
        return;
      }
      if (passengers >= known.fewerThan) {
        throw new AppError('SEATS_UNAVAILABLE', `Not enough ${cabin} seats left for ${passengers} passenger(s)`);
      }
    },
  };
}
export type SoldOutMemory = ReturnType<typeof createSoldOutMemory>;
