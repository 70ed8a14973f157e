import { useState, type FormEvent } from 'react';
import { cabinClasses, type CabinClass } from '@aerofly/contracts';
import { cancelFlight, createFlight, listAirplanes, listAirports, listFlights, updateFares, type FlightFilter } from '../../api/endpoints';
import type { Flight, Money } from '../../api/types';
import { formatMoney, localClock, localDay, toMajorUnits, toMinorUnits, zonedWallTimeToUtc } from '../../app/format';
import { ErrorNote, fieldErrorsOf, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';
import { cabinLabels } from '../search/SearchForm';

type Fares = Partial<Record<CabinClass, Money>>;

const faresFromText = (text: Partial<Record<CabinClass, string>>, currency: string): Fares =>
  Object.fromEntries(
    Object.entries(text)
      .filter(([, value]) => value !== undefined && value.trim() !== '')
      .map(([cabin, value]) => [cabin, { amount: toMinorUnits(Number(value), currency), currency }]),
  );

export function FlightsPanel() {
  const reference = useAsync(() => Promise.all([listAirports(), listAirplanes()]), []);
  const [filter, setFilter] = useState<FlightFilter>({});
  const flights = useAsync(() => listFlights(filter), [JSON.stringify(filter)]);
  const [more, setMore] = useState<{ items: Flight[]; nextCursor: string | null } | null>(null);
  const [loadingMore, setLoadingMore] = useState(false);
  if (reference.loading && !reference.data) return <Loading />;
  if (!reference.data) return <ErrorNote error={reference.error} />;
  const [airports, airplanes] = reference.data;
  const currency = flights.data?.items.flatMap((flight) => Object.values(flight.fares))[0]?.currency ?? 'USD';
  const items = [...(flights.data?.items ?? []), ...(more?.items ?? [])];
  const cursor = more ? more.nextCursor : (flights.data?.nextCursor ?? null);
  const reload = () => {
    setMore(null);
    flights.reload();
  };
  const loadMore = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const page = await listFlights({ ...filter, cursor });
      setMore({ items: [...(more?.items ?? []), ...page.items], nextCursor: page.nextCursor });
    } finally {
      setLoadingMore(false);
    }
  };
  return (
    <section aria-label="Flights">
      <CreateFlight airports={airports} airplanes={airplanes} currency={currency} onCreated={reload} />
      <form
        className="card row"
        aria-label="Find flights"
        onSubmit={(event) => {
          event.preventDefault();
          const data = new FormData(event.currentTarget);
          const value = (name: string) =>
            String(data.get(name) ?? '')
              .trim()
              .toUpperCase() || undefined;
          setMore(null);
          setFilter({ from: value('from'), to: value('to'), date: String(data.get('date') ?? '') || undefined });
        }}
      >
        <div className="field narrow">
          <label htmlFor="filter-from">From (code)</label>
          <input id="filter-from" name="from" maxLength={3} />
        </div>
        <div className="field narrow">
          <label htmlFor="filter-to">To (code)</label>
          <input id="filter-to" name="to" maxLength={3} />
        </div>
        <div className="field">
          <label htmlFor="filter-date">Departure date (local)</label>
          <input id="filter-date" name="date" type="date" />
        </div>
        <div className="field narrow">
          <span aria-hidden="true">&nbsp;</span>
          <button type="submit">Find flights</button>
        </div>
      </form>
      {flights.loading && !flights.data ? (
        <Loading />
      ) : flights.error ? (
        <ErrorNote error={flights.error} />
      ) : (
        <FlightList flights={items} currency={currency} onChanged={reload} />
      )}
      {cursor && (
        <button type="button" className="more" onClick={() => void loadMore()} disabled={loadingMore}>
          {loadingMore ? 'Loading…' : 'Show more flights'}
        </button>
      )}
    </section>
  );
}

