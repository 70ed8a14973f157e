import type { CreateBookingBody, PayBookingBody } from '@aerofly/contracts';
import { api, newIdempotencyKey } from './client';
import { readSession, writeSession } from './session';
import type {
  Airplane,
  AirplaneInput,
  Airport,
  AuthAnswer,
  Booking,
  CabinClass,
  City,
  Flight,
  InventoryCheck,
  Money,
  Notification,
  Page,
  SearchAnswer,
  SeatMap,
} from './types';

/** Every call the web app makes, all to the public API at /api/v1 (DESIGN.md §5). */

export async function signUp(body: { email: string; password: string; name: string }): Promise<AuthAnswer> {
  const answer = await api<AuthAnswer>('/auth/signup', { method: 'POST', body, auth: 'none' });
  writeSession(answer);
  return answer;
}

export async function logIn(body: { email: string; password: string }): Promise<AuthAnswer> {
  const answer = await api<AuthAnswer>('/auth/login', { method: 'POST', body, auth: 'none' });
  writeSession(answer);
  return answer;
}

export async function logOut(): Promise<void> {
  const session = readSession();
  try {
    if (session) await api<void>('/auth/logout', { method: 'POST', body: { refreshToken: session.refreshToken }, auth: 'required' });
  } finally {
    writeSession(null);
  }
}

/** Reads every page of a list (small reference lists such as airports). */
async function readAll<T>(path: string, query: Record<string, string | number> = {}, maxPages = 20): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | null = null;
  for (let page = 0; page < maxPages; page += 1) {
    const answer: Page<T> | T[] = await api<Page<T> | T[]>(path, { query: { ...query, limit: 100, cursor } });
    if (Array.isArray(answer)) return answer;
    items.push(...answer.items);
    cursor = answer.nextCursor;
    if (!cursor) break;
  }
  return items;
}

export const listAirports = () => readAll<Airport>('/airports');
export const listCities = () => readAll<City>('/cities');
export const listAirplanes = () => readAll<Airplane>('/airplanes');

export type SearchQuery = {
  from: string;
  to: string;
  date: string;
  passengers: number;
  cabin: CabinClass;
  minPrice?: number;
  maxPrice?: number;
  departAfter?: string;
  departBefore?: string;
  arriveAfter?: string;
  arriveBefore?: string;
  maxStops?: number;
  sort?: 'price' | 'departure' | 'duration';
  order?: 'asc' | 'desc';
  limit?: number;
  cursor?: string;
};

export const searchFlights = (query: SearchQuery, signal?: AbortSignal) => api<SearchAnswer>('/flights/search', { query, signal });
export const getFlight = (id: string) => api<Flight>(`/flights/${encodeURIComponent(id)}`);
export const getSeatMap = (id: string) => api<SeatMap>(`/flights/${encodeURIComponent(id)}/seats`);

export const createBooking = (body: CreateBookingBody, idempotencyKey: string) =>
  api<Booking>('/bookings', { method: 'POST', body, auth: 'required', idempotencyKey });
export const getBooking = (id: string) => api<Booking>(`/bookings/${encodeURIComponent(id)}`, { auth: 'required' });
export const listBookings = (cursor?: string) => api<Page<Booking>>('/bookings', { auth: 'required', query: { cursor, limit: 20 } });
export const cancelBooking = (id: string) =>
  api<Booking>(`/bookings/${encodeURIComponent(id)}/cancel`, {
    method: 'POST',
    body: {},
    auth: 'required',
    idempotencyKey: newIdempotencyKey(),
  });

export type CardDetails = PayBookingBody['card'];
export const payBooking = (id: string, body: PayBookingBody, idempotencyKey: string) =>
  api<Booking>(`/bookings/${encodeURIComponent(id)}/payments`, { method: 'POST', body, auth: 'required', idempotencyKey });

// Admin
export const createCity = (body: { name: string; countryCode: string }) => api<City>('/cities', { method: 'POST', body, auth: 'required' });
export const createAirport = (body: { code: string; name: string; cityId: string; timeZone: string }) =>
  api<Airport>('/airports', { method: 'POST', body, auth: 'required' });
export const createAirplane = (body: AirplaneInput) => api<Airplane>('/airplanes', { method: 'POST', body, auth: 'required' });
export type FlightFilter = { from?: string; to?: string; date?: string; cursor?: string };
export const listFlights = (query: FlightFilter = {}) => api<Page<Flight>>('/flights', { query: { limit: 50, ...query } });
export const createFlight = (body: {
  flightNumber: string;
  airplaneId: string;
  from: string;
  to: string;
  departureAt: string;
  arrivalAt: string;
  fares: Partial<Record<CabinClass, Money>>;
}) => api<Flight>('/flights', { method: 'POST', body, auth: 'required' });
export const updateFares = (id: string, fares: Partial<Record<CabinClass, Money>>) =>
  api<Flight>(`/flights/${encodeURIComponent(id)}`, { method: 'PATCH', body: { fares }, auth: 'required' });
export const cancelFlight = (id: string) =>
  api<Flight>(`/flights/${encodeURIComponent(id)}/cancel`, { method: 'POST', body: {}, auth: 'required' });
export const checkInventory = (flightId?: string) =>
  api<InventoryCheck>('/admin/inventory/check', { query: { flightId }, auth: 'required' });
export const listFailedNotifications = () =>
  api<Page<Notification> | Notification[]>('/admin/notifications', { query: { status: 'failed', limit: 50 }, auth: 'required' }).then(
    (answer) => (Array.isArray(answer) ? answer : answer.items),
  );

/** The dev mailbox exists only in embedded mode; in server mode the path is unknown to the gateway. */
export async function hasDevMailbox(): Promise<boolean> {
  try {
    const response = await fetch('/dev/mailbox', { method: 'GET', headers: { accept: 'text/html' } });
    if (!response.ok) return false;
    const text = await response.text();
    return !text.includes('id="root"');
  } catch {
    return false;
  }
}
