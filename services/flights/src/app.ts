import {
  createServiceApp,
  createServiceClient,
  createServiceTokenSigner,
  type App,
  type Bus,
  type Clock,
  type Db,
  type Kv,
  type Logger,
  type ServiceClient,
} from '@aerofly/platform';
import { airplanesRoutes } from './airplanes/airplanes.routes.js';
import { createAirplanesService } from './airplanes/airplanes.service.js';
import type { FlightsConfig } from './config.js';
import { flightsRoutes } from './flights/flights.routes.js';
import { createFlightsService } from './flights/flights.service.js';
import { holdsRoutes } from './holds/holds.routes.js';
import { createHoldsService } from './holds/holds.service.js';
import { inventoryRoutes } from './inventory/inventory.routes.js';
import { createInventoryService } from './inventory/inventory.service.js';
import { placesRoutes } from './places/places.routes.js';
import { createPlacesService } from './places/places.service.js';
import { searchRoutes } from './search/search.routes.js';
import { createSearchService } from './search/search.service.js';
import { createReadCache } from './shared/read-cache.js';

export type FlightsDeps = {
  config: Readonly<FlightsConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  /** Called after a commit that wrote outbox rows, so the relay publishes them at once. */
  onEventsWritten?: () => void;
  /** How the inventory check reaches bookings; by default BOOKINGS_URL with a service token. */
  bookingsClient?: ServiceClient | null;
};

/** The bookings client for the inventory cross-check, or null when no service key is configured. */
export async function createBookingsClient(config: Readonly<FlightsConfig>): Promise<ServiceClient | null> {
  if (!config.SERVICE_PRIVATE_KEY) return null;
  const signer = await createServiceTokenSigner({ privateKeyPem: config.SERVICE_PRIVATE_KEY, serviceName: 'flights' });
  return createServiceClient({ baseUrl: config.BOOKINGS_URL, audience: 'bookings', signer, timeoutMs: config.UPSTREAM_TIMEOUT_MS });
}

/** Builds the flights app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: FlightsDeps): Promise<App> {
  const app = await createServiceApp('flights', deps, {
    title: 'AeroFly flights',
    description: 'Cities, airports, airplanes, flights, search and seat holds',
  });
  const { db, clock, logger } = deps;
  const cache = createReadCache({ kv: deps.kv, ttlSeconds: deps.config.SEARCH_CACHE_TTL_SECONDS, metrics: app.metrics, logger });
  const bookings = deps.bookingsClient === undefined ? await createBookingsClient(deps.config) : deps.bookingsClient;

  await app.register(placesRoutes, { places: createPlacesService({ db, cache }) });
  await app.register(airplanesRoutes, { airplanes: createAirplanesService({ db, clock, cache }) });
  await app.register(searchRoutes, { search: createSearchService({ db, clock, cache, logger }) });
  await app.register(flightsRoutes, {
    flights: createFlightsService({
      db,
      clock,
      cache,
      currency: deps.config.CURRENCY,
      ...(deps.onEventsWritten ? { onEventsWritten: deps.onEventsWritten } : {}),
    }),
  });
  await app.register(holdsRoutes, { holds: createHoldsService({ db, clock, graceSeconds: deps.config.HOLD_GRACE_SECONDS, logger }) });
  await app.register(inventoryRoutes, { inventory: createInventoryService({ db, clock, bookings, logger }) });
  return app;
}
