import { useState } from 'react';
import { listBookings } from '../../api/endpoints';
import type { Booking } from '../../api/types';
import { formatMoney, localClock, localDay } from '../../app/format';
import { Link } from '../../app/router';
import { Empty, ErrorNote, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';

export function TripsPage() {
  const first = useAsync(() => listBookings(), []);
  const [more, setMore] = useState<{ items: Booking[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);

  if (first.loading) return <Loading label="Loading your trips…" />;
  if (first.error || !first.data) return <ErrorNote error={first.error} />;
  const items = [...first.data.items, ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : first.data.nextCursor;

  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await listBookings(cursor);
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } catch (failure) {
      setError(failure);
    } finally {
      setLoadingMore(false);
    }
  };

  return (
    <div className="page">
      <h1>My trips</h1>
      {items.length === 0 ? (
        <Empty>
          <p>No trips yet.</p>
          <Link to="/">Find a flight</Link>
        </Empty>
      ) : (
        <ul className="trip-list">
          {items.map((booking) => {
            const first = booking.segments[0];
            const last = booking.segments[booking.segments.length - 1];
            return (
              <li key={booking.id} className="card trip">
                <Link to={`/bookings/${booking.id}`} aria-label={`Booking ${booking.reference}, ${booking.status.toLowerCase()}`}>
                  <strong className="reference">{booking.reference}</strong>{' '}
                  {first && last ? `${first.from} → ${last.to}, ${localDay(first.departureLocal)} ${localClock(first.departureLocal)}` : ''}
                </Link>
                <span className={`badge status-${booking.status.toLowerCase()}`}>{booking.status.toLowerCase()}</span>
                <span className="muted">
                  {booking.passengers.length} passenger{booking.passengers.length === 1 ? '' : 's'} · {formatMoney(booking.totalPrice)}
                </span>
              </li>
            );
          })}
        </ul>
      )}
      <ErrorNote error={error} />
      {cursor && (
        <button type="button" onClick={() => void loadMore()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show older trips'}
        </button>
      )}
    </div>
  );
}
