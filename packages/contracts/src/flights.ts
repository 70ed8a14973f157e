import { z } from 'zod';
import { CabinClass, FlightTimes, IataCode, Money, SeatCode, Uuid, pageOf } from './common.js';

/** Public HTTP schemas of the flights service (DESIGN.md §5). */

const trimmed = (max: number) => z.string().trim().min(1, 'is required').max(max, `must be at most ${max} characters`);
export const CountryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an ISO 3166-1 alpha-2 code such as US');
export const FlightNumber = z
  .string()
  .regex(/^(?:[A-Z]{2}|[A-Z][0-9]|[0-9][A-Z])[0-9]{1,4}$/, 'must be an airline designator and a number, e.g. AF123');
export const LocalDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be a date YYYY-MM-DD');
export const LocalTimeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'must be a local time HH:MM');

export const ListQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(50),
  cursor: z.string().max(500).optional(),
});

// Cities
export const CityInput = z.strictObject({ name: trimmed(100), countryCode: CountryCode });
export const CityPatch = CityInput.partial();
export const City = z.object({ id: Uuid, name: z.string(), countryCode: z.string(), createdAt: z.iso.datetime() });
export type City = z.infer<typeof City>;
export const CityPage = pageOf(City);

// Airports
export const AirportInput = z.strictObject({
  code: IataCode,
  name: trimmed(120),
  cityId: Uuid,
  timeZone: z.string().min(1).max(64),
  latitude: z.number().min(-90).max(90).optional(),
  longitude: z.number().min(-180).max(180).optional(),
});
export const AirportPatch = AirportInput.partial();
export const Airport = z.object({
  id: Uuid,
  code: z.string(),
  name: z.string(),
  cityId: Uuid,
  cityName: z.string(),
  countryCode: z.string(),
  timeZone: z.string(),
  latitude: z.number().nullable(),
  longitude: z.number().nullable(),
  createdAt: z.iso.datetime(),
});
export type Airport = z.infer<typeof Airport>;
export const AirportPage = pageOf(Airport);