function CreateFlight({
  airports,
  airplanes,
  currency,
  onCreated,
}: {
  airports: { code: string; name: string; timeZone: string }[];
  airplanes: { id: string; model: string; registration: string; cabins: { cabin: CabinClass }[] }[];
  currency: string;
  onCreated: () => void;
}) {
  const [form, setForm] = useState({ flightNumber: '', airplaneId: '', from: '', to: '', departure: '', arrival: '' });
  const [fares, setFares] = useState<Partial<Record<CabinClass, string>>>({});
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });
  const airplane = airplanes.find((entry) => entry.id === form.airplaneId);
  const zoneOf = (code: string) => airports.find((airport) => airport.code === code)?.timeZone;

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setError(null);
    setSaved(null);
    const fromZone = zoneOf(form.from);
    const toZone = zoneOf(form.to);
    if (!fromZone || !toZone || !form.departure || !form.arrival || !form.airplaneId) {
      setProblem('Fill in the airplane, both airports and both times.');
      return;
    }
    setProblem(null);
    setBusy(true);
    try {
      const flight = await createFlight({
        flightNumber: form.flightNumber.trim().toUpperCase().replace(/\s+/g, ''),
        airplaneId: form.airplaneId,
        from: form.from,
        to: form.to,
        departureAt: zonedWallTimeToUtc(form.departure, fromZone).toISOString(),
        arrivalAt: zonedWallTimeToUtc(form.arrival, toZone).toISOString(),
        fares: faresFromText(fares, currency),
      });
      setSaved(`Flight ${flight.flightNumber} created.`);
      onCreated();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  const fieldErrors = fieldErrorsOf(error);
  const airportSelect = (key: 'from' | 'to', label: string) => (
    <div className="field">
      <label htmlFor={`flight-${key}`}>{label}</label>
      <select id={`flight-${key}`} value={form[key]} onChange={set(key)} required>
        <option value="">Choose an airport</option>
        {airports.map((airport) => (
          <option key={airport.code} value={airport.code}>
            {airport.code} — {airport.name}
          </option>
        ))}
      </select>
      {fieldErrors[key] && <p className="field-error">{fieldErrors[key]}</p>}
    </div>
  );
  return (
    <form className="card" onSubmit={(event) => void submit(event)} aria-label="Create a flight">
      <h2>Create a flight</h2>
      <div className="row">
        <div className="field narrow">
          <label htmlFor="flight-number">Flight number</label>
          <input id="flight-number" placeholder="AF123" value={form.flightNumber} onChange={set('flightNumber')} required />
          {fieldErrors.flightNumber && <p className="field-error">{fieldErrors.flightNumber}</p>}
        </div>
        <div className="field">
          <label htmlFor="flight-airplane">Airplane</label>
          <select id="flight-airplane" value={form.airplaneId} onChange={set('airplaneId')} required>
            <option value="">Choose an airplane</option>
            {airplanes.map((entry) => (
              <option key={entry.id} value={entry.id}>
                {entry.registration} — {entry.model}
              </option>
            ))}
          </select>
        </div>
      </div>
      <div className="row">
        {airportSelect('from', 'From')}
        {airportSelect('to', 'To')}
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="flight-departure">Departure (local time at origin)</label>
          <input id="flight-departure" type="datetime-local" value={form.departure} onChange={set('departure')} required />
          {fieldErrors.departureAt && <p className="field-error">{fieldErrors.departureAt}</p>}
        </div>
        <div className="field">
          <label htmlFor="flight-arrival">Arrival (local time at destination)</label>
          <input id="flight-arrival" type="datetime-local" value={form.arrival} onChange={set('arrival')} required />
          {fieldErrors.arrivalAt && <p className="field-error">{fieldErrors.arrivalAt}</p>}
        </div>
      </div>
      <fieldset>
        <legend>Fares per passenger ({currency})</legend>
        <div className="row">
          {(airplane ? airplane.cabins.map((cabin) => cabin.cabin) : cabinClasses.slice(0, 2)).map((cabin) => (
            <div className="field" key={cabin}>
              <label htmlFor={`fare-${cabin}`}>{cabinLabels[cabin]}</label>
              <input
                id={`fare-${cabin}`}
                inputMode="decimal"
                value={fares[cabin] ?? ''}
                onChange={(event) => setFares({ ...fares, [cabin]: event.target.value })}
              />
            </div>
          ))}
        </div>
      </fieldset>
      {problem && (
        <p role="alert" className="error">
          {problem}
        </p>
      )}
      <ErrorNote error={error}>
        {Object.entries(fieldErrors)
          .map(([field, message]) => `${field}: ${message}`)
          .join('; ')}
      </ErrorNote>
      {saved && <p role="status">{saved}</p>}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? 'Creating…' : 'Create flight'}
      </button>
    </form>
  );
}

