import { z } from 'zod';
import { CabinClass, Money, Uuid } from './common.js';
import { FlightSnapshot, SeatAssignment } from './holds.js';

export const BookingStatus = z.enum(['PENDING', 'PAYING', 'CONFIRMED', 'EXPIRED', 'CANCELLED']);
export type BookingStatus = z.infer<typeof BookingStatus>;

export const Passenger = z.object({ firstName: z.string(), lastName: z.string() });

/** A self-contained picture of a booking, so consumers never call another service. */
export const BookingSnapshot = z.object({
  bookingId: Uuid,
  reference: z.string(),
  status: BookingStatus,
  userId: z.string(),
  contactEmail: z.email(),
  cabin: CabinClass,
  passengers: z.array(Passenger),
  segments: z.array(FlightSnapshot.extend({ cabin: CabinClass, fare: Money, seats: z.array(SeatAssignment) })),
  totalPrice: Money,
  expiresAt: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  payment: z.object({ id: Uuid, amount: Money, brand: z.string(), last4: z.string() }).nullable().optional(),
});
export type BookingSnapshot = z.infer<typeof BookingSnapshot>;

export const eventSchemas = {
  'user.registered': z.object({ userId: z.string(), email: z.email(), name: z.string() }),
  'booking.created': BookingSnapshot,
  'booking.confirmed': BookingSnapshot,
  'booking.cancelled': BookingSnapshot.extend({
    reason: z.enum(['customer', 'admin', 'flight_cancelled']),
    refund: Money.nullable(),
  }),
  'booking.expired': BookingSnapshot,
  'booking.payment_refunded': BookingSnapshot.extend({ refund: Money, reason: z.string() }),
  'flight.cancelled': z.object({
    flightId: Uuid,
    flightNumber: z.string(),
    departureAt: z.iso.datetime(),
    cancelledAt: z.iso.datetime(),
  }),
} as const;

export type EventType = keyof typeof eventSchemas;
export type EventData<T extends EventType> = z.infer<(typeof eventSchemas)[T]>;

/** What travels on the bus. `id` is the dedupe key for consumers. */
export const EventEnvelope = z.object({
  id: Uuid,
  type: z.string(),
  version: z.number().int().min(1),
  occurredAt: z.iso.datetime(),
  data: z.unknown(),
});
export type EventEnvelope<T = unknown> = Omit<z.infer<typeof EventEnvelope>, 'data'> & { data: T };

/** Parses an envelope and its data against the schema of its type; throws a ZodError when malformed. */
export function parseEvent<T extends EventType>(type: T, envelope: EventEnvelope): EventData<T> {
  return eventSchemas[type].parse(envelope.data) as EventData<T>;
}

/**
 * Every consumer queue and the event types it takes. Each process declares them all before it
 * publishes, so an event published before its consumer has ever started waits in that consumer's
 * queue instead of being dropped as unroutable.
 */
export const consumerQueues = {
  email: {
    queue: 'notifications.email',
    topics: ['booking.confirmed', 'booking.cancelled', 'booking.expired', 'booking.payment_refunded', 'user.registered'],
  },
  flightCancelled: { queue: 'bookings.flight-cancelled', topics: ['flight.cancelled'] },
} as const satisfies Record<string, { queue: string; topics: readonly EventType[] }>;
