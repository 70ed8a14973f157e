/**
 * The web app's names for the public API's shapes. Every one comes from `@aerofly/contracts`
 * (types only, so the schemas stay out of the bundle).
 */
import type {
  Airplane,
  AuthResponse,
  BookingView,
  CabinClass,
  Itinerary,
  Money,
  NotificationView,
  PaymentView,
  SeatMap,
} from '@aerofly/contracts';

export type {
  Airplane,
  Airport,
  BookingSegment,
  CabinClass,
  CabinLayout,
  City,
  Flight,
  FlightStatus,
  InventoryCheck,
  Itinerary,
  Money,
  Problem,
  Role,
  SearchAnswer,
  SeatMap,
  User,
} from '@aerofly/contracts';

export type AuthAnswer = AuthResponse;
export type SeatMapCabin = SeatMap['cabins'][number];
export type Seat = SeatMapCabin['rows'][number]['seats'][number];
export type SeatStatus = Seat['status'];
export type Segment = Itinerary['segments'][number];
export type Booking = BookingView;
export type BookingStatus = Booking['status'];
export type Payment = PaymentView;
export type Notification = NotificationView;
export type AirplaneInput = Pick<Airplane, 'model' | 'registration' | 'cabins'>;
export type Fares = Partial<Record<CabinClass, Money>>;

/** Every list answers `{items, nextCursor}` (DESIGN.md §4). */
export type Page<T> = { items: T[]; nextCursor: string | null };
