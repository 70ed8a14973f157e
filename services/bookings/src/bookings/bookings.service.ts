import { randomInt, randomUUID } from 'node:crypto';
import type { BookingStatus, CreateBookingBody, Hold } from '@aerofly/contracts';
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
import type { HoldsClient } from '../holds/holds.client.js';
import {
  bookingsRepository,
  paymentsRepository,
  type BookingRecord,
  type PageCursor,
  type SegmentSnapshot,
} from './bookings.repository.js';
import { toSnapshot } from './bookings.views.js';
import type { Settlement } from './settlement.js';
import { createSoldOutMemory } from './sold-out.js';

/** No 0/O, 1/I/L: a reference read out over the phone survives. */
const referenceAlphabet = 'ABCDEFGHJKMNPQRSTUVWXYZ23456789';
export const newReference = () => Array.from({ length: 6 }, () => referenceAlphabet[randomInt(referenceAlphabet.length)]).join('');

const encodeCursor = (booking: BookingRecord) =>
  Buffer.from(JSON.stringify({ createdAt: booking.createdAt.toISOString(), id: booking.id })).toString('base64url');

function decodeCursor(cursor: string | undefined): PageCursor | undefined {
  if (!cursor) return undefined;
  try {
    const parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as PageCursor;
    if (typeof parsed.id === 'string' && /^[0-9a-f-]{36}$/i.test(parsed.id) && !Number.isNaN(Date.parse(parsed.createdAt))) return parsed;
  } catch {
    // fall through
  }
  throw new AppError('VALIDATION_FAILED', 'cursor is not valid', { errors: [{ field: 'cursor', message: 'is not valid' }] });
}

/** The whole itinerary must connect: each flight leaves where the previous one landed, after it landed. */
function itineraryProblem(segments: SegmentSnapshot[]): string | null {
  for (let i = 1; i < segments.length; i += 1) {
    const previous = segments[i - 1] as SegmentSnapshot;
    const next = segments[i] as SegmentSnapshot;
    if (next.from !== previous.to)
      return `flight ${next.flightNumber} leaves ${next.from}, but ${previous.flightNumber} lands at ${previous.to}`;
    if (new Date(next.departureAt) <= new Date(previous.arrivalAt))
      return `flight ${next.flightNumber} leaves before ${previous.flightNumber} lands`;
  }
  return null;
}

class StateChanged extends Error {}
/** The booking id was stored meanwhile by another run of the same keyed request: answer with its booking, keep its hold. */
class BookingExists extends Error {
  constructor(readonly booking: BookingRecord) {
    super('booking already stored');
  }
}

