import { randomUUID } from 'node:crypto';
import type { CabinClass, Money } from '@aerofly/contracts';
import { AppError, createEvent, isUniqueViolation, writeOutbox, type Clock, type Db, type FieldError } from '@aerofly/platform';
import { airplanesRepository } from '../airplanes/airplanes.repository.js';
import { placesRepository } from '../places/places.repository.js';
import { decodeCursor, encodeCursor, invalid, isStringTuple } from '../shared/pagination.js';
import type { ReadCache } from '../shared/read-cache.js';
import { capacityOf, seatsOf, type CabinLayout } from '../shared/seat-map.js';
import { localDateTime, minutesBetween } from '../shared/zones.js';
import { flightsRepository as repo, type FlightRow } from './flights.repository.js';

type Fares = Partial<Record<CabinClass, Money | undefined>>;
type FlightInput = {
  flightNumber: string;
  airplaneId: string;
  from: string;
  to: string;
  departureAt: string;
  arrivalAt: string;
  fares: Fares;
};

/** Longest scheduled flight in service is under 19 h; anything beyond is a typo. */
const maxDurationMinutes = 20 * 60;
const maxFareMinor = 10_000_000;

export function flightView(row: FlightRow) {
  return {
    id: row.id,
    flightNumber: row.flightNumber,
    airplaneId: row.airplaneId,
    airplaneModel: row.airplaneModel,
    from: row.from,
    to: row.to,
    departureAt: row.departureAt.toISOString(),
    arrivalAt: row.arrivalAt.toISOString(),
    departureLocal: localDateTime(row.departureAt, row.departureTimeZone),
    arrivalLocal: localDateTime(row.arrivalAt, row.arrivalTimeZone),
    departureTimeZone: row.departureTimeZone,
    arrivalTimeZone: row.arrivalTimeZone,
    durationMinutes: minutesBetween(row.departureAt, row.arrivalAt),
    status: row.status,
    fares: Object.fromEntries(row.cabins.map((c) => [c.cabin, { amount: c.fareAmount, currency: row.currency }])),
    availability: row.cabins.map((c) => ({
      cabin: c.cabin,
      capacity: c.capacity,
      available: c.available,
      fare: { amount: c.fareAmount, currency: row.currency },
    })),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}
export type FlightView = ReturnType<typeof flightView>;

export function createFlightsService(deps: { db: Db; clock: Clock; cache: ReadCache; currency: string; onEventsWritten?: () => void }) {
  const { db, clock, cache } = deps;

  const findRow = async (id: string) => {
    const row = await repo.find(db, id);
    if (!row) throw new AppError('NOT_FOUND', `No flight ${id}`);
    return row;
  };

  /** Every rule a flight's fields must meet, as field errors, plus the cabins it will sell. */
  const check = async (input: FlightInput, id: string) => {
    const errors: FieldError[] = [];
    if (input.from === input.to) errors.push({ field: 'to', message: 'must differ from from' });
    const departureAt = new Date(input.departureAt);
    const arrivalAt = new Date(input.arrivalAt);
    const minutes = minutesBetween(departureAt, arrivalAt);
    if (minutes <= 0) errors.push({ field: 'arrivalAt', message: 'must be after departureAt' });
    else if (minutes > maxDurationMinutes)
      errors.push({ field: 'arrivalAt', message: `makes the flight longer than ${maxDurationMinutes / 60} hours` });
    if (departureAt <= clock.now()) errors.push({ field: 'departureAt', message: 'must be in the future' });
    const airports = await placesRepository.findAirportsByCodes(db, [input.from, input.to]);
    for (const field of ['from', 'to'] as const) {
      if (!airports.some((a) => a.code === input[field])) errors.push({ field, message: 'is not a known airport' });
    }
    const airplane = await airplanesRepository.find(db, input.airplaneId);
    if (!airplane) errors.push({ field: 'airplaneId', message: 'is not a known airplane' });
    const cabins: { cabin: CabinClass; capacity: number; fareAmount: number }[] = [];
    const layouts: CabinLayout[] = airplane?.cabins ?? [];
    for (const [cabin, fare] of Object.entries(input.fares) as [CabinClass, Money | undefined][]) {
      if (!fare) continue;
      if (airplane && !layouts.some((l) => l.cabin === cabin))
        errors.push({ field: `fares.${cabin}`, message: 'this airplane has no such cabin' });
      if (fare.currency !== deps.currency)
        errors.push({ field: `fares.${cabin}.currency`, message: `must be ${deps.currency}, the operating currency` });
      if (fare.amount < 1 || fare.amount > maxFareMinor)
        errors.push({ field: `fares.${cabin}.amount`, message: `must be between 1 and ${maxFareMinor} minor units` });
    }
    for (const layout of layouts) {
      const fare = input.fares[layout.cabin];
      if (!fare) errors.push({ field: `fares.${layout.cabin}`, message: 'is required: the airplane has this cabin' });
      else cabins.push({ cabin: layout.cabin, capacity: capacityOf(layout).capacity, fareAmount: fare.amount });
    }
    if (errors.length === 0) {
      const overlapping = await repo.findOverlapping(db, input.airplaneId, departureAt, arrivalAt, id);
      if (overlapping) errors.push({ field: 'airplaneId', message: `is flying ${overlapping.flightNumber} at that time` });
    }
    if (errors.length) throw new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
    return { departureAt, arrivalAt, cabins };
  };

  const saveOrExplain = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      if (isUniqueViolation(error, 'flights_number_departure_key')) throw invalid('flightNumber', 'already departs at this time');
      throw error;
    }
  };

  const get = async (id: string): Promise<FlightView> => flightView(await findRow(id));

  return {
    /** Public flight detail, through the short read cache (availability is advisory). */
    async getCached(id: string): Promise<string> {
      const cached = await cache.get('flight', id);
      if (cached) return cached;
      const body = JSON.stringify(await get(id));
      await cache.set('flight', id, body);
      return body;
    },
    get,
    async list(query: {
      limit: number;
      cursor?: string | undefined;
      from?: string | undefined;
      to?: string | undefined;
      date?: string | undefined;
      status?: string | undefined;
      airplaneId?: string | undefined;
    }) {
      const after = query.cursor ? (decodeCursor(query.cursor, isStringTuple(2)) as [string, string]) : undefined;
      const rows = await repo.list(db, { ...query, after });
      const last = rows[rows.length - 1];
      return {
        items: rows.map(flightView),
        nextCursor: rows.length === query.limit && last ? encodeCursor([last.departureAt.toISOString(), last.id]) : null,
      };
    },
    async create(input: FlightInput) {
      const id = randomUUID();
      const checked = await check(input, id);
      await saveOrExplain(() => repo.insert(db, { id, ...input, ...checked, currency: deps.currency, now: clock.now() }));
      await cache.invalidate();
      return get(id);
    },
    async update(id: string, patch: Partial<FlightInput>) {
      const current = await findRow(id);
      if (current.status === 'CANCELLED') throw new AppError('FLIGHT_NOT_BOOKABLE', 'A cancelled flight cannot change');
      const currentFares = Object.fromEntries(current.cabins.map((c) => [c.cabin, { amount: c.fareAmount, currency: current.currency }]));
      const airplaneId = patch.airplaneId ?? current.airplaneId;
      // On another airplane, fares carry over for the cabins it also has.
      const cabinsKept =
        airplaneId === current.airplaneId
          ? null
          : new Set((await airplanesRepository.find(db, airplaneId))?.cabins.map((c) => c.cabin) ?? []);
      const keptFares = Object.fromEntries(
        Object.entries(currentFares).filter(([cabin]) => !cabinsKept || cabinsKept.has(cabin as CabinClass)),
      );
      const next: FlightInput = {
        flightNumber: patch.flightNumber ?? current.flightNumber,
        airplaneId,
        from: patch.from ?? current.from,
        to: patch.to ?? current.to,
        departureAt: patch.departureAt ?? current.departureAt.toISOString(),
        arrivalAt: patch.arrivalAt ?? current.arrivalAt.toISOString(),
        fares: { ...keptFares, ...patch.fares },
      };
      const changesSchedule = (input: FlightInput) =>
        input.airplaneId !== current.airplaneId ||
        input.from !== current.from ||
        input.to !== current.to ||
        Date.parse(input.departureAt) !== current.departureAt.getTime() ||
        Date.parse(input.arrivalAt) !== current.arrivalAt.getTime();
      const inUse = () =>
        new AppError(
          'RESOURCE_IN_USE',
          'Seats on this flight are held or sold; its airplane, route and times cannot change (cancel it instead)',
        );
      if (changesSchedule(next) && (await repo.hasActiveSeats(db, id))) throw inUse();
      const checked = await check(next, id);
      const airplaneChanged = next.airplaneId !== current.airplaneId;
      const scheduleChanged = changesSchedule(next);
      await saveOrExplain(() =>
        db.transaction(async (tx) => {
          await repo.lockInventory(tx, id);
          // Travellers holding seats bought this airplane, route and time: cancel the flight instead.
          if (scheduleChanged && (await repo.hasActiveSeats(tx, id))) throw inUse();
          await repo.update(tx, { id, ...next, ...checked, now: clock.now() }, airplaneChanged);
        }),
      );
      await cache.invalidate();
      return get(id);
    },
    async remove(id: string) {
      const result = await repo.delete(db, id);
      if (result.used) throw new AppError('RESOURCE_IN_USE', 'This flight has had seats held or sold; cancel it instead');
      if (result.deleted === 0) throw new AppError('NOT_FOUND', `No flight ${id}`);
      await cache.invalidate();
    },
    /** Cancels once: new holds are refused from the commit on, and bookings learns it from the outbox. */
    async cancel(id: string) {
      const row = await findRow(id);
      const now = clock.now();
      const cancelled = await db.transaction(async (tx) => {
        const changed = await repo.cancel(tx, id, now);
        if (!changed) return false;
        await writeOutbox(tx, 'flights', [
          createEvent(
            'flight.cancelled',
            { flightId: id, flightNumber: row.flightNumber, departureAt: row.departureAt.toISOString(), cancelledAt: now.toISOString() },
            clock,
          ),
        ]);
        return true;
      });
      if (cancelled) {
        deps.onEventsWritten?.();
        await cache.invalidate();
      }
      return get(id);
    },
    async seatMap(id: string) {
      const row = await findRow(id);
      const airplane = await airplanesRepository.find(db, row.airplaneId);
      const taken = new Map((await repo.takenSeats(db, id)).map((s) => [s.seat, s.status]));
      const sold = new Set(row.cabins.map((c) => c.cabin));
      return {
        flightId: id,
        cabins: (airplane?.cabins ?? [])
          .filter((layout) => sold.has(layout.cabin))
          .map((layout) => {
            const rows = new Map<
              number,
              {
                row: number;
                seats: {
                  seat: string;
                  status: 'AVAILABLE' | 'HELD' | 'SOLD' | 'BLOCKED';
                  window: boolean;
                  aisle: boolean;
                  exit: boolean;
                }[];
              }
            >();
            for (const seat of seatsOf(layout)) {
              const entry = rows.get(seat.row) ?? { row: seat.row, seats: [] };
              entry.seats.push({
                seat: seat.seat,
                status: seat.blocked ? 'BLOCKED' : (taken.get(seat.seat) ?? 'AVAILABLE'),
                window: seat.window,
                aisle: seat.aisle,
                exit: seat.exit,
              });
              rows.set(seat.row, entry);
            }
            return { cabin: layout.cabin, rows: [...rows.values()] };
          }),
      };
    },
  };
}
export type FlightsService = ReturnType<typeof createFlightsService>;
