import { useEffect, useRef, useState, type FormEvent } from 'react';
import type { CabinClass } from '@aerofly/contracts';
import { ApiError, newIdempotencyKey } from '../../api/client';
import { createBooking, getFlight, getSeatMap } from '../../api/endpoints';
import type { Flight, SeatMap as SeatMapData } from '../../api/types';
import { formatDuration, formatMoney, localClock, localDay, zoneAbbreviation } from '../../app/format';
import { Link, navigate, useLocation } from '../../app/router';
import { useSession } from '../../app/session-hooks';
import { ErrorNote, fieldErrorsOf, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';
import { cabinLabels } from '../search/SearchForm';
import { chooseSeat, SeatLegend, SeatMap } from './SeatMap';

type Leg = { flight: Flight; seats: SeatMapData };

export function BookPage() {
  const { query, href } = useLocation();
  const flightIds = (query.get('flights') ?? '').split(',').filter(Boolean);
  const cabin = (query.get('cabin') ?? 'economy') as CabinClass;
  const passengerCount = Math.min(9, Math.max(1, Number(query.get('passengers') ?? 1) || 1));
  const legs = useAsync(
    () => Promise.all(flightIds.map(async (id): Promise<Leg> => ({ flight: await getFlight(id), seats: await getSeatMap(id) }))),
    [flightIds.join(',')],
  );

  if (flightIds.length === 0) return <p className="page">Choose a flight first.</p>;
  if (legs.loading && !legs.data) return <Loading label="Loading flight details…" />;
  if (legs.error || !legs.data) return <ErrorNote error={legs.error} />;
  return <BookForm key={href} legs={legs.data} cabin={cabin} passengerCount={passengerCount} reloadSeats={legs.reload} />;
}

function BookForm({
  legs,
  cabin,
  passengerCount,
  reloadSeats,
}: {
  legs: Leg[];
  cabin: CabinClass;
  passengerCount: number;
  reloadSeats: () => void;
}) {
  const session = useSession();
  const { href } = useLocation();
  const draftKey = `aerofly.draft:${href}`;
  const draft = readDraft(draftKey, legs.length, passengerCount);
  const [passengers, setPassengers] = useState(
    () => draft?.passengers ?? Array.from({ length: passengerCount }, () => ({ firstName: '', lastName: '' })),
  );
  const [chosen, setChosen] = useState<(string | null)[][]>(
    () => draft?.chosen ?? legs.map(() => Array.from({ length: passengerCount }, () => null)),
  );
  const [active, setActive] = useState<number[]>(() => legs.map(() => 0));
  const [legIndex, setLegIndex] = useState(0);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [nameErrors, setNameErrors] = useState<Record<string, string>>({});
  const attempt = useRef<{ key: string; body: string } | null>(null);

  // Kept for this tab only, so logging in half-way does not lose the names and seats typed so far.
  useEffect(() => {
    sessionStorage.setItem(draftKey, JSON.stringify({ passengers, chosen }));
  }, [draftKey, passengers, chosen]);

  const fares = legs.map((leg) => leg.flight.fares[cabin]);
  const currency = fares.find(Boolean)?.currency ?? 'USD';
  const perPassenger = fares.reduce((sum, fare) => sum + (fare?.amount ?? 0), 0);
  const unavailable = fares.some((fare) => !fare);

  useEffect(() => {
    if (error instanceof ApiError && (error.code === 'SEAT_TAKEN' || error.code === 'SEATS_UNAVAILABLE')) reloadSeats();
  }, [error, reloadSeats]);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (busy) return;
    const found: Record<string, string> = {};
    passengers.forEach((passenger, index) => {
      if (!passenger.firstName.trim()) found[`passengers[${index}].firstName`] = 'Enter the first name as on the passport.';
      if (!passenger.lastName.trim()) found[`passengers[${index}].lastName`] = 'Enter the last name as on the passport.';
    });
    setNameErrors(found);
    if (Object.keys(found).length > 0) return;
    const body = {
      flightIds: legs.map((leg) => leg.flight.id),
      cabin,
      passengers: passengers.map((passenger) => ({ firstName: passenger.firstName.trim(), lastName: passenger.lastName.trim() })),
      seats: legs.flatMap((leg, index) =>
        (chosen[index] ?? []).flatMap((seat, passenger) => (seat ? [{ flightId: leg.flight.id, passenger, seat }] : [])),
      ),
    };
    const text = JSON.stringify(body);
    if (!attempt.current || attempt.current.body !== text) attempt.current = { key: newIdempotencyKey(), body: text };
    setBusy(true);
    setError(null);
    try {
      const booking = await createBooking(body, attempt.current.key);
      sessionStorage.removeItem(draftKey);
      navigate(`/bookings/${booking.id}`);
    } catch (failure) {
      if (!(failure instanceof ApiError && failure.isOutcomeUnknown)) attempt.current = null;
      setError(failure);
      setNameErrors(fieldErrorsOf(failure));
      setBusy(false);
    }
  };

  const leg = legs[legIndex];
  const cabinMap = leg?.seats.cabins.find((entry) => entry.cabin === cabin);
  return (
    <form className="page book-page" onSubmit={(event) => void submit(event)} noValidate aria-label="Book this trip">
      <h1>Your trip</h1>
      {legs.map(({ flight }) => (
        <section key={flight.id} className="card flight-detail" aria-label={`Flight ${flight.flightNumber}`}>
          <h2>
            {flight.flightNumber} · {flight.from} → {flight.to}
          </h2>
          <p>
            {flight.departureLocal ? localDay(flight.departureLocal) : ''} · departs{' '}
            <strong>{flight.departureLocal ? localClock(flight.departureLocal) : flight.departureAt}</strong>{' '}
            {flight.departureTimeZone ? zoneAbbreviation(flight.departureAt, flight.departureTimeZone) : ''} · arrives{' '}
            <strong>{flight.arrivalLocal ? localClock(flight.arrivalLocal) : flight.arrivalAt}</strong>{' '}
            {flight.arrivalTimeZone ? zoneAbbreviation(flight.arrivalAt, flight.arrivalTimeZone) : ''}
            {flight.durationMinutes ? ` · ${formatDuration(flight.durationMinutes)}` : ''}
          </p>
          {flight.status === 'CANCELLED' && <p className="error">This flight was cancelled.</p>}
          {seatsLeft(flight, cabin)}
        </section>
      ))}

      <section className="card" aria-labelledby="passengers-title">
        <h2 id="passengers-title">Passengers</h2>
        {passengers.map((passenger, index) => (
          <fieldset key={index} className="passenger">
            <legend>Passenger {index + 1}</legend>
            <div className="row">
              {(['firstName', 'lastName'] as const).map((part) => {
                const key = `passengers[${index}].${part}`;
                return (
                  <div className="field" key={part}>
                    <label htmlFor={key}>{part === 'firstName' ? 'First name' : 'Last name'}</label>
                    <input
                      id={key}
                      autoComplete={index === 0 ? (part === 'firstName' ? 'given-name' : 'family-name') : 'off'}
                      value={passenger[part]}
                      aria-invalid={nameErrors[key] ? true : undefined}
                      onChange={(event) =>
                        setPassengers((list) => list.map((entry, at) => (at === index ? { ...entry, [part]: event.target.value } : entry)))
                      }
                    />
                    {nameErrors[key] && <p className="field-error">{nameErrors[key]}</p>}
                  </div>
                );
              })}
            </div>
          </fieldset>
        ))}
      </section>

      <section className="card" aria-labelledby="seats-title">
        <h2 id="seats-title">Seats</h2>
        <p className="muted">Pick one seat per passenger, or leave it to us: we seat your party together where we can, at no charge.</p>
        {legs.length > 1 && (
          <div className="tabs" role="tablist" aria-label="Flight">
            {legs.map((entry, index) => (
              <button key={entry.flight.id} type="button" role="tab" aria-selected={index === legIndex} onClick={() => setLegIndex(index)}>
                {entry.flight.flightNumber} {entry.flight.from}–{entry.flight.to}
              </button>
            ))}
          </div>
        )}
        <div className="tabs passengers-tabs" role="radiogroup" aria-label="Choose the seat for">
          {passengers.map((passenger, index) => (
            <label key={index} className={active[legIndex] === index ? 'selected' : undefined}>
              <input
                type="radio"
                name={`active-passenger-${legIndex}`}
                checked={active[legIndex] === index}
                onChange={() => setActive((list) => list.map((value, at) => (at === legIndex ? index : value)))}
              />
              {passenger.firstName || `Passenger ${index + 1}`}: <strong>{chosen[legIndex]?.[index] ?? 'auto'}</strong>
            </label>
          ))}
          <button
            type="button"
            onClick={() => setChosen((list) => list.map((seats, at) => (at === legIndex ? seats.map(() => null) : seats)))}
          >
            Assign automatically
          </button>
        </div>
        {cabinMap ? (
          <SeatMap
            cabin={cabinMap}
            chosen={chosen[legIndex] ?? []}
            activePassenger={active[legIndex] ?? 0}
            onChoose={(seat) => {
              const next = chooseSeat(chosen[legIndex] ?? [], active[legIndex] ?? 0, seat);
              setChosen((list) => list.map((seats, at) => (at === legIndex ? next.chosen : seats)));
              setActive((list) => list.map((value, at) => (at === legIndex ? next.active : value)));
            }}
          />
        ) : (
          <p className="muted">This flight has no {cabinLabels[cabin]} cabin.</p>
        )}
        <SeatLegend />
      </section>

      <section className="card summary" aria-labelledby="summary-title">
        <h2 id="summary-title">Price</h2>
        <table className="breakdown">
          <tbody>
            {legs.map(({ flight }, index) => (
              <tr key={flight.id}>
                <th scope="row">
                  {flight.flightNumber} {flight.from}–{flight.to}, {cabinLabels[cabin]} × {passengerCount}
                </th>
                <td>{fares[index] ? formatMoney({ amount: fares[index].amount * passengerCount, currency }) : 'not sold'}</td>
              </tr>
            ))}
            <tr>
              <th scope="row">Seat selection</th>
              <td>{formatMoney({ amount: 0, currency })}</td>
            </tr>
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Total</th>
              <td>
                <strong>{formatMoney({ amount: perPassenger * passengerCount, currency })}</strong>
              </td>
            </tr>
          </tfoot>
        </table>
        <ErrorNote error={error} />
        {session ? (
          <button type="submit" className="primary" disabled={busy || unavailable}>
            {busy ? 'Holding seats…' : 'Hold seats and continue to payment'}
          </button>
        ) : (
          <p className="notice">
            <Link to={`/login?next=${encodeURIComponent(href)}`}>Log in</Link> or{' '}
            <Link to={`/signup?next=${encodeURIComponent(href)}`}>create an account</Link> to book. Your choices stay here.
          </p>
        )}
      </section>
    </form>
  );
}

type Draft = { passengers: { firstName: string; lastName: string }[]; chosen: (string | null)[][] };

function readDraft(key: string, legCount: number, passengerCount: number): Draft | null {
  try {
    const draft = JSON.parse(sessionStorage.getItem(key) ?? 'null') as Draft | null;
    if (draft && draft.passengers.length === passengerCount && draft.chosen.length === legCount) return draft;
  } catch {
    // A damaged draft is simply dropped.
  }
  return null;
}

const fewSeatsLeft = 9;

function seatsLeft(flight: Flight, cabin: CabinClass) {
  const left = flight.availability.find((entry) => entry.cabin === cabin)?.available;
  if (left === undefined || left > fewSeatsLeft) return null;
  return (
    <p className="warning">
      {left === 0 ? `No ${cabinLabels[cabin]} seats left.` : `Only ${left} ${cabinLabels[cabin]} seat${left === 1 ? '' : 's'} left.`}
    </p>
  );
}
