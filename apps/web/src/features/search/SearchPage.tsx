import { useEffect, useMemo, useState } from 'react';
import type { CabinClass } from '@aerofly/contracts';
import { listAirports, searchFlights, type SearchQuery } from '../../api/endpoints';
import type { Itinerary } from '../../api/types';
import { navigate, useLocation } from '../../app/router';
import { Empty, ErrorNote, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';
import { toOptions } from './AirportInput';
import { ItineraryCard } from './ItineraryCard';
import { defaultFilters, ResultFilters, type Filters } from './ResultFilters';
import { SearchForm, type SearchCriteria } from './SearchForm';

const localToday = () => {
  const now = new Date();
  return `${now.getFullYear()}-${String(now.getMonth() + 1).padStart(2, '0')}-${String(now.getDate()).padStart(2, '0')}`;
};

const num = (value: string | null) => (value === null || value === '' ? undefined : Number(value));

/** The whole search lives in the URL, so results survive a reload and can be shared. */
function readQuery(query: URLSearchParams): { criteria: SearchCriteria | null; filters: Filters } {
  const from = query.get('from');
  const to = query.get('to');
  const date = query.get('date');
  const criteria =
    from && to && date
      ? { from, to, date, passengers: num(query.get('passengers')) ?? 1, cabin: (query.get('cabin') as CabinClass | null) ?? 'economy' }
      : null;
  const filters: Filters = {
    minPrice: num(query.get('minPrice')),
    maxPrice: num(query.get('maxPrice')),
    departAfter: query.get('departAfter') ?? undefined,
    departBefore: query.get('departBefore') ?? undefined,
    arriveAfter: query.get('arriveAfter') ?? undefined,
    arriveBefore: query.get('arriveBefore') ?? undefined,
    maxStops: query.get('maxStops') === '0' ? 0 : 1,
    sort: (query.get('sort') as Filters['sort'] | null) ?? defaultFilters.sort,
    order: query.get('order') === 'desc' ? 'desc' : 'asc',
  };
  return { criteria, filters };
}

function writeQuery(criteria: SearchCriteria, filters: Filters): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries({ ...criteria, ...filters })) {
    if (value !== undefined && value !== '') params.set(key, String(value));
  }
  return `/?${params.toString()}`;
}

export function SearchPage() {
  const { query, href } = useLocation();
  const { criteria, filters } = useMemo(() => readQuery(query), [href]);
  const airports = useAsync(async () => toOptions(await listAirports()), []);

  return (
    <div className="page search-page">
      <h1>Where to next?</h1>
      <SearchForm
        key={criteria ? `${criteria.from}-${criteria.to}-${criteria.date}` : 'empty'}
        airports={airports.data ?? []}
        initial={criteria ?? undefined}
        today={localToday()}
        onSearch={(next) => navigate(writeQuery(next, filters))}
      />
      {airports.error ? <ErrorNote error={airports.error} /> : null}
      {criteria && <Results criteria={criteria} filters={filters} />}
    </div>
  );
}

function Results({ criteria, filters }: { criteria: SearchCriteria; filters: Filters }) {
  const [items, setItems] = useState<Itinerary[]>([]);
  const [cursor, setCursor] = useState<string | null>(null);
  const [loading, setLoading] = useState(true);
  const [loadingMore, setLoadingMore] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const request: SearchQuery = { ...criteria, ...filters, limit: 10 };
  const key = JSON.stringify(request);

  useEffect(() => {
    const controller = new AbortController();
    setLoading(true);
    setError(null);
    searchFlights(request, controller.signal).then(
      (answer) => {
        setItems(answer.itineraries);
        setCursor(answer.nextCursor);
        setLoading(false);
      },
      (failure: unknown) => {
        if (controller.signal.aborted) return;
        setError(failure);
        setItems([]);
        setLoading(false);
      },
    );
    return () => controller.abort();
  }, [key]);

  const more = async () => {
    if (!cursor) return;
    setLoadingMore(true);
    try {
      const answer = await searchFlights({ ...request, cursor });
      setItems((previous) => [...previous, ...answer.itineraries]);
      setCursor(answer.nextCursor);
    } catch (failure) {
      setError(failure);
    } finally {
      setLoadingMore(false);
    }
  };

  const select = (itinerary: Itinerary) => {
    const params = new URLSearchParams({
      flights: itinerary.segments.map((segment) => segment.id).join(','),
      cabin: criteria.cabin,
      passengers: String(criteria.passengers),
    });
    navigate(`/book?${params.toString()}`);
  };

  const currency = items[0]?.price.currency ?? 'USD';
  return (
    <section className="results" aria-labelledby="results-title">
      <h2 id="results-title">
        {criteria.from} → {criteria.to}
      </h2>
      <ResultFilters
        key={key}
        value={filters}
        currency={currency}
        onChange={(next) => navigate(writeQuery(criteria, next), { replace: true })}
      />
      {loading ? (
        <Loading label="Searching flights…" />
      ) : error ? (
        <ErrorNote error={error} />
      ) : items.length === 0 ? (
        <Empty>
          <p>No flights match. Try another date, fewer passengers, or clear the filters.</p>
        </Empty>
      ) : (
        <>
          <p className="muted" aria-live="polite">
            Showing {items.length} itinerar{items.length === 1 ? 'y' : 'ies'}
            {cursor ? ' (more available)' : ''}
          </p>
          <div className="itinerary-list">
            {items.map((itinerary) => (
              <ItineraryCard key={itinerary.id} itinerary={itinerary} passengers={criteria.passengers} onSelect={() => select(itinerary)} />
            ))}
          </div>
          {cursor && (
            <button type="button" className="more" onClick={() => void more()} disabled={loadingMore}>
              {loadingMore ? 'Loading…' : 'Show more flights'}
            </button>
          )}
        </>
      )}
    </section>
  );
}
