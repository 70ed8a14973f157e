import type { BookingStatus, CabinClass, FlightSnapshot, Money, SeatAssignment } from '@aerofly/contracts';
import type { EventEnvelope } from '@aerofly/contracts';
import { outboxInsert, type Queryable } from '@aerofly/platform';

export type SegmentSnapshot = FlightSnapshot & { cabin: CabinClass; fare: Money; seats: SeatAssignment[] };

export type PaymentRecord = {
  id: string;
  bookingId: string;
  amount: Money;
  status: 'PROCESSING' | 'SUCCEEDED' | 'FAILED' | 'REFUNDED';
  brand: string;
  last4: string;
  providerReference: string | null;
  createdAt: Date;
};

export type RefundRecord = {
  id: string;
  paymentId: string;
  bookingId: string;
  amount: Money;
  status: 'PENDING' | 'SUCCEEDED';
  reason: string;
  createdAt: Date;
};

export type BookingRecord = {
  id: string;
  reference: string;
  userId: string;
  contactEmail: string;
  status: BookingStatus;
  cabin: CabinClass;
  passengers: { firstName: string; lastName: string }[];
  totalPrice: Money;
  expiresAt: Date;
  payingUntil: Date | null;
  cancelReason: string | null;
  releasePending: boolean;
  seatsReleasedAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
  segments: SegmentSnapshot[];
  payment: PaymentRecord | null;
  refund: RefundRecord | null;
};

type BookingRow = Omit<BookingRecord, 'segments' | 'payment' | 'refund' | 'totalPrice'> & { totalAmount: number; currency: string };

const bookingColumns = `b.id, b.reference, b.user_id AS "userId", b.contact_email AS "contactEmail", b.status, b.cabin, b.passengers,
  b.total_amount AS "totalAmount", b.currency, b.expires_at AS "expiresAt", b.paying_until AS "payingUntil",
  b.cancel_reason AS "cancelReason", b.release_pending AS "releasePending", b.seats_released_at AS "seatsReleasedAt",
  b.created_at AS "createdAt", b.updated_at AS "updatedAt"`;

const paymentColumns = `id, booking_id AS "bookingId", amount, currency, status, brand, last4,
  provider_reference AS "providerReference", created_at AS "createdAt"`;

type PaymentRow = Omit<PaymentRecord, 'amount'> & { amount: number; currency: string };
const toPayment = ({ amount, currency, ...row }: PaymentRow): PaymentRecord => ({ ...row, amount: { amount: Number(amount), currency } });

type RefundRow = Omit<RefundRecord, 'amount'> & { amount: number; currency: string };
const toRefund = ({ amount, currency, ...row }: RefundRow): RefundRecord => ({ ...row, amount: { amount: Number(amount), currency } });

/** Loads segments, the payment that counts and any refund for a set of booking rows. */
async function hydrate(q: Queryable, rows: BookingRow[]): Promise<BookingRecord[]> {
  if (rows.length === 0) return [];
  const ids = rows.map((row) => row.id);
  // One after another: `q` may be a transaction's single connection, which runs one query at a time.
  const segments = await q.query<{ bookingId: string; snapshot: SegmentSnapshot }>(
    `SELECT booking_id AS "bookingId", snapshot FROM bookings.booking_segments WHERE booking_id = ANY($1::uuid[]) ORDER BY booking_id, position`,
    [ids],
  );
  // The attempt that counts: paid or in flight first, then refunded, then the latest failure.
  const payments = await q.query<PaymentRow>(
    `SELECT DISTINCT ON (booking_id) ${paymentColumns} FROM bookings.payments WHERE booking_id = ANY($1::uuid[])
      ORDER BY booking_id, CASE status WHEN 'SUCCEEDED' THEN 0 WHEN 'PROCESSING' THEN 0 WHEN 'REFUNDED' THEN 1 ELSE 2 END, created_at DESC`,
    [ids],
  );
  const refunds = await q.query<RefundRow>(
    `SELECT id, payment_id AS "paymentId", booking_id AS "bookingId", amount, currency, status, reason, created_at AS "createdAt"
       FROM bookings.refunds WHERE booking_id = ANY($1::uuid[])`,
    [ids],
  );
  const segmentsOf = new Map<string, SegmentSnapshot[]>();
  for (const segment of segments.rows) {
    const list = segmentsOf.get(segment.bookingId) ?? [];
    list.push(segment.snapshot);
    segmentsOf.set(segment.bookingId, list);
  }
  // The first row per booking, as the queries order them.
  const firstOf = <R extends { bookingId: string }>(list: R[]) => {
    const first = new Map<string, R>();
    for (const item of list) if (!first.has(item.bookingId)) first.set(item.bookingId, item);
    return first;
  };
  const paymentOf = firstOf(payments.rows);
  const refundOf = firstOf(refunds.rows);
  return rows.map(({ totalAmount, currency, ...row }) => {
    const payment = paymentOf.get(row.id);
    const refund = refundOf.get(row.id);
    return {
      ...row,
      totalPrice: { amount: Number(totalAmount), currency },
      segments: segmentsOf.get(row.id) ?? [],
      payment: payment ? toPayment(payment) : null,
      refund: refund ? toRefund(refund) : null,
    };
  });
}

