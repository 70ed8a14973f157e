/**
 * Shapes of the public API answers the web app reads (DESIGN.md §5). Request and answer schemas
 * are owned by `@aerofly/contracts`; these are the read-side views used until every feature's
 * schema is published there, kept to the fields the screens show.
 */
import type { BookingSegment, BookingView, CabinClass, Money, PaymentView, Problem } from '@aerofly/contracts';

export type { CabinClass, Money, Problem };

export type Role = 'customer' | 'admin';
export type User = { id: string; email: string; name: string; role: Role };
export type AuthAnswer = { user: User; accessToken: string; refreshToken: string };

export type City = { id: string; name: string; countryCode: string };
export type Airport = {
  id?: string;
  code: string;
  name: string;
  cityId: string;
  timeZone: string;
  city?: { name: string } | string;
  cityName?: string;
};

export type SeatStatus = 'AVAILABLE' | 'HELD' | 'SOLD' | 'BLOCKED';
export type Seat = { seat: string; status: SeatStatus; window: boolean; aisle: boolean; exit: boolean };
export type SeatMapCabin = { cabin: CabinClass; rows: { row: number; seats: Seat[] }[] };
export type SeatMap = { flightId?: string; cabins: SeatMapCabin[] };

export type CabinLayout = {
  cabin: CabinClass;
  firstRow: number;
  lastRow: number;
  seatLetters: string;
  aisleAfter?: string[];
  exitRows?: number[];
  blockedSeats?: string[];
};
export type Airplane = { id: string; model: string; registration: string; cabins: CabinLayout[] };

export type FlightStatus = 'SCHEDULED' | 'CANCELLED';
export type Flight = {
  id: string;
  flightNumber: string;
  airplaneId: string;
  from: string;
  to: string;
  departureAt: string;
  arrivalAt: string;
  departureLocal?: string;
  arrivalLocal?: string;
  departureTimeZone?: string;
  arrivalTimeZone?: string;
  durationMinutes?: number;
  status?: FlightStatus;
  fares: Partial<Record<CabinClass, Money>>;
  availability?: Partial<Record<CabinClass, number>> | { cabin: CabinClass; available: number }[];
};

export type Segment = {
  id: string;
  flightNumber: string;
  from: string;
  to: string;
  departureAt: string;
  arrivalAt: string;
  departureLocal: string;
  arrivalLocal: string;
  departureTimeZone: string;
  arrivalTimeZone: string;
  durationMinutes: number;
  cabin: CabinClass;
  fare: Money;
};
export type Itinerary = {
  id: string;
  segments: Segment[];
  price: Money;
  totalPrice: Money;
  durationMinutes: number;
  seatsAvailable: number;
};
export type SearchAnswer = { itineraries: Itinerary[]; nextCursor: string | null };

export type Booking = BookingView;
export type BookingStatus = Booking['status'];
export type { BookingSegment, PaymentView as Payment };

export type Page<T> = { items: T[]; nextCursor: string | null };

export type InventoryCheck = { ok: boolean; flightsChecked: number; violations: Record<string, unknown>[] };
export type Notification = {
  id: string;
  eventId?: string;
  eventType?: string;
  type?: string;
  recipient?: string;
  status: string;
  attempts?: number;
  lastError?: string | null;
  updatedAt?: string;
  createdAt?: string;
};
