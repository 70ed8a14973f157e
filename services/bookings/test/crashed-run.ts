import type { Kv } from '@aerofly/platform';
import type { TestDb } from '@aerofly/testing';

/**
 * Leaves a user's Idempotency-Keys as a run that crashed mid-request leaves them: claimed, no
 * answer recorded, the lease run out (in PostgreSQL and in the kv fast path), so a retry takes over.
 */
export async function lapseClaims(db: TestDb, kv: Kv, userId: string): Promise<void> {
  await db.query(
    `UPDATE bookings.idempotency_keys SET status_code = NULL, headers = NULL, body = NULL, completed_at = NULL,
            locked_until = now() - interval '1 second'
      WHERE user_id = $1`,
    [userId],
  );
  await kv.deleteByPrefix('idem:bookings:');
}

/** As if the run crashed after flights held the seats, before the booking and its event were stored. */
export async function unstoreBooking(db: TestDb, bookingId: string): Promise<void> {
  await db.query(`DELETE FROM bookings.outbox WHERE data->>'bookingId' = $1`, [bookingId]);
  await db.query(`DELETE FROM bookings.bookings WHERE id = $1`, [bookingId]);
}
