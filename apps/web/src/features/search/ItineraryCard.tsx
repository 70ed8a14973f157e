import type { Itinerary, Segment } from '../../api/types';
import { dayShift, formatDuration, formatMoney, localClock, localDay, zoneAbbreviation } from '../../app/format';

const fewSeats = 9;

function Times({ segment }: { segment: Segment }) {
  return (
    <>
      <time dateTime={segment.departureAt} title={segment.departureTimeZone}>
        {localClock(segment.departureLocal)} <small>{zoneAbbreviation(segment.departureAt, segment.departureTimeZone)}</small>
      </time>
      {' → '}
      <time dateTime={segment.arrivalAt} title={segment.arrivalTimeZone}>
        {localClock(segment.arrivalLocal)} <small>{zoneAbbreviation(segment.arrivalAt, segment.arrivalTimeZone)}</small>
      </time>
    </>
  );
}

export function ItineraryCard({ itinerary, passengers, onSelect }: { itinerary: Itinerary; passengers: number; onSelect: () => void }) {
  const first = itinerary.segments[0];
  const last = itinerary.segments[itinerary.segments.length - 1];
  if (!first || !last) return null;
  const stops = itinerary.segments.length - 1;
  const shift = dayShift(first.departureLocal, last.arrivalLocal);
  const route = itinerary.segments.map((segment) => segment.from).concat(last.to);
  return (
    <article
      className="card itinerary"
      aria-label={`${route.join(' to ')}, departs ${localClock(first.departureLocal)}, ${formatMoney(itinerary.price)}`}
    >
      <div className="itinerary-main">
        <p className="times">
          <strong>{localClock(first.departureLocal)}</strong> <small>{zoneAbbreviation(first.departureAt, first.departureTimeZone)}</small>
          <span className="arrow" aria-hidden="true">
            {' '}
            ✈{' '}
          </span>
          <strong>{localClock(last.arrivalLocal)}</strong> <small>{zoneAbbreviation(last.arrivalAt, last.arrivalTimeZone)}</small>
          {shift > 0 && <sup title="Arrives on a later day"> +{shift}</sup>}
        </p>
        <p className="muted">
          {localDay(first.departureLocal)} · {route.join(' → ')} · {formatDuration(itinerary.durationMinutes)} ·{' '}
          {stops === 0 ? 'Nonstop' : `${stops} stop${stops > 1 ? 's' : ''}`}
        </p>
        <ul className="segments">
          {itinerary.segments.map((segment, index) => {
            const previous = itinerary.segments[index - 1];
            const layoverMinutes = previous ? Math.round((Date.parse(segment.departureAt) - Date.parse(previous.arrivalAt)) / 60_000) : 0;
            return (
              <li key={segment.id}>
                {previous && (
                  <span className="layover">
                    Change in {segment.from} · {formatDuration(layoverMinutes)}
                    <br />
                  </span>
                )}
                <span className="flight-number">{segment.flightNumber}</span> {segment.from}–{segment.to} <Times segment={segment} /> (
                {formatDuration(segment.durationMinutes)})
              </li>
            );
          })}
        </ul>
      </div>
      <div className="itinerary-side">
        <p className="price">{formatMoney(itinerary.price)}</p>
        <p className="muted">per passenger</p>
        {passengers > 1 && <p className="muted">{formatMoney(itinerary.totalPrice)} total</p>}
        {itinerary.seatsAvailable <= fewSeats && (
          <p className="warning">
            Only {itinerary.seatsAvailable} seat{itinerary.seatsAvailable === 1 ? '' : 's'} left
          </p>
        )}
        <button type="button" className="primary" onClick={onSelect}>
          Select
        </button>
      </div>
    </article>
  );
}