function FlightList({ flights, currency, onChanged }: { flights: Flight[]; currency: string; onChanged: () => void }) {
  if (flights.length === 0) return <p className="empty card">No flights found.</p>;
  return (
    <div className="table-wrap">
      <table>
        <caption>Flights</caption>
        <thead>
          <tr>
            <th scope="col">Flight</th>
            <th scope="col">Route</th>
            <th scope="col">Departs (local)</th>
            <th scope="col">Fares</th>
            <th scope="col">Status</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {flights.map((flight) => (
            <FlightRow key={flight.id} flight={flight} currency={currency} onChanged={onChanged} />
          ))}
        </tbody>
      </table>
    </div>
  );
}

function FlightRow({ flight, currency, onChanged }: { flight: Flight; currency: string; onChanged: () => void }) {
  const [mode, setMode] = useState<'view' | 'fares' | 'cancel'>('view');
  const [fares, setFares] = useState<Partial<Record<CabinClass, string>>>(() =>
    Object.fromEntries(
      Object.entries(flight.fares).map(([cabin, money]) => [cabin, money ? String(toMajorUnits(money.amount, money.currency)) : '']),
    ),
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async (action: () => Promise<unknown>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
      setMode('view');
      onChanged();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  const cancelled = flight.status === 'CANCELLED';
  return (
    <tr>
      <td>{flight.flightNumber}</td>
      <td>
        {flight.from}–{flight.to}
      </td>
      <td>{flight.departureLocal ? `${localDay(flight.departureLocal)} ${localClock(flight.departureLocal)}` : flight.departureAt}</td>
      <td>
        {mode === 'fares' ? (
          <form
            onSubmit={(event) => (event.preventDefault(), void run(() => updateFares(flight.id, faresFromText(fares, currency))))}
            aria-label={`Fares of ${flight.flightNumber}`}
          >
            {Object.keys(flight.fares).map((cabin) => (
              <label key={cabin} className="inline">
                {cabinLabels[cabin as CabinClass]}{' '}
                <input
                  inputMode="decimal"
                  size={6}
                  value={fares[cabin as CabinClass] ?? ''}
                  onChange={(event) => setFares({ ...fares, [cabin]: event.target.value })}
                />
              </label>
            ))}
            <button type="submit" className="primary" disabled={busy}>
              Save fares
            </button>
            <button type="button" onClick={() => setMode('view')}>
              Back
            </button>
          </form>
        ) : (
          Object.entries(flight.fares)
            .map(([cabin, money]) => (money ? `${cabinLabels[cabin as CabinClass]} ${formatMoney(money)}` : ''))
            .join(', ')
        )}
      </td>
      <td>{flight.status?.toLowerCase() ?? 'scheduled'}</td>
      <td>
        {mode === 'cancel' ? (
          <span role="alertdialog" aria-label={`Cancel flight ${flight.flightNumber}?`}>
            Cancel {flight.flightNumber}? Its bookings are cancelled and refunded.{' '}
            <button type="button" className="danger" disabled={busy} onClick={() => void run(() => cancelFlight(flight.id))}>
              Yes, cancel flight
            </button>{' '}
            <button type="button" onClick={() => setMode('view')}>
              Keep
            </button>
          </span>
        ) : (
          !cancelled &&
          mode === 'view' && (
            <>
              <button type="button" onClick={() => setMode('fares')}>
                Edit fares
              </button>{' '}
              <button type="button" className="danger" onClick={() => setMode('cancel')}>
                Cancel flight
              </button>
            </>
          )
        )}
        <ErrorNote error={error} />
      </td>
    </tr>
  );
}
