import { z } from 'zod';
import { CabinClass, FlightTimes, IataCode, Money, SeatCode, Uuid } from './common.js';

/**
 * Internal API of the flights service for seat holds. Only services reach it (service token,
 * audience `flights`). Every route is keyed by booking id and idempotent.
 *
 *   POST /internal/v1/holds                      HoldRequest → 201 Hold (same body again → same Hold)
 *   GET  /internal/v1/holds/:bookingId           → 200 Hold
 *   POST /internal/v1/holds/:bookingId/pin       PinHoldRequest → 200 Hold (keeps it while a payment runs)
 *   POST /internal/v1/holds/:bookingId/confirm   → 200 Hold status SOLD (409 SEATS_UNAVAILABLE when released)
 *   POST /internal/v1/holds/:bookingId/release   → 200 Hold status RELEASED (once, whoever calls)
 *   POST /internal/v1/holds/release              ReleaseHoldsRequest → 200 ReleaseHoldsResult (up to 1,000 at once)
 *
 * The batch release sorts every id into one list: `released` (its seats went back in this call),
 * `alreadyReleased` (released before, by anyone) or `tombstoned` (no hold existed: one is recorded as
 * released, so a hold that arrives later for that booking is refused). Either way the seats are no
 * longer held once it answers; a retry answers `alreadyReleased` for all of them.
 */
export const SeatAssignment = z.object({
  passenger: z.number().int().min(0).max(8),
  seat: SeatCode,
});
export type SeatAssignment = z.infer<typeof SeatAssignment>;

export const HoldRequest = z.object({
  bookingId: Uuid,
  cabin: CabinClass,
  passengers: z.number().int().min(1).max(9),
  /** The booking's expiry; flights keeps the hold until this plus its grace. */
  bookingExpiresAt: z.iso.datetime(),
  segments: z
    .array(z.object({ flightId: Uuid, seats: z.array(SeatAssignment).max(9).default([]) }))
    .min(1)
    .max(4),
});
export type HoldRequest = z.infer<typeof HoldRequest>;

export const FlightSnapshot = z.object({
  flightId: Uuid,
  flightNumber: z.string(),
  from: IataCode,
  to: IataCode,
  ...FlightTimes,
});
export type FlightSnapshot = z.infer<typeof FlightSnapshot>;

export const HoldStatus = z.enum(['HELD', 'SOLD', 'RELEASED']);
export type HoldStatus = z.infer<typeof HoldStatus>;

export const Hold = z.object({
  bookingId: Uuid,
  status: HoldStatus,
  cabin: CabinClass,
  passengers: z.number().int(),
  expiresAt: z.iso.datetime(),
  segments: z.array(
    FlightSnapshot.extend({
      cabin: CabinClass,
      fare: Money,
      seats: z.array(SeatAssignment),
    }),
  ),
});
export type Hold = z.infer<typeof Hold>;

export const ReleaseReason = z.enum(['released', 'expired', 'cancelled']);
export type ReleaseReason = z.infer<typeof ReleaseReason>;

export const ReleaseHoldsRequest = z.object({
  bookingIds: z
    .array(Uuid)
    .min(1)
    .max(1000)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat a booking id'),
  reason: ReleaseReason.optional(),
});
export type ReleaseHoldsRequest = z.infer<typeof ReleaseHoldsRequest>;

export const ReleaseHoldsResult = z.object({
  released: z.array(Uuid),
  alreadyReleased: z.array(Uuid),
  tombstoned: z.array(Uuid),
});
export type ReleaseHoldsResult = z.infer<typeof ReleaseHoldsResult>;

export const PinHoldRequest = z.object({ until: z.iso.datetime() });
export type PinHoldRequest = z.infer<typeof PinHoldRequest>;

/**
 * Internal API of the bookings service used by flights' inventory check:
 *   POST /internal/v1/bookings/live  LiveBookingsRequest → LiveBookingsResponse
 * `live` lists the ids whose booking exists and still owns seats (PENDING, PAYING, CONFIRMED).
 */
export const LiveBookingsRequest = z.object({ bookingIds: z.array(Uuid).max(1000) });
export const LiveBookingsResponse = z.object({ live: z.array(Uuid) });
export type LiveBookingsResponse = z.infer<typeof LiveBookingsResponse>;
