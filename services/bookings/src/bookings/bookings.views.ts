import type { BookingSnapshot, BookingView } from '@aerofly/contracts';
import type { BookingRecord } from './bookings.repository.js';

/** The self-contained picture every `booking.*` event carries (DESIGN.md §2 step 5). */
export function toSnapshot(booking: BookingRecord): BookingSnapshot {
  const paid = booking.payment && booking.payment.status !== 'FAILED' && booking.payment.status !== 'PROCESSING' ? booking.payment : null;
  return {
    bookingId: booking.id,
    reference: booking.reference,
    status: booking.status,
    userId: booking.userId,
    contactEmail: booking.contactEmail,
    cabin: booking.cabin,
    passengers: booking.passengers,
    segments: booking.segments,
    totalPrice: booking.totalPrice,
    expiresAt: booking.expiresAt.toISOString(),
    createdAt: booking.createdAt.toISOString(),
    payment: paid ? { id: paid.id, amount: paid.amount, brand: paid.brand, last4: paid.last4 } : null,
  };
}

/** The HTTP answer (DESIGN.md §5), with the server's time for an honest countdown. */
export function toView(booking: BookingRecord, now: Date): BookingView {
  return {
    id: booking.id,
    reference: booking.reference,
    status: booking.status,
    userId: booking.userId,
    contactEmail: booking.contactEmail,
    cabin: booking.cabin,
    passengers: booking.passengers,
    segments: booking.segments.map((segment) => ({ ...segment, id: segment.flightId })),
    totalPrice: booking.totalPrice,
    expiresAt: booking.expiresAt.toISOString(),
    serverTime: now.toISOString(),
    createdAt: booking.createdAt.toISOString(),
    updatedAt: booking.updatedAt.toISOString(),
    cancelReason: booking.cancelReason,
    payment: booking.payment
      ? {
          id: booking.payment.id,
          status: booking.payment.status,
          amount: booking.payment.amount,
          brand: booking.payment.brand,
          last4: booking.payment.last4,
          createdAt: booking.payment.createdAt.toISOString(),
        }
      : null,
    refund: booking.refund
      ? { amount: booking.refund.amount, status: booking.refund.status, createdAt: booking.refund.createdAt.toISOString() }
      : null,
  };
}