export function createBookingService(deps: {
  db: Db;
  holds: HoldsClient;
  settlement: Settlement;
  clock: Clock;
  logger: Logger;
  holdSeconds: number;
  currency: string;
  afterCommit: () => void;
}) {
  const { db, clock } = deps;
  const soldOut = createSoldOutMemory({ clock });

  /** The booking if it is the caller's (or the caller is an admin and `allowAdmin`), else null. */
  const ownBooking = async (caller: UserCaller, id: string, allowAdmin = false) => {
    const booking = await bookingsRepository.findById(db, id);
    return booking && (booking.userId === caller.id || (allowAdmin && caller.role === 'admin')) ? booking : null;
  };
  const findOwn = async (caller: UserCaller, id: string, allowAdmin = false) => {
    const booking = await ownBooking(caller, id, allowAdmin);
    // Someone else's booking does not exist as far as the caller can tell.
    if (!booking) throw new AppError('NOT_FOUND', 'Booking not found');
    return booking;
  };

  /**
   * Stores the held booking with its `booking.created` event in one statement and returns it as
   * stored, without reading it back; a reference collision (unique index) just draws another.
   */
  async function store(bookingId: string, caller: UserCaller, body: CreateBookingBody, hold: Hold, expiresAt: Date, now: Date) {
    const segments: SegmentSnapshot[] = hold.segments;
    const totalAmount = segments.reduce((sum, segment) => sum + segment.fare.amount, 0) * body.passengers.length;
    for (let attempt = 0; ; attempt += 1) {
      const booking: BookingRecord = {
        id: bookingId,
        reference: newReference(),
        userId: caller.id,
        contactEmail: body.contactEmail ?? caller.email,
        status: 'PENDING',
        cabin: body.cabin,
        passengers: body.passengers,
        totalPrice: { amount: totalAmount, currency: deps.currency },
        expiresAt,
        payingUntil: null,
        cancelReason: null,
        releasePending: false,
        seatsReleasedAt: null,
        createdAt: now,
        updatedAt: now,
        segments,
        payment: null,
        refund: null,
      };
      try {
        await bookingsRepository.insertWithEvents(db, booking, [createEvent('booking.created', toSnapshot(booking), clock)]);
        return booking;
      } catch (error) {
        if (attempt < 5 && isUniqueViolation(error, 'bookings_reference_key')) continue;
        // The run this one re-runs was still going, and stored its booking first: that one is the answer.
        if (isUniqueViolation(error, 'bookings_pkey')) {
          const stored = await ownBooking(caller, bookingId);
          if (stored) throw new BookingExists(stored);
        }
        throw error;
      }
    }
  }

  /** Holds the seats for `bookingId` in flights, then stores the booking; the hold goes back if the booking cannot be stored. */
  async function holdAndStore(bookingId: string, caller: UserCaller, body: CreateBookingBody): Promise<BookingRecord> {
    const now = clock.now();
    const expiresAt = new Date(now.getTime() + deps.holdSeconds * 1000);
    const request = {
      bookingId,
      cabin: body.cabin,
      passengers: body.passengers.length,
      bookingExpiresAt: expiresAt.toISOString(),
      segments: body.flightIds.map((flightId) => ({
        flightId,
        seats: (body.seats ?? []).filter((s) => s.flightId === flightId).map(({ passenger, seat }) => ({ passenger, seat })),
      })),
    };
    let hold: Hold;
    try {
      hold = await deps.holds.hold(request);
    } catch (error) {
      if (error instanceof AppError && error.code === 'SEATS_UNAVAILABLE' && body.flightIds.length === 1) {
        soldOut.remember(body.flightIds[0] as string, body.cabin, body.passengers.length);
      }
      // No answer does not mean no hold: give back whatever flights may have kept for this id.
      if (error instanceof AppError && (error.code === 'UPSTREAM_TIMEOUT' || error.code === 'UPSTREAM_UNAVAILABLE')) {
        await deps.settlement.tryLater('release after failed hold', bookingId, () => deps.holds.release(bookingId));
      }
      throw error;
    }
    // Only a re-run's id can find its hold no longer held (flights answers a repeated hold with the
    // first one); nothing of this run's to give back then.
    if (hold.status !== 'HELD') throw new AppError('SEATS_UNAVAILABLE', 'The seats held for this booking were released');
    try {
      if (hold.segments.length !== body.flightIds.length || hold.segments.some((s, i) => s.flightId !== body.flightIds[i])) {
        throw new AppError('INTERNAL_ERROR', 'flights answered a hold for other flights');
      }
      const problem = itineraryProblem(hold.segments);
      if (problem) throw new AppError('VALIDATION_FAILED', problem, { errors: [{ field: 'flightIds', message: problem }] });
      const foreign = hold.segments.find((s) => s.fare.currency !== deps.currency);
      if (foreign)
        throw new AppError(
          'FLIGHT_NOT_BOOKABLE',
          `Flight ${foreign.flightNumber} is priced in ${foreign.fare.currency}, not ${deps.currency}`,
        );
      const booking = await store(bookingId, caller, body, hold, expiresAt, now);
      deps.afterCommit();
      return booking;
    } catch (error) {
      if (error instanceof BookingExists) return error.booking;
      await deps.settlement.tryLater('release after failed create', bookingId, () => deps.holds.release(bookingId));
      throw error;
    }
  }

  return {
    /**
     * DESIGN.md §2 step 2: the id first, then the hold in flights (priced there, never by the
     * client), then the booking. If the booking cannot be stored the hold goes back at once
     * (and by itself at its expiry should even that fail).
     *
     * `attempt` comes from the request's Idempotency-Key: the booking id to use, and whether an
     * earlier run with that key may have got somewhere before it crashed without recording its
     * answer. Such a re-run answers with the booking that run stored, or stores it on the seats
     * that run held; only when those seats are gone does it hold afresh under a new id. So a retry
     * never makes a second booking, whatever point the first run reached.
     */
    async create(caller: UserCaller, body: CreateBookingBody, attempt?: { bookingId: string; rerun: boolean }): Promise<BookingRecord> {
      if (!attempt?.rerun) return holdAndStore(attempt?.bookingId ?? randomUUID(), caller, body);
      const earlier = await ownBooking(caller, attempt.bookingId);
      if (earlier) return earlier;
      try {
        return await holdAndStore(attempt.bookingId, caller, body);
      } catch (error) {
        if (!(error instanceof AppError && error.code === 'SEATS_UNAVAILABLE')) throw error;
        return holdAndStore(randomUUID(), caller, body);
      }
    },

    /** Refuses at once what flights refused a moment ago (a sold-out flight): no key claimed, nothing asked. */
    refuseIfKnownSoldOut: (body: CreateBookingBody) => soldOut.refuseIfKnown(body.flightIds, body.cabin, body.passengers.length),

    get: (caller: UserCaller, id: string) => findOwn(caller, id),

    async list(filter: { userId?: string; flightId?: string; status?: BookingStatus; limit: number; cursor?: string | undefined }) {
      const after = decodeCursor(filter.cursor);
      const items = await bookingsRepository.list(db, {
        ...(filter.userId ? { userId: filter.userId } : {}),
        ...(filter.flightId ? { flightId: filter.flightId } : {}),
        ...(filter.status ? { status: filter.status } : {}),
        limit: filter.limit + 1,
        ...(after ? { after } : {}),
      });
      const page = items.slice(0, filter.limit);
      const last = page[page.length - 1];
      return { items: page, nextCursor: items.length > filter.limit && last ? encodeCursor(last) : null };
    },

    liveIds: (ids: string[]) => bookingsRepository.liveIds(db, ids),

    /**
     * PENDING or CONFIRMED → CANCELLED by the owner or an admin: seats back once; a paid booking
     * is refunded through the provider, recorded first so a crash cannot lose it.
     */
    async cancel(caller: UserCaller, id: string): Promise<BookingRecord> {
      const booking = await findOwn(caller, id, true);
      const reason = booking.userId === caller.id ? 'customer' : 'admin';
      const now = clock.now();
      if (booking.status === 'PAYING') {
        throw new AppError('INVALID_BOOKING_STATE', 'A payment for this booking is in progress; try again shortly', {
          headers: { 'retry-after': '2' },
        });
      }
      if (booking.status !== 'PENDING' && booking.status !== 'CONFIRMED') {
        throw new AppError('INVALID_BOOKING_STATE', `A ${booking.status.toLowerCase()} booking cannot be cancelled`);
      }
      let refund;
      try {
        refund = await db.transaction(async (tx) => {
          if (!(await bookingsRepository.cancel(tx, id, booking.status, reason, now))) throw new StateChanged();
          const payment = booking.status === 'CONFIRMED' ? await paymentsRepository.findLive(tx, id) : null;
          const owed = payment ? await paymentsRepository.insertRefund(tx, { id: randomUUID(), payment, reason, now }) : null;
          const cancelled = (await bookingsRepository.findById(tx, id)) as BookingRecord;
          await writeOutbox(tx, 'bookings', [
            createEvent('booking.cancelled', { ...toSnapshot(cancelled), reason, refund: owed?.amount ?? null }, clock),
          ]);
          return owed;
        });
      } catch (error) {
        if (!(error instanceof StateChanged)) throw error;
        const current = await findOwn(caller, id, true);
        throw new AppError('INVALID_BOOKING_STATE', `The booking is now ${current.status.toLowerCase()}`);
      }
      deps.afterCommit();
      await deps.settlement.tryLater('release after cancel', id, () => deps.settlement.releaseSeats(id));
      if (refund) await deps.settlement.tryLater('refund after cancel', id, () => deps.settlement.refund(refund));
      return findOwn(caller, id, true);
    },
  };
}
export type BookingService = ReturnType<typeof createBookingService>;
