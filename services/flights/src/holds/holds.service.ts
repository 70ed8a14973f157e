import type { CabinClass, Hold, HoldRequest, ReleaseHoldsResult, ReleaseReason } from '@aerofly/contracts';
import { AppError, isUniqueViolation, type Clock, type Db, type FieldError, type Logger } from '@aerofly/platform';
import { pickSeats, seatsOf } from '../shared/seat-map.js';
import { localDateTime, minutesBetween } from '../shared/zones.js';
import { holdsRepository as repo, type BookableFlightRow, type HoldRow } from './holds.repository.js';

/** A seat conflict means someone took a seat we picked a moment ago: pick again from what is left. */
const maxSeatAttempts = 8;
const sweepBatch = 500;

function holdView(row: HoldRow): Hold {
  return {
    bookingId: row.bookingId,
    status: row.status,
    cabin: row.cabin,
    passengers: row.passengers,
    expiresAt: row.expiresAt.toISOString(),
    segments: row.segments.map((s) => ({
      flightId: s.flightId,
      flightNumber: s.flightNumber,
      from: s.from,
      to: s.to,
      departureAt: s.departureAt.toISOString(),
      arrivalAt: s.arrivalAt.toISOString(),
      departureLocal: localDateTime(s.departureAt, s.departureTimeZone),
      arrivalLocal: localDateTime(s.arrivalAt, s.arrivalTimeZone),
      departureTimeZone: s.departureTimeZone,
      arrivalTimeZone: s.arrivalTimeZone,
      durationMinutes: minutesBetween(s.departureAt, s.arrivalAt),
      cabin: s.cabin,
      fare: { amount: s.fareAmount, currency: s.currency },
      seats: s.seats,
    })),
  };
}

const failed = (errors: FieldError[]) =>
  new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });

