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

type Bound = { id: string; label: string; value: string; onChange: (value: string) => void; type?: 'time'; inputMode?: 'decimal' };

/** A lower and an upper bound side by side under one legend. */
function BoundsFieldset({ legend, bounds }: { legend: string; bounds: [Bound, Bound] }) {
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="row">
        {bounds.map((bound) => (
          <div className="field" key={bound.id}>
            <label htmlFor={bound.id}>{bound.label}</label>
            <input
              id={bound.id}
              {...(bound.type ? { type: bound.type } : {})}
              {...(bound.inputMode ? { inputMode: bound.inputMode } : {})}
              value={bound.value}
              onChange={(event) => bound.onChange(event.target.value)}
            />
          </div>
        ))}
      </div>
    </fieldset>
  );
}

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
          <BoundsFieldset
            legend={`Price per passenger (${currency})`}
            bounds={[
              { id: 'min-price', label: 'From', inputMode: 'decimal', value: minPrice, onChange: setMinPrice },
              { id: 'max-price', label: 'Up to', inputMode: 'decimal', value: maxPrice, onChange: setMaxPrice },
            ]}
          />
          <BoundsFieldset
            legend="Departure time (local)"
            bounds={[
              { id: 'depart-after', label: 'Not before', type: 'time', value: departAfter, onChange: setDepartAfter },
              { id: 'depart-before', label: 'Before', type: 'time', value: departBefore, onChange: setDepartBefore },
            ]}
          />
          <BoundsFieldset
            legend="Arrival time (local)"
            bounds={[
              { id: 'arrive-after', label: 'Not before', type: 'time', value: arriveAfter, onChange: setArriveAfter },
              { id: 'arrive-before', label: 'Before', type: 'time', value: arriveBefore, onChange: setArriveBefore },
            ]}
          />
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
