import { z } from 'zod';
import { CabinClass, Money, SeatCode, Uuid, pageOf } from './common.js';
import { BookingStatus } from './events.js';
import { FlightSnapshot, SeatAssignment } from './holds.js';

const personName = z
  .string()
  .trim()
  .min(1, 'is required')
  .max(60, 'must be at most 60 characters')
  .regex(/^[\p{L}\p{M}][\p{L}\p{M}' .-]*$/u, 'must contain letters only (spaces, apostrophes, dots and hyphens allowed)');

export const PassengerInput = z.strictObject({ firstName: personName, lastName: personName });
export type PassengerInput = z.infer<typeof PassengerInput>;

export const ChosenSeat = z.strictObject({
  flightId: Uuid,
  passenger: z.number().int().min(0).max(8),
  seat: SeatCode,
});

/** `POST /api/v1/bookings` */
export const CreateBookingBody = z
  .strictObject({
    flightIds: z.array(Uuid).min(1, 'needs at least one flight').max(4, 'at most 4 flights'),
    cabin: CabinClass,
    passengers: z.array(PassengerInput).min(1, 'needs at least one passenger').max(9, 'at most 9 passengers'),
    seats: z.array(ChosenSeat).max(36).optional(),
    contactEmail: z.email().max(254).optional(),
  })
  .superRefine((body, ctx) => {
    if (new Set(body.flightIds).size !== body.flightIds.length) {
      ctx.addIssue({ code: 'custom', path: ['flightIds'], message: 'must not repeat a flight' });
    }
    const passengerOnFlight = new Set<string>();
    const seatOnFlight = new Set<string>();
    (body.seats ?? []).forEach((chosen, i) => {
      if (!body.flightIds.includes(chosen.flightId)) {
        ctx.addIssue({ code: 'custom', path: ['seats', i, 'flightId'], message: 'is not one of flightIds' });
      }
      if (chosen.passenger >= body.passengers.length) {
        ctx.addIssue({ code: 'custom', path: ['seats', i, 'passenger'], message: 'is not the index of a passenger' });
      }
      const passengerKey = `${chosen.flightId}/${chosen.passenger}`;
      if (passengerOnFlight.has(passengerKey)) {
        ctx.addIssue({ code: 'custom', path: ['seats', i, 'passenger'], message: 'already has a seat on this flight' });
      }
      passengerOnFlight.add(passengerKey);
      const seatKey = `${chosen.flightId}/${chosen.seat}`;
      if (seatOnFlight.has(seatKey)) {
        ctx.addIssue({ code: 'custom', path: ['seats', i, 'seat'], message: 'is chosen twice on this flight' });
      }
      seatOnFlight.add(seatKey);
    });
  });
export type CreateBookingBody = z.infer<typeof CreateBookingBody>;

export const BookingSegment = FlightSnapshot.extend({
  /** The flight's id (same as `flightId`), as in search results. */
  id: Uuid,
  cabin: CabinClass,
  fare: Money,
  seats: z.array(SeatAssignment),
});
export type BookingSegment = z.infer<typeof BookingSegment>;

export const PaymentStatus = z.enum(['PROCESSING', 'SUCCEEDED', 'FAILED', 'REFUNDED']);
export const PaymentView = z.object({
  id: Uuid,
  status: PaymentStatus,
  amount: Money,
  brand: z.string(),
  last4: z.string(),
  createdAt: z.iso.datetime(),
});
export type PaymentView = z.infer<typeof PaymentView>;

export const RefundView = z.object({ amount: Money, status: z.enum(['PENDING', 'SUCCEEDED']), createdAt: z.iso.datetime() });

export const BookingView = z.object({
  id: Uuid,
  reference: z.string(),
  status: BookingStatus,
  userId: z.string(),
  contactEmail: z.string(),
  cabin: CabinClass,
  passengers: z.array(z.object({ firstName: z.string(), lastName: z.string() })),
  segments: z.array(BookingSegment),
  totalPrice: Money,
  expiresAt: z.iso.datetime(),
  /** The server's clock when answering, so a client can show an honest countdown. */
  serverTime: z.iso.datetime(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  cancelReason: z.string().nullable(),
  payment: PaymentView.nullable(),
  refund: RefundView.nullable(),
});
export type BookingView = z.infer<typeof BookingView>;

export const BookingPage = pageOf(BookingView);

export const BookingIdParams = z.strictObject({ id: Uuid });

export const ListBookingsQuery = z.strictObject({
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});

export const AdminListBookingsQuery = ListBookingsQuery.extend({
  flightId: Uuid.optional(),
  status: BookingStatus.optional(),
  userId: z.string().max(100).optional(),
});

/** `POST /api/v1/bookings/:id/cancel`; the body may be empty. */
export const CancelBookingBody = z.strictObject({ reason: z.string().max(200).optional() }).nullish();

/** Card data is only ever checked and passed to the provider; brand and last four digits are kept. */
export const CardInput = z.strictObject({
  number: z
    .string()
    .transform((value) => value.replace(/[\s-]/g, ''))
    .pipe(z.string().regex(/^\d{12,19}$/, 'must be 12 to 19 digits')),
  expMonth: z.number().int().min(1, 'must be 1 to 12').max(12, 'must be 1 to 12'),
  expYear: z.number().int().min(2000, 'must be a four-digit year').max(2100, 'must be a four-digit year'),
  cvc: z.string().regex(/^\d{3,4}$/, 'must be 3 or 4 digits'),
});

/** `POST /api/v1/bookings/:id/payments` */
export const PayBookingBody = z.strictObject({ card: CardInput, amount: Money });
export type PayBookingBody = z.infer<typeof PayBookingBody>;