export function createHoldsService({ db, clock, graceSeconds, logger }: { db: Db; clock: Clock; graceSeconds: number; logger: Logger }) {
  const find = async (bookingId: string) => {
    const row = await repo.find(db, bookingId);
    if (!row) throw new AppError('NOT_FOUND', `No hold for booking ${bookingId}`);
    return holdView(row);
  };

  /** Every rule that needs no lock: flights exist, connect, are bookable, and chosen seats exist in the cabin. */
  const checkRequest = (request: HoldRequest, flights: Map<string, BookableFlightRow>, now: Date) => {
    const errors: FieldError[] = [];
    const ids = request.segments.map((s) => s.flightId);
    if (new Set(ids).size !== ids.length) errors.push({ field: 'segments', message: 'must not repeat a flight' });
    request.segments.forEach((segment, i) => {
      if (!flights.has(segment.flightId)) throw new AppError('NOT_FOUND', `No flight ${segment.flightId}`);
      const flight = flights.get(segment.flightId) as BookableFlightRow;
      const previous = i > 0 ? flights.get(request.segments[i - 1]?.flightId ?? '') : undefined;
      if (previous && (flight.from !== previous.to || flight.departureAt <= previous.arrivalAt)) {
        errors.push({ field: `segments[${i}].flightId`, message: `must leave ${previous.to} after the previous flight lands there` });
      }
      const layout = flight.layouts.find((l) => l.cabin === request.cabin);
      if (!layout || flight.available === null) {
        errors.push({ field: 'cabin', message: `flight ${segment.flightId} has no ${request.cabin} cabin` });
        return;
      }
      if (segment.seats.length === 0) return;
      const seatsOnPlane = new Map(flight.layouts.flatMap(seatsOf).map((seat) => [seat.seat, seat]));
      const seen = new Set<string>();
      const passengers = new Set<number>();
      segment.seats.forEach((chosen, j) => {
        const field = `segments[${i}].seats[${j}]`;
        const seat = seatsOnPlane.get(chosen.seat);
        if (chosen.passenger >= request.passengers)
          errors.push({ field: `${field}.passenger`, message: 'is not the index of a passenger' });
        if (passengers.has(chosen.passenger)) errors.push({ field: `${field}.passenger`, message: 'already has a seat on this flight' });
        passengers.add(chosen.passenger);
        if (!seat) errors.push({ field: `${field}.seat`, message: 'is not a seat on this airplane' });
        else if (seat.cabin !== request.cabin)
          errors.push({ field: `${field}.seat`, message: `is in the ${seat.cabin} cabin, not ${request.cabin}` });
        else if (seat.blocked) errors.push({ field: `${field}.seat`, message: 'is blocked on this airplane' });
        if (seen.has(chosen.seat)) errors.push({ field: `${field}.seat`, message: 'is chosen twice' });
        seen.add(chosen.seat);
      });
    });
    if (errors.length) throw failed(errors);
    for (const id of ids) {
      const flight = flights.get(id) as BookableFlightRow;
      if (flight.status !== 'SCHEDULED') throw new AppError('FLIGHT_NOT_BOOKABLE', `Flight ${id} is cancelled`);
      if (flight.departureAt <= now) throw new AppError('FLIGHT_NOT_BOOKABLE', `Flight ${id} has departed`);
    }
  };

  /** Seat rows for every passenger on every segment: the chosen ones plus seats picked from what is free. */
  const assignSeats = (request: HoldRequest, flights: Map<string, BookableFlightRow>, taken: Map<string, Set<string>>) => {
    const seats: { flightId: string; passenger: number; seat: string }[] = [];
    for (const segment of request.segments) {
      const flight = flights.get(segment.flightId) as BookableFlightRow;
      const takenHere = taken.get(segment.flightId) ?? new Set<string>();
      const chosenTaken = segment.seats.find((chosen) => takenHere.has(chosen.seat));
      if (chosenTaken) throw new AppError('SEAT_TAKEN', `Seat ${chosenTaken.seat} on flight ${segment.flightId} is taken`);
      const withChosen = new Set([...takenHere, ...segment.seats.map((s) => s.seat)]);
      const seated = new Set(segment.seats.map((s) => s.passenger));
      const unseated = Array.from({ length: request.passengers }, (_, p) => p).filter((p) => !seated.has(p));
      const picked = pickSeats(flight.layouts, request.cabin as CabinClass, unseated.length, withChosen);
      if (picked.length < unseated.length) return null;
      seats.push(...segment.seats.map((s) => ({ flightId: segment.flightId, passenger: s.passenger, seat: s.seat })));
      unseated.forEach((passenger, k) => seats.push({ flightId: segment.flightId, passenger, seat: picked[k] as string }));
    }
    return seats;
  };

  const readTaken = async (flightIds: string[]) => {
    const taken = new Map<string, Set<string>>();
    for (const row of await repo.takenSeats(db, flightIds)) {
      const set = taken.get(row.flightId) ?? new Set<string>();
      set.add(row.seat);
      taken.set(row.flightId, set);
    }
    return taken;
  };

  const unavailableReason = async (request: HoldRequest, now: Date): Promise<AppError> => {
    const flights = await repo.bookableFlights(
      db,
      request.segments.map((s) => s.flightId),
      request.cabin,
      null,
      request.passengers,
    );
    const gone = flights.find((f) => f.status !== 'SCHEDULED' || f.departureAt <= now);
    if (gone) return new AppError('FLIGHT_NOT_BOOKABLE', `Flight ${gone.id} can no longer be booked`);
    return new AppError('SEATS_UNAVAILABLE', `Not enough ${request.cabin} seats left for ${request.passengers} passenger(s)`);
  };

  /** The hold just made, as `find` would read it back: everything is known here, so no second query. */
  const heldRow = (
    request: HoldRequest,
    flights: Map<string, BookableFlightRow>,
    seats: { flightId: string; passenger: number; seat: string }[],
    expiresAt: Date,
    fares: Map<string, { fareAmount: number; currency: string }>,
  ): HoldRow => ({
    bookingId: request.bookingId,
    status: 'HELD',
    cabin: request.cabin,
    passengers: request.passengers,
    expiresAt,
    segments: request.segments.map(({ flightId }) => {
      const flight = flights.get(flightId) as BookableFlightRow;
      const fare = fares.get(flightId);
      if (!fare) throw new AppError('INTERNAL_ERROR', `The hold statement returned no fare for flight ${flightId}`);
      return {
        flightId,
        flightNumber: flight.flightNumber,
        from: flight.from,
        to: flight.to,
        departureAt: flight.departureAt,
        arrivalAt: flight.arrivalAt,
        departureTimeZone: flight.departureTimeZone,
        arrivalTimeZone: flight.arrivalTimeZone,
        cabin: request.cabin,
        fareAmount: fare.fareAmount,
        currency: fare.currency,
        seats: seats
          .filter((seat) => seat.flightId === flightId)
          .map(({ passenger, seat }) => ({ passenger, seat }))
          .sort((a, b) => a.passenger - b.passenger),
      };
    }),
  });

  /**
   * Releases up to 1,000 bookings' holds in a few statements whatever their number: the live holds
   * go back in one, the ids without a row get tombstones in one. A hold committed between the two
   * (its request was still in flight) meets the tombstone's conflict and is released by a last pass.
   */
  async function releaseMany(bookingIds: string[], reason: ReleaseReason = 'released'): Promise<ReleaseHoldsResult> {
    const now = clock.now();
    const released = await repo.release(db, { bookingIds, reason, now });
    const releasedSet = new Set(released);
    const rest = bookingIds.filter((id) => !releasedSet.has(id));
    const tombstoned = rest.length ? await repo.insertTombstones(db, rest, now) : [];
    const tombstonedSet = new Set(tombstoned);
    const existing = rest.filter((id) => !tombstonedSet.has(id));
    const late = existing.length ? await repo.release(db, { bookingIds: existing, reason, now }) : [];
    const lateSet = new Set(late);
    return { released: [...released, ...late], alreadyReleased: existing.filter((id) => !lateSet.has(id)), tombstoned };
  }

  return {
    get: find,

    /** Holds every segment for the booking, or none; the same request again returns the first result. */
    async hold(request: HoldRequest): Promise<Hold> {
      const flightIds = request.segments.map((s) => s.flightId);
      // One read answers a repeat, a sold-out flight and a bad request: losers of a busy flight cost one query.
      const rows = await repo.bookableFlights(db, flightIds, request.cabin, request.bookingId, request.passengers);
      const existingHold = rows[0]?.existingHold ?? null;
      if (existingHold) {
        const existing = await repo.find(db, request.bookingId);
        if (existing) return holdView(existing);
        throw new AppError('SEATS_UNAVAILABLE', `The hold for booking ${request.bookingId} was already released`);
      }
      const now = clock.now();
      const bookingExpiresAt = new Date(request.bookingExpiresAt);
      if (bookingExpiresAt <= now) throw failed([{ field: 'bookingExpiresAt', message: 'must be in the future' }]);
      const flights = new Map(rows.map((f) => [f.id, f]));
      checkRequest(request, flights, now);
      // A sold-out flight is refused by a plain read, without touching the hot counter row.
      const short = request.segments.find((s) => (flights.get(s.flightId)?.available ?? 0) < request.passengers);
      if (short) throw new AppError('SEATS_UNAVAILABLE', `Not enough ${request.cabin} seats left on flight ${short.flightId}`);

      let taken = new Map(rows.map((f) => [f.id, new Set(f.taken)]));
      for (let attempt = 1; attempt <= maxSeatAttempts; attempt++) {
        if (attempt > 1) taken = await readTaken(flightIds);
        const seats = assignSeats(request, flights, taken);
        if (!seats)
          throw new AppError('SEATS_UNAVAILABLE', `Not enough free ${request.cabin} seats for ${request.passengers} passenger(s)`);
        let outcome;
        const expiresAt = new Date(bookingExpiresAt.getTime() + graceSeconds * 1000);
        try {
          outcome = await repo.hold(db, {
            bookingId: request.bookingId,
            cabin: request.cabin,
            passengers: request.passengers,
            expiresAt,
            now: clock.now(),
            flightIds,
            seats,
          });
        } catch (error) {
          // The same booking held twice at once: the first one wins, the second answers with its result.
          if (isUniqueViolation(error, 'holds_pkey')) {
            const first = await repo.find(db, request.bookingId);
            if (first) return holdView(first);
            throw new AppError('SEATS_UNAVAILABLE', `The hold for booking ${request.bookingId} was already released`);
          }
          throw error;
        }
        if (outcome.held) return holdView(heldRow(request, flights, seats, expiresAt, outcome.fares));
        if (outcome.reason === 'NOT_HELD') throw await unavailableReason(request, clock.now());
        logger.debug({ bookingId: request.bookingId, attempt }, 'seat conflict; picking again');
      }
      throw new AppError('SEATS_UNAVAILABLE', 'Seats on this flight are selling fast; try again');
    },

    /** Keeps the hold while a payment runs: until `until` plus the grace, never shorter than it was. */
    async pin(bookingId: string, until: Date) {
      const pinned = await repo.pin(db, bookingId, new Date(until.getTime() + graceSeconds * 1000), clock.now());
      const hold = await find(bookingId);
      if (!pinned && hold.status !== 'SOLD')
        throw new AppError('SEATS_UNAVAILABLE', `The hold for booking ${bookingId} has expired or was released`);
      return hold;
    },

    async confirm(bookingId: string) {
      await repo.confirm(db, bookingId, clock.now());
      const hold = await find(bookingId);
      if (hold.status !== 'SOLD') throw new AppError('SEATS_UNAVAILABLE', `The hold for booking ${bookingId} was already released`);
      return hold;
    },

    /**
     * Gives the seats back once, whoever asks and however often; a hold that never arrived is
     * refused later (NOT_FOUND says so). The batch path decides, so a hold committing meanwhile is
     * released too rather than missed.
     */
    async release(bookingId: string, reason: ReleaseReason = 'released') {
      const outcome = await releaseMany([bookingId], reason);
      const hold = outcome.tombstoned.length ? undefined : await repo.find(db, bookingId);
      if (!hold) throw new AppError('NOT_FOUND', `No hold for booking ${bookingId}; a later hold for it will be refused`);
      return holdView(hold);
    },

    releaseMany,

    /** Releases holds past their time, in batches; safe with any number of instances. */
    async releaseExpiredHolds(): Promise<number> {
      let total = 0;
      for (;;) {
        const now = clock.now();
        const released = await repo.releaseDue(db, { dueBefore: now, limit: sweepBatch, reason: 'expired', now });
        total += released.length;
        if (released.length < sweepBatch) break;
      }
      if (total > 0) logger.info({ released: total }, 'released expired holds');
      return total;
    },
  };
}
export type HoldsService = ReturnType<typeof createHoldsService>;