// Airplanes
const seatLetter = z.string().regex(/^[A-Z]$/, 'must be one seat letter');
export const CabinLayout = z.strictObject({
  cabin: CabinClass,
  firstRow: z.number().int().min(1).max(199),
  lastRow: z.number().int().min(1).max(199),
  seatLetters: z.string().regex(/^[A-Z]{1,12}$/, 'must be 1 to 12 uppercase seat letters, e.g. ABCDEF'),
  aisleAfter: z.array(seatLetter).max(4).optional(),
  exitRows: z.array(z.number().int().min(1).max(199)).max(20).optional(),
  blockedSeats: z.array(SeatCode).max(200).optional(),
});
export type CabinLayout = z.infer<typeof CabinLayout>;
export const AirplaneInput = z.strictObject({
  model: trimmed(80),
  registration: z.string().regex(/^[A-Z0-9]{1,3}-?[A-Z0-9]{1,6}$/, 'must be an aircraft registration such as N123AF or F-GKXA'),
  cabins: z.array(CabinLayout).min(1, 'needs at least one cabin').max(4),
});
export const AirplanePatch = AirplaneInput.partial();
export const CabinCapacity = z.object({
  cabin: CabinClass,
  seats: z.number().int(),
  blocked: z.number().int(),
  capacity: z.number().int(),
});
export const Airplane = z.object({
  id: Uuid,
  model: z.string(),
  registration: z.string(),
  cabins: z.array(CabinLayout),
  capacity: z.array(CabinCapacity),
  totalCapacity: z.number().int(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Airplane = z.infer<typeof Airplane>;
export const AirplanePage = pageOf(Airplane);

// Flights
export const FlightStatus = z.enum(['SCHEDULED', 'CANCELLED']);
export type FlightStatus = z.infer<typeof FlightStatus>;
export const Fares = z.strictObject({
  economy: Money.optional(),
  premium_economy: Money.optional(),
  business: Money.optional(),
  first: Money.optional(),
});
export const FlightInput = z.strictObject({
  flightNumber: FlightNumber,
  airplaneId: Uuid,
  from: IataCode,
  to: IataCode,
  departureAt: z.iso.datetime({ offset: true }),
  arrivalAt: z.iso.datetime({ offset: true }),
  fares: Fares,
});
export const FlightPatch = FlightInput.partial();
export const CabinAvailability = z.object({
  cabin: CabinClass,
  capacity: z.number().int(),
  available: z.number().int(),
  fare: Money,
});
export const Flight = z.object({
  id: Uuid,
  flightNumber: z.string(),
  airplaneId: Uuid,
  airplaneModel: z.string(),
  from: z.string(),
  to: z.string(),
  ...FlightTimes,
  status: FlightStatus,
  fares: Fares,
  /** Seats left per cabin; advisory (a hold decides). */
  availability: z.array(CabinAvailability),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type Flight = z.infer<typeof Flight>;
export const FlightPage = pageOf(Flight);
export const FlightListQuery = ListQuery.extend({
  from: IataCode.optional(),
  to: IataCode.optional(),
  date: LocalDate.optional(),
  status: FlightStatus.optional(),
  airplaneId: Uuid.optional(),
});

export const SeatStatus = z.enum(['AVAILABLE', 'HELD', 'SOLD', 'BLOCKED']);
export const SeatView = z.object({ seat: z.string(), status: SeatStatus, window: z.boolean(), aisle: z.boolean(), exit: z.boolean() });
export const SeatMap = z.object({
  flightId: Uuid,
  cabins: z.array(z.object({ cabin: CabinClass, rows: z.array(z.object({ row: z.number().int(), seats: z.array(SeatView) })) })),
});
export type SeatMap = z.infer<typeof SeatMap>;

// Search
export const SearchSort = z.enum(['price', 'departure', 'duration']);
export const SearchQuery = z
  .strictObject({
    from: IataCode,
    to: IataCode,
    date: LocalDate,
    passengers: z.coerce.number().int().min(1).max(9).default(1),
    cabin: CabinClass.default('economy'),
    minPrice: z.coerce.number().int().min(0).max(100_000_000).optional(),
    maxPrice: z.coerce.number().int().min(0).max(100_000_000).optional(),
    departAfter: LocalTimeOfDay.optional(),
    departBefore: LocalTimeOfDay.optional(),
    arriveAfter: LocalTimeOfDay.optional(),
    arriveBefore: LocalTimeOfDay.optional(),
    maxStops: z.coerce.number().int().min(0).max(1).default(1),
    sort: SearchSort.default('price'),
    order: z.enum(['asc', 'desc']).default('asc'),
    limit: z.coerce.number().int().min(1).max(100).default(20),
    cursor: z.string().max(500).optional(),
  })
  .superRefine((query, ctx) => {
    if (query.from === query.to) ctx.addIssue({ code: 'custom', path: ['to'], message: 'must differ from from' });
    if (query.minPrice !== undefined && query.maxPrice !== undefined && query.minPrice > query.maxPrice) {
      ctx.addIssue({ code: 'custom', path: ['minPrice'], message: 'must not exceed maxPrice' });
    }
    const [y, m, d] = query.date.split('-').map(Number) as [number, number, number];
    const date = new Date(Date.UTC(y, m - 1, d));
    if (date.getUTCFullYear() !== y || date.getUTCMonth() !== m - 1 || date.getUTCDate() !== d) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'is not a calendar date' });
    }
  });
export type SearchQuery = z.infer<typeof SearchQuery>;

export const SearchSegment = z.object({
  id: Uuid,
  flightNumber: z.string(),
  from: z.string(),
  to: z.string(),
  ...FlightTimes,
  cabin: CabinClass,
  fare: Money,
});
export const Itinerary = z.object({
  id: z.string(),
  segments: z.array(SearchSegment),
  stops: z.number().int(),
  price: Money,
  totalPrice: Money,
  durationMinutes: z.number().int(),
  seatsAvailable: z.number().int(),
});
export type Itinerary = z.infer<typeof Itinerary>;
export const SearchAnswer = z.object({ itineraries: z.array(Itinerary), nextCursor: z.string().nullable() });
export type SearchAnswer = z.infer<typeof SearchAnswer>;

// Inventory check
export const InventoryCheckQuery = z.strictObject({ flightId: Uuid.optional() });
export const InventoryViolation = z.object({
  kind: z.string(),
  flightId: z.string().nullable(),
  cabin: z.string().nullable(),
  detail: z.string(),
});
export const InventoryCheck = z.object({
  ok: z.boolean(),
  flightsChecked: z.number().int(),
  holdsChecked: z.number().int(),
  /** Whether every active hold was confirmed live with bookings; false when bookings was unreachable. */
  bookingsCrossChecked: z.boolean(),
  crossCheckError: z.string().optional(),
  violations: z.array(InventoryViolation),
});
export type InventoryCheck = z.infer<typeof InventoryCheck>;
