import { randomUUID } from 'node:crypto';
import type { CabinClass, FlightSnapshot, Hold, HoldRequest, Money, ReleaseHoldsResult } from '@aerofly/contracts';
import { AppError, type Clock } from '@aerofly/platform';
import type { HoldsClient } from './holds.client.js';

type FakeFlight = {
  snapshot: FlightSnapshot;
  cabin: CabinClass;
  fare: Money;
  seats: string[];
  taken: Set<string>;
  available: number;
  bookable: boolean;
};
type FakeHold = { hold: Hold; pinnedUntil: Date | null };

/**
 * An in-memory flights that honours the holds contract (contracts/holds.ts), for unit and
 * component tests of bookings. The real one is exercised in test/system.
 */
export function createFakeHolds(options: { clock: Clock; graceSeconds?: number }) {
  const flights = new Map<string, FakeFlight>();
  const holds = new Map<string, FakeHold>();
  const releases = new Map<string, number>();
  /** Bookings released before any hold arrived: a later hold for them is refused, as flights does. */
  const tombstones = new Set<string>();
  const failures: Partial<Record<keyof HoldsClient, AppError[]>> = {};
  const lostAnswers: Partial<Record<keyof HoldsClient, AppError[]>> = {};
  const calls: Record<keyof HoldsClient, number> = { hold: 0, pin: 0, confirm: 0, release: 0, releaseMany: 0 };
  const batchSizes: number[] = [];
  const graceMs = (options.graceSeconds ?? 120) * 1000;

  const failIfAsked = (method: keyof HoldsClient) => {
    calls[method] += 1;
    const error = failures[method]?.shift();
    if (error) throw error;
  };

  const giveBack = (bookingId: string, entry: FakeHold) => {
    for (const segment of entry.hold.segments) {
      const flight = flights.get(segment.flightId);
      if (!flight) continue;
      flight.available += entry.hold.passengers;
      for (const { seat } of segment.seats) flight.taken.delete(seat);
    }
    entry.hold = { ...entry.hold, status: 'RELEASED' };
    releases.set(bookingId, (releases.get(bookingId) ?? 0) + 1);
  };

  /** Where a release leaves one booking: its seats given back now, earlier, or never held. */
  const releaseOne = (bookingId: string): keyof ReleaseHoldsResult => {
    const entry = holds.get(bookingId);
    if (!entry) {
      if (tombstones.has(bookingId)) return 'alreadyReleased';
      tombstones.add(bookingId);
      return 'tombstoned';
    }
    if (entry.hold.status === 'RELEASED') return 'alreadyReleased';
    giveBack(bookingId, entry);
    return 'released';
  };

  const client: HoldsClient = {
    async hold(request: HoldRequest) {
      failIfAsked('hold');
      const existing = holds.get(request.bookingId);
      if (existing) return existing.hold;
      if (tombstones.has(request.bookingId)) throw new AppError('SEATS_UNAVAILABLE', 'The hold was already released');
      const planned = request.segments.map((segment) => {
        const flight = flights.get(segment.flightId);
        if (!flight) throw new AppError('NOT_FOUND', `Flight ${segment.flightId} not found`);
        if (!flight.bookable || new Date(flight.snapshot.departureAt) <= options.clock.now()) {
          throw new AppError('FLIGHT_NOT_BOOKABLE', `Flight ${flight.snapshot.flightNumber} can no longer be booked`);
        }
        if (flight.cabin !== request.cabin || flight.available < request.passengers) throw new AppError('SEATS_UNAVAILABLE');
        for (const chosen of segment.seats) {
          if (!flight.seats.includes(chosen.seat)) {
            throw new AppError('VALIDATION_FAILED', `Seat ${chosen.seat} is not in this cabin`, {
              errors: [{ field: 'seats', message: `${chosen.seat} is not a seat of ${flight.snapshot.flightNumber} in ${request.cabin}` }],
            });
          }
          if (flight.taken.has(chosen.seat)) throw new AppError('SEAT_TAKEN', `Seat ${chosen.seat} is taken`);
        }
        const chosenSeats = new Set(segment.seats.map((s) => s.seat));
        const free = flight.seats.filter((seat) => !flight.taken.has(seat) && !chosenSeats.has(seat));
        const seats = Array.from({ length: request.passengers }, (_, passenger) => {
          const chosen = segment.seats.find((s) => s.passenger === passenger);
          return { passenger, seat: chosen?.seat ?? (free.shift() as string) };
        });
        return { flight, seats };
      });
      for (const { flight, seats } of planned) {
        flight.available -= request.passengers;
        for (const { seat } of seats) flight.taken.add(seat);
      }
      const hold: Hold = {
        bookingId: request.bookingId,
        status: 'HELD',
        cabin: request.cabin,
        passengers: request.passengers,
        expiresAt: new Date(new Date(request.bookingExpiresAt).getTime() + graceMs).toISOString(),
        segments: planned.map(({ flight, seats }) => ({ ...flight.snapshot, cabin: flight.cabin, fare: flight.fare, seats })),
      };
      holds.set(request.bookingId, { hold, pinnedUntil: null });
      return hold;
    },
    async pin(bookingId, until) {
      failIfAsked('pin');
      const entry = holds.get(bookingId);
      if (!entry) throw new AppError('NOT_FOUND');
      if (entry.hold.status === 'RELEASED') throw new AppError('SEATS_UNAVAILABLE', 'The hold was released');
      entry.pinnedUntil = until;
      return entry.hold;
    },
    async confirm(bookingId) {
      failIfAsked('confirm');
      const entry = holds.get(bookingId);
      if (!entry) throw new AppError('NOT_FOUND');
      if (entry.hold.status === 'RELEASED') throw new AppError('SEATS_UNAVAILABLE', 'The hold was released');
      entry.hold = { ...entry.hold, status: 'SOLD' };
      return entry.hold;
    },
    async release(bookingId) {
      failIfAsked('release');
      releaseOne(bookingId);
    },
    async releaseMany(bookingIds) {
      failIfAsked('releaseMany');
      if (bookingIds.length < 1 || bookingIds.length > 1000 || new Set(bookingIds).size !== bookingIds.length) {
        throw new AppError('VALIDATION_FAILED', 'bookingIds: 1 to 1,000 distinct ids');
      }
      batchSizes.push(bookingIds.length);
      const result: ReleaseHoldsResult = { released: [], alreadyReleased: [], tombstoned: [] };
      for (const bookingId of bookingIds) result[releaseOne(bookingId)].push(bookingId);
      const lost = lostAnswers.releaseMany?.shift();
      if (lost) throw lost;
      return result;
    },
  };

  return {
    client,
    calls,
    /** Adds a flight with `capacity` seats (1A, 1B, ...) in one cabin. */
    addFlight(input: {
      capacity: number;
      cabin?: CabinClass;
      fare?: Money;
      from?: string;
      to?: string;
      departureAt?: string;
      arrivalAt?: string;
    }) {
      const id = randomUUID();
      const departureAt = input.departureAt ?? '2030-03-01T08:00:00.000Z';
      const arrivalAt = input.arrivalAt ?? '2030-03-01T10:30:00.000Z';
      const letters = 'ABCDEF';
      const seats = Array.from({ length: input.capacity }, (_, i) => `${Math.floor(i / letters.length) + 1}${letters[i % letters.length]}`);
      flights.set(id, {
        snapshot: {
          flightId: id,
          flightNumber: `AF${100 + flights.size}`,
          from: input.from ?? 'LIS',
          to: input.to ?? 'BER',
          departureAt,
          arrivalAt,
          departureLocal: departureAt.slice(0, 19),
          arrivalLocal: arrivalAt.slice(0, 19),
          departureTimeZone: 'UTC',
          arrivalTimeZone: 'UTC',
          durationMinutes: Math.round((new Date(arrivalAt).getTime() - new Date(departureAt).getTime()) / 60000),
        },
        cabin: input.cabin ?? 'economy',
        fare: input.fare ?? { amount: 12_900, currency: 'USD' },
        seats,
        taken: new Set(),
        available: input.capacity,
        bookable: true,
      });
      return id;
    },
    cancelFlight(flightId: string) {
      const flight = flights.get(flightId);
      if (flight) flight.bookable = false;
    },
    available: (flightId: string) => flights.get(flightId)?.available ?? 0,
    status: (bookingId: string) => holds.get(bookingId)?.hold.status,
    pinnedUntil: (bookingId: string) => holds.get(bookingId)?.pinnedUntil ?? null,
    /** How many times the seats of a booking actually went back (must never exceed 1). */
    releaseCount: (bookingId: string) => releases.get(bookingId) ?? 0,
    /** Flights' own expiry: holds past their time (and past any pin) go back. */
    expireDueHolds() {
      const now = options.clock.now();
      for (const [bookingId, entry] of holds) {
        const until = Math.max(new Date(entry.hold.expiresAt).getTime(), entry.pinnedUntil?.getTime() ?? 0);
        if (entry.hold.status === 'HELD' && until <= now.getTime()) giveBack(bookingId, entry);
      }
    },
    /** The next call of `method` fails with `error` (several calls queue several failures). */
    failNext(method: keyof HoldsClient, error: AppError) {
      (failures[method] ??= []).push(error);
    },
    /** The next batch release is done, but its answer never reaches bookings (a timeout after the fact). */
    loseNextAnswer(method: 'releaseMany', error: AppError) {
      (lostAnswers[method] ??= []).push(error);
    },
    /** How many bookings each batch release carried, in call order. */
    batchSizes: () => [...batchSizes],
  };
}
export type FakeHolds = ReturnType<typeof createFakeHolds>;