export type NewBooking = {
  id: string;
  reference: string;
  userId: string;
  contactEmail: string;
  cabin: CabinClass;
  passengers: { firstName: string; lastName: string }[];
  totalPrice: Money;
  expiresAt: Date;
  createdAt: Date;
  segments: SegmentSnapshot[];
};

export type PageCursor = { createdAt: string; id: string };

export const bookingsRepository = {
  /**
   * The new booking, its segments and its events in ONE statement: atomic without a transaction and
   * one round trip on the booking path (a reference collision fails all of it; the caller draws again).
   */
  async insertWithEvents(q: Queryable, booking: NewBooking, events: EventEnvelope[]): Promise<void> {
    const outbox = outboxInsert('bookings', events, 12);
    await q.query(
      `WITH booking AS (
         INSERT INTO bookings.bookings (id, reference, user_id, contact_email, status, cabin, passengers, total_amount, currency,
           expires_at, created_at, updated_at)
         VALUES ($1, $2, $3, $4, 'PENDING', $5, $6::jsonb, $7, $8, $9, $10, $10)
         RETURNING id
       ), segments AS (
         INSERT INTO bookings.booking_segments (booking_id, position, flight_id, snapshot)
         SELECT b.id, (s.position - 1)::int, (s.snapshot->>'flightId')::uuid, s.snapshot
           FROM booking b, jsonb_array_elements($11::jsonb) WITH ORDINALITY AS s(snapshot, position)
       ), events AS (${outbox.sql})
       SELECT 1`,
      [
        booking.id,
        booking.reference,
        booking.userId,
        booking.contactEmail,
        booking.cabin,
        JSON.stringify(booking.passengers),
        booking.totalPrice.amount,
        booking.totalPrice.currency,
        booking.expiresAt,
        booking.createdAt,
        JSON.stringify(booking.segments),
        ...outbox.values,
      ],
    );
  },

  async findById(q: Queryable, id: string): Promise<BookingRecord | null> {
    const { rows } = await q.query<BookingRow>(`SELECT ${bookingColumns} FROM bookings.bookings b WHERE b.id = $1`, [id]);
    return (await hydrate(q, rows))[0] ?? null;
  },

  async findMany(q: Queryable, ids: string[]): Promise<BookingRecord[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<BookingRow>(`SELECT ${bookingColumns} FROM bookings.bookings b WHERE b.id = ANY($1::uuid[])`, [ids]);
    return hydrate(q, rows);
  },

  /** Newest first, keyset-paginated on (created_at, id). */
  async list(
    q: Queryable,
    filter: { userId?: string; flightId?: string; status?: BookingStatus; limit: number; after?: PageCursor },
  ): Promise<BookingRecord[]> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (clause: (n: string) => string, value: unknown) => {
      params.push(value);
      where.push(clause(`$${params.length}`));
    };
    if (filter.userId) add((n) => `b.user_id = ${n}`, filter.userId);
    if (filter.status) add((n) => `b.status = ${n}`, filter.status);
    if (filter.flightId) {
      add((n) => `EXISTS (SELECT 1 FROM bookings.booking_segments s WHERE s.booking_id = b.id AND s.flight_id = ${n})`, filter.flightId);
    }
    if (filter.after) {
      params.push(filter.after.createdAt, filter.after.id);
      where.push(`(b.created_at, b.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
    }
    params.push(filter.limit);
    const { rows } = await q.query<BookingRow>(
      `SELECT ${bookingColumns} FROM bookings.bookings b ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY b.created_at DESC, b.id DESC LIMIT $${params.length}`,
      params,
    );
    return hydrate(q, rows);
  },

  /** Ids among `ids` whose booking still owns seats (flights' inventory cross-check). */
  async liveIds(q: Queryable, ids: string[]): Promise<string[]> {
    if (ids.length === 0) return [];
    const { rows } = await q.query<{ id: string }>(
      `SELECT id FROM bookings.bookings WHERE id = ANY($1::uuid[]) AND status IN ('PENDING', 'PAYING', 'CONFIRMED')`,
      [ids],
    );
    return rows.map((row) => row.id);
  },

  // State transitions: each a compare-and-swap on the status; the caller checks the row count.

  /** PENDING → PAYING, only before the booking expires; the lease says how long the payment may take. */
  async startPaying(q: Queryable, id: string, now: Date, payingUntil: Date): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE bookings.bookings SET status = 'PAYING', paying_until = $3, updated_at = $2
        WHERE id = $1 AND status = 'PENDING' AND expires_at > $2`,
      [id, now, payingUntil],
    );
    return rowCount === 1;
  },

  async confirm(q: Queryable, id: string, now: Date): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE bookings.bookings SET status = 'CONFIRMED', paying_until = NULL, updated_at = $2 WHERE id = $1 AND status = 'PAYING'`,
      [id, now],
    );
    return rowCount === 1;
  },

  /** PAYING → PENDING while still in time, else EXPIRED with its seats owed back. Returns the new status. */
  async endPaying(q: Queryable, id: string, now: Date): Promise<'PENDING' | 'EXPIRED' | null> {
    const { rows } = await q.query<{ status: 'PENDING' | 'EXPIRED' }>(
      `UPDATE bookings.bookings
          SET status = CASE WHEN expires_at > $2 THEN 'PENDING' ELSE 'EXPIRED' END,
              release_pending = (expires_at <= $2), paying_until = NULL, updated_at = $2
        WHERE id = $1 AND status = 'PAYING'
        RETURNING status`,
      [id, now],
    );
    return rows[0]?.status ?? null;
  },

  /** PAYING → EXPIRED after its seats were lost (the payment is refunded). */
  async expirePaying(q: Queryable, id: string, now: Date): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE bookings.bookings SET status = 'EXPIRED', release_pending = true, paying_until = NULL, updated_at = $2
        WHERE id = $1 AND status = 'PAYING'`,
      [id, now],
    );
    return rowCount === 1;
  },

  async cancel(q: Queryable, id: string, from: BookingStatus, reason: string, now: Date): Promise<boolean> {
    const { rowCount } = await q.query(
      `UPDATE bookings.bookings SET status = 'CANCELLED', cancel_reason = $4, release_pending = true, paying_until = NULL, updated_at = $2
        WHERE id = $1 AND status = $3`,
      [id, now, from, reason],
    );
    return rowCount === 1;
  },

  /**
   * Expires due PENDING bookings; rows another sweeper holds are skipped, not waited for. Their
   * releases are owed and claimed by the caller until `releaseClaimedUntil`, so it gives the seats
   * back right after the commit while other sweepers leave them alone.
   */
  async expireDue(q: Queryable, now: Date, limit: number, releaseClaimedUntil: Date): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `WITH due AS (
         SELECT id FROM bookings.bookings WHERE status = 'PENDING' AND expires_at <= $1
          ORDER BY expires_at LIMIT $2 FOR UPDATE SKIP LOCKED)
       UPDATE bookings.bookings b SET status = 'EXPIRED', release_pending = true, release_claimed_until = $3, updated_at = $1
         FROM due WHERE b.id = due.id AND b.status = 'PENDING'
       RETURNING b.id`,
      [now, limit, releaseClaimedUntil],
    );
    return rows.map((row) => row.id);
  },

  /**
   * PAYING bookings whose lease ended: claimed by moving the lease forward, so other sweepers
   * leave them alone while this one asks the provider (outside any transaction).
   */
  async claimLapsedPayments(q: Queryable, now: Date, reclaimUntil: Date, limit: number): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `WITH lapsed AS (
         SELECT id FROM bookings.bookings WHERE status = 'PAYING' AND paying_until <= $1
          ORDER BY paying_until LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE bookings.bookings b SET paying_until = $2 FROM lapsed WHERE b.id = lapsed.id AND b.status = 'PAYING'
       RETURNING b.id`,
      [now, reclaimUntil, limit],
    );
    return rows.map((row) => row.id);
  },

  /** Bookings whose seats are owed back to flights, claimed for a short lease so sweepers share them. */
  async claimOwedReleases(q: Queryable, now: Date, leaseUntil: Date, limit: number): Promise<string[]> {
    const { rows } = await q.query<{ id: string }>(
      `WITH owed AS (
         SELECT id FROM bookings.bookings
          WHERE release_pending AND (release_claimed_until IS NULL OR release_claimed_until <= $1)
          ORDER BY updated_at LIMIT $3 FOR UPDATE SKIP LOCKED)
       UPDATE bookings.bookings b SET release_claimed_until = $2 FROM owed WHERE b.id = owed.id
       RETURNING b.id`,
      [now, leaseUntil, limit],
    );
    return rows.map((row) => row.id);
  },

  /** After a failed release: try again after a short pause rather than in the same pass. */
  async retryReleasesAt(q: Queryable, ids: string[], at: Date): Promise<void> {
    await q.query(`UPDATE bookings.bookings SET release_claimed_until = $2 WHERE id = ANY($1::uuid[]) AND release_pending`, [ids, at]);
  },

  /** Seats given back by flights for these bookings: the owed release is done. */
  async markReleasedMany(q: Queryable, ids: string[], now: Date): Promise<void> {
    await q.query(
      `UPDATE bookings.bookings SET release_pending = false, seats_released_at = $2 WHERE id = ANY($1::uuid[]) AND release_pending`,
      [ids, now],
    );
  },

  /** Bookings on a flight that still hold or own seats. */
  async activeOnFlight(q: Queryable, flightId: string): Promise<{ id: string; status: BookingStatus }[]> {
    const { rows } = await q.query<{ id: string; status: BookingStatus }>(
      `SELECT b.id, b.status FROM bookings.booking_segments s JOIN bookings.bookings b ON b.id = s.booking_id
        WHERE s.flight_id = $1 AND b.status IN ('PENDING', 'PAYING', 'CONFIRMED')`,
      [flightId],
    );
    return rows;
  },
};

