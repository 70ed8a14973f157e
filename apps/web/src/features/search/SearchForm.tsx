import { useState, type FormEvent } from 'react';
import { cabinClasses, type CabinClass } from '@aerofly/contracts';
import { AirportInput, type AirportOption } from './AirportInput';

export type SearchCriteria = { from: string; to: string; date: string; passengers: number; cabin: CabinClass };

export const cabinLabels: Record<CabinClass, string> = {
  economy: 'Economy',
  premium_economy: 'Premium economy',
  business: 'Business',
  first: 'First',
};

type Props = {
  airports: AirportOption[];
  initial?: Partial<SearchCriteria>;
  today: string;
  onSearch: (criteria: SearchCriteria) => void;
};

export function SearchForm({ airports, initial, today, onSearch }: Props) {
  const [from, setFrom] = useState(initial?.from ?? '');
  const [to, setTo] = useState(initial?.to ?? '');
  const [date, setDate] = useState(initial?.date ?? today);
  const [passengers, setPassengers] = useState(initial?.passengers ?? 1);
  const [cabin, setCabin] = useState<CabinClass>(initial?.cabin ?? 'economy');
  const [errors, setErrors] = useState<Partial<Record<keyof SearchCriteria, string>>>({});

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const found: typeof errors = {};
    if (!/^[A-Z]{3}$/.test(from)) found.from = 'Choose where you fly from.';
    if (!/^[A-Z]{3}$/.test(to)) found.to = 'Choose where you fly to.';
    else if (to === from) found.to = 'Destination must differ from the origin.';
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) found.date = 'Choose a travel date.';
    else if (date < today) found.date = 'Choose today or a later date.';
    if (!Number.isInteger(passengers) || passengers < 1 || passengers > 9) found.passengers = 'Between 1 and 9 passengers.';
    setErrors(found);
    if (Object.keys(found).length === 0) onSearch({ from, to, date, passengers, cabin });
  };

  const swap = () => {
    setFrom(to);
    setTo(from);
  };

  return (
    <form className="card search-form" onSubmit={submit} noValidate aria-label="Search flights">
      <div className="route">
        <AirportInput label="From" value={from} options={airports} onChange={setFrom} error={errors.from} />
        <button type="button" className="swap" onClick={swap} aria-label="Swap origin and destination">
          ⇄
        </button>
        <AirportInput label="To" value={to} options={airports} onChange={setTo} error={errors.to} />
      </div>
      <div className="row">
        <div className="field">
          <label htmlFor="search-date">Date</label>
          <input
            id="search-date"
            type="date"
            min={today}
            value={date}
            onChange={(event) => setDate(event.target.value)}
            aria-invalid={errors.date ? true : undefined}
          />
          {errors.date && <p className="field-error">{errors.date}</p>}
        </div>
        <div className="field narrow">
          <label htmlFor="search-passengers">Passengers</label>
          <input
            id="search-passengers"
            type="number"
            min={1}
            max={9}
            value={passengers}
            onChange={(event) => setPassengers(Number(event.target.value))}
            aria-invalid={errors.passengers ? true : undefined}
          />
          {errors.passengers && <p className="field-error">{errors.passengers}</p>}
        </div>
        <div className="field">
          <label htmlFor="search-cabin">Cabin</label>
          <select id="search-cabin" value={cabin} onChange={(event) => setCabin(event.target.value as CabinClass)}>
            {cabinClasses.map((option) => (
              <option key={option} value={option}>
                {cabinLabels[option]}
              </option>
            ))}
          </select>
        </div>
      </div>
      <button type="submit" className="primary">
        Search flights
      </button>
    </form>
  );
}
