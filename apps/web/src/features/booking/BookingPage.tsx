import { useCallback, useEffect, useState } from 'react';
import { ApiError } from '../../api/client';
import { cancelBooking, getBooking, payBooking, type CardDetails } from '../../api/endpoints';
import type { Booking } from '../../api/types';
import { formatDuration, formatInstant, formatMoney, localClock, localDay, zoneAbbreviation } from '../../app/format';
import { Link } from '../../app/router';
import { ErrorNote, Loading } from '../../app/ui';
import { Countdown } from './Countdown';
import { PaymentForm } from './PaymentForm';

type Loaded = { booking: Booking; receivedAt: number };

const statusText: Record<Booking['status'], string> = {
  PENDING: 'Waiting for payment',
  PAYING: 'Payment in progress',
  CONFIRMED: 'Confirmed',
  EXPIRED: 'Expired',
  CANCELLED: 'Cancelled',
};

export function BookingPage({ id }: { id: string }) {
  const [loaded, setLoaded] = useState<Loaded | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [holdRanOut, setHoldRanOut] = useState(false);

  const load = useCallback(async () => {
    try {
      const booking = await getBooking(id);
      setLoaded({ booking, receivedAt: Date.now() });
      setError(null);
    } catch (failure) {
      setError(failure);
    }
  }, [id]);

  useEffect(() => {
    void load();
  }, [load]);

  const status = loaded?.booking.status;
  // While a payment's outcome is being settled, or a hold has just run out, ask again until the
  // server says where the booking stands.
  useEffect(() => {
    if (status !== 'PAYING' && !(holdRanOut && status === 'PENDING')) return;
    const timer = setInterval(() => void load(), 1500);
    return () => clearInterval(timer);
  }, [status, holdRanOut, load]);

  const onExpire = useCallback(() => setHoldRanOut(true), []);

  if (!loaded) return error ? <ErrorNote error={error} /> : <Loading label="Loading your booking…" />;
  const { booking, receivedAt } = loaded;

  const pay = async (card: CardDetails, key: string) => {
    try {
      const paid = await payBooking(booking.id, { card, amount: booking.totalPrice }, key);
      setLoaded({ booking: paid, receivedAt: Date.now() });
    } catch (failure) {
      if (failure instanceof ApiError && failure.code === 'BOOKING_EXPIRED') setHoldRanOut(true);
      if (failure instanceof ApiError && (failure.code === 'BOOKING_ALREADY_PAID' || failure.code === 'PAYMENT_PROVIDER_TIMEOUT'))
        void load();
      throw failure;
    }
  };

  const expired = booking.status === 'EXPIRED' || (holdRanOut && booking.status === 'PENDING');
  return (
    <div className="page booking-page">
      {booking.status === 'CONFIRMED' ? (
        <section className="card confirmation" aria-labelledby="booking-title">
          <h1 id="booking-title">You're booked!</h1>
          <p>
            Booking reference{' '}
            <strong className="reference" data-testid="reference">
              {booking.reference}
            </strong>
          </p>
          <p className="muted">We sent the confirmation to {booking.contactEmail}.</p>
        </section>
      ) : (
        <h1 id="booking-title">
          Booking <span className="reference">{booking.reference}</span>
        </h1>
      )}
      <p className={`status status-${booking.status.toLowerCase()}`}>Status: {expired ? 'Expired' : statusText[booking.status]}</p>

      {expired && (
        <div role="alert" className="error">
          Your hold expired and the seats were released. Nothing was charged. <Link to="/">Search again</Link>
        </div>
      )}
      {booking.status === 'PENDING' && !expired && (
        <Countdown expiresAt={booking.expiresAt} serverTime={booking.serverTime} receivedAt={receivedAt} onExpire={onExpire} />
      )}
      {booking.status === 'CANCELLED' && (
        <p className="notice" role="status">
          {booking.cancelReason === 'flight_cancelled'
            ? 'The airline cancelled this flight, so this booking was cancelled.'
            : 'This booking was cancelled.'}{' '}
          {booking.refund
            ? `${formatMoney(booking.refund.amount)} ${booking.refund.status === 'SUCCEEDED' ? 'was refunded' : 'is being refunded'} to your card.`
            : 'Nothing was charged.'}
        </p>
      )}
      {booking.status === 'PAYING' && (
        <p className="notice" role="status">
          We are confirming your payment with the card processor. This page updates by itself; you will not be charged twice.
        </p>
      )}

      <BookingDetails booking={booking} />

      {booking.status === 'PENDING' && !expired && <PaymentForm amount={booking.totalPrice} pay={pay} />}
      {(booking.status === 'CONFIRMED' || (booking.status === 'PENDING' && !expired)) && (
        <CancelBooking booking={booking} onCancelled={(next) => setLoaded({ booking: next, receivedAt: Date.now() })} />
      )}
      <p>
        <Link to="/trips">All my trips</Link>
      </p>
    </div>
  );
}