export const paymentsRepository = {
  /** Fails with a unique violation when the booking already has an attempt in flight or paid. */
  async insertAttempt(
    q: Queryable,
    attempt: { id: string; bookingId: string; amount: Money; brand: string; last4: string; now: Date },
  ): Promise<void> {
    await q.query(
      `INSERT INTO bookings.payments (id, booking_id, amount, currency, status, brand, last4, created_at, updated_at)
       VALUES ($1, $2, $3, $4, 'PROCESSING', $5, $6, $7, $7)`,
      [attempt.id, attempt.bookingId, attempt.amount.amount, attempt.amount.currency, attempt.brand, attempt.last4, attempt.now],
    );
  },

  async findLive(q: Queryable, bookingId: string): Promise<PaymentRecord | null> {
    const { rows } = await q.query<PaymentRow>(
      `SELECT ${paymentColumns} FROM bookings.payments WHERE booking_id = $1 AND status IN ('PROCESSING', 'SUCCEEDED')`,
      [bookingId],
    );
    return rows[0] ? toPayment(rows[0]) : null;
  },

  async markSucceeded(q: Queryable, id: string, providerReference: string, now: Date): Promise<void> {
    await q.query(
      `UPDATE bookings.payments SET status = 'SUCCEEDED', provider_reference = $2, updated_at = $3 WHERE id = $1 AND status = 'PROCESSING'`,
      [id, providerReference, now],
    );
  },

  async markFailed(q: Queryable, id: string, failureCode: string, now: Date): Promise<void> {
    await q.query(
      `UPDATE bookings.payments SET status = 'FAILED', failure_code = $2, updated_at = $3 WHERE id = $1 AND status = 'PROCESSING'`,
      [id, failureCode, now],
    );
  },

  /** Records that a paid attempt is owed back; once per payment. */
  async insertRefund(q: Queryable, refund: { id: string; payment: PaymentRecord; reason: string; now: Date }): Promise<RefundRecord> {
    await q.query(
      `INSERT INTO bookings.refunds (id, payment_id, booking_id, amount, currency, reason, status, created_at)
       VALUES ($1, $2, $3, $4, $5, $6, 'PENDING', $7) ON CONFLICT (payment_id) DO NOTHING`,
      [
        refund.id,
        refund.payment.id,
        refund.payment.bookingId,
        refund.payment.amount.amount,
        refund.payment.amount.currency,
        refund.reason,
        refund.now,
      ],
    );
    const { rows } = await q.query<RefundRow>(
      `SELECT id, payment_id AS "paymentId", booking_id AS "bookingId", amount, currency, status, reason, created_at AS "createdAt"
         FROM bookings.refunds WHERE payment_id = $1`,
      [refund.payment.id],
    );
    return toRefund(rows[0] as RefundRow);
  },

  async pendingRefunds(q: Queryable, limit: number): Promise<RefundRecord[]> {
    const { rows } = await q.query<RefundRow>(
      `SELECT id, payment_id AS "paymentId", booking_id AS "bookingId", amount, currency, status, reason, created_at AS "createdAt"
         FROM bookings.refunds WHERE status = 'PENDING' ORDER BY created_at LIMIT $1`,
      [limit],
    );
    return rows.map(toRefund);
  },

  async markRefunded(q: Queryable, refundId: string, paymentId: string, providerReference: string, now: Date): Promise<void> {
    await q.query(
      `UPDATE bookings.refunds SET status = 'SUCCEEDED', provider_reference = $2, completed_at = $3 WHERE id = $1 AND status = 'PENDING'`,
      [refundId, providerReference, now],
    );
    await q.query(`UPDATE bookings.payments SET status = 'REFUNDED', updated_at = $2 WHERE id = $1 AND status = 'SUCCEEDED'`, [
      paymentId,
      now,
    ]);
  },
};
