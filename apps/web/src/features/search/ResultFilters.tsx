import { useState, type FormEvent } from 'react';
import { toMajorUnits, toMinorUnits } from '../../app/format';

/** Filters and order as the search API takes them (prices per passenger, minor units). */
export type Filters = {
  minPrice?: number;
  maxPrice?: number;
  departAfter?: string;
  departBefore?: string;
  arriveAfter?: string;
  arriveBefore?: string;
  maxStops: 0 | 1;
  sort: 'price' | 'departure' | 'duration';
  order: 'asc' | 'desc';
};

export const defaultFilters: Filters = { maxStops: 1, sort: 'price', order: 'asc' };

type Props = { value: Filters; currency: string; onChange: (filters: Filters) => void };

const priceText = (minor: number | undefined, currency: string) => (minor === undefined ? '' : String(toMajorUnits(minor, currency)));

export function ResultFilters({ value, currency, onChange }: Props) {
  const [minPrice, setMinPrice] = useState(priceText(value.minPrice, currency));
  const [maxPrice, setMaxPrice] = useState(priceText(value.maxPrice, currency));
  const [departAfter, setDepartAfter] = useState(value.departAfter ?? '');
  const [departBefore, setDepartBefore] = useState(value.departBefore ?? '');
  const [arriveAfter, setArriveAfter] = useState(value.arriveAfter ?? '');
  const [arriveBefore, setArriveBefore] = useState(value.arriveBefore ?? '');
  const [error, setError] = useState<string | null>(null);

  const price = (text: string) => (text.trim() === '' ? undefined : Number(text));

  const apply = (event: FormEvent) => {
    event.preventDefault();
    const min = price(minPrice);
    const max = price(maxPrice);
    if ((min !== undefined && (!Number.isFinite(min) || min < 0)) || (max !== undefined && (!Number.isFinite(max) || max < 0))) {
      setError('Prices must be positive numbers.');
      return;
    }
    if (min !== undefined && max !== undefined && min > max) {
      setError('The lowest price must not be above the highest.');
      return;
    }
    setError(null);
    onChange({
      ...value,
      minPrice: min === undefined ? undefined : toMinorUnits(min, currency),
      maxPrice: max === undefined ? undefined : toMinorUnits(max, currency),
      departAfter: departAfter || undefined,
      departBefore: departBefore || undefined,
      arriveAfter: arriveAfter || undefined,
      arriveBefore: arriveBefore || undefined,
    });
  };

  const reset = () => {
    setMinPrice('');
    setMaxPrice('');
    setDepartAfter('');
    setDepartBefore('');
    setArriveAfter('');
    setArriveBefore('');
    setError(null);
    onChange({ ...defaultFilters, sort: value.sort, order: value.order });
  };

  return (
    <div className="filters">
      <div className="card sort-bar">
        <div className="field">
          <label htmlFor="sort-by">Sort by</label>
          <select
            id="sort-by"
            value={`${value.sort}:${value.order}`}
            onChange={(event) => {
              const [sort, order] = event.target.value.split(':') as [Filters['sort'], Filters['order']];
              onChange({ ...value, sort, order });
            }}
          >
            <option value="price:asc">Lowest price</option>
            <option value="price:desc">Highest price</option>
            <option value="departure:asc">Earliest departure</option>
            <option value="departure:desc">Latest departure</option>
            <option value="duration:asc">Shortest duration</option>
          </select>
        </div>
        <fieldset className="stops">
          <legend>Stops</legend>
          <label>
            <input type="radio" name="stops" checked={value.maxStops === 0} onChange={() => onChange({ ...value, maxStops: 0 })} /> Nonstop
            only
          </label>
          <label>
            <input type="radio" name="stops" checked={value.maxStops === 1} onChange={() => onChange({ ...value, maxStops: 1 })} /> Up to 1
            stop
          </label>
        </fieldset>
      </div>
      <details className="card">
        <summary>Price and times</summary>
        <form onSubmit={apply} aria-label="Filter results" noValidate>
          <fieldset>
            <legend>Price per passenger ({currency})</legend>
            <div className="row">
              <div className="field">
                <label htmlFor="min-price">From</label>
                <input id="min-price" inputMode="decimal" value={minPrice} onChange={(event) => setMinPrice(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="max-price">Up to</label>
                <input id="max-price" inputMode="decimal" value={maxPrice} onChange={(event) => setMaxPrice(event.target.value)} />
              </div>
            </div>
          </fieldset>
          <fieldset>
            <legend>Departure time (local)</legend>
            <div className="row">
              <div className="field">
                <label htmlFor="depart-after">Not before</label>
                <input id="depart-after" type="time" value={departAfter} onChange={(event) => setDepartAfter(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="depart-before">Before</label>
                <input id="depart-before" type="time" value={departBefore} onChange={(event) => setDepartBefore(event.target.value)} />
              </div>
            </div>
          </fieldset>
          <fieldset>
            <legend>Arrival time (local)</legend>
            <div className="row">
              <div className="field">
                <label htmlFor="arrive-after">Not before</label>
                <input id="arrive-after" type="time" value={arriveAfter} onChange={(event) => setArriveAfter(event.target.value)} />
              </div>
              <div className="field">
                <label htmlFor="arrive-before">Before</label>
                <input id="arrive-before" type="time" value={arriveBefore} onChange={(event) => setArriveBefore(event.target.value)} />
              </div>
            </div>
          </fieldset>
          {error && (
            <p role="alert" className="error">
              {error}
            </p>
          )}
          <div className="actions">
            <button type="submit" className="primary">
              Apply filters
            </button>
            <button type="button" onClick={reset}>
              Clear filters
            </button>
          </div>
        </form>
      </details>
    </div>
  );
}