export function BookingDetails({ booking }: { booking: Booking }) {
  return (
    <section className="card" aria-label="Trip details">
      <h2>Flights</h2>
      <ul className="segments">
        {booking.segments.map((segment) => (
          <li key={segment.flightId ?? segment.id ?? segment.flightNumber}>
            <strong>{segment.flightNumber}</strong> {segment.from} → {segment.to}, {localDay(segment.departureLocal)}{' '}
            {localClock(segment.departureLocal)} {zoneAbbreviation(segment.departureAt, segment.departureTimeZone)} →{' '}
            {localClock(segment.arrivalLocal)} {zoneAbbreviation(segment.arrivalAt, segment.arrivalTimeZone)} (
            {formatDuration(segment.durationMinutes)})
            {segment.seats.length > 0 && (
              <span className="muted">
                {' '}
                · Seats{' '}
                {segment.seats
                  .map((seat) => `${seat.seat} (${booking.passengers[seat.passenger]?.firstName ?? `passenger ${seat.passenger + 1}`})`)
                  .join(', ')}
              </span>
            )}
          </li>
        ))}
      </ul>
      <h2>Passengers</h2>
      <ol>
        {booking.passengers.map((passenger, index) => (
          <li key={index}>
            {passenger.firstName} {passenger.lastName}
          </li>
        ))}
      </ol>
      <table className="breakdown">
        <tbody>
          {booking.segments.map((segment) =>
            segment.fare ? (
              <tr key={segment.flightId ?? segment.id ?? segment.flightNumber}>
                <th scope="row">
                  {segment.flightNumber} fare × {booking.passengers.length}
                </th>
                <td>{formatMoney({ amount: segment.fare.amount * booking.passengers.length, currency: segment.fare.currency })}</td>
              </tr>
            ) : null,
          )}
        </tbody>
        <tfoot>
          <tr>
            <th scope="row">Total</th>
            <td>
              <strong>{formatMoney(booking.totalPrice)}</strong>
            </td>
          </tr>
        </tfoot>
      </table>
      {booking.payment && (
        <p className="muted">
          Paid with {booking.payment.brand} ending {booking.payment.last4}
          {booking.createdAt ? ` · booked ${formatInstant(booking.createdAt)}` : ''}
        </p>
      )}
    </section>
  );
}

function CancelBooking({ booking, onCancelled }: { booking: Booking; onCancelled: (booking: Booking) => void }) {
  const [asking, setAsking] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const confirm = async () => {
    setBusy(true);
    setError(null);
    try {
      onCancelled(await cancelBooking(booking.id));
      setAsking(false);
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  if (!asking)
    return (
      <button type="button" className="danger" onClick={() => setAsking(true)}>
        Cancel booking
      </button>
    );
  return (
    <div className="card confirm" role="alertdialog" aria-labelledby="cancel-title" aria-describedby="cancel-text">
      <h2 id="cancel-title">Cancel booking {booking.reference}?</h2>
      <p id="cancel-text">
        Your seats are released{booking.status === 'CONFIRMED' ? ` and ${formatMoney(booking.totalPrice)} is refunded to your card` : ''}.
        This cannot be undone.
      </p>
      <ErrorNote error={error} />
      <div className="actions">
        <button type="button" className="danger" onClick={() => void confirm()} disabled={busy} autoFocus>
          {busy ? 'Cancelling…' : 'Yes, cancel booking'}
        </button>
        <button type="button" onClick={() => setAsking(false)} disabled={busy}>
          Keep booking
        </button>
      </div>
    </div>
  );
}
