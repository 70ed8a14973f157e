import {
  createApp,
  createTokenVerifier,
  idempotencyPlugin,
  type App,
  type Bus,
  type Clock,
  type Db,
  type Kv,
  type Logger,
} from '@aerofly/platform';
import { bookingRoutes } from './bookings/bookings.routes.js';
import type { BookingsConfig } from './config.js';
import { createBookingsCore, type BookingsCore } from './core.js';
import type { HoldsClient } from './holds/holds.client.js';
import type { PaymentProvider } from './payments/payment-provider.js';
import { paymentRoutes } from './payments/payments.routes.js';

export type BookingsDeps = {
  config: Readonly<BookingsConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  /** Defaults to the flights service over HTTP; tests pass an in-memory one. */
  holds?: HoldsClient;
  /** Defaults to the built-in test processor. */
  paymentProvider?: PaymentProvider;
  /** Called after a commit that wrote events (pokes the outbox relay). */
  afterCommit?: () => void;
};

/** Builds the bookings app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: BookingsDeps, core?: BookingsCore): Promise<App> {
  const features = core ?? (await createBookingsCore(deps));
  const verifier = await createTokenVerifier({
    userPublicKeyPem: deps.config.JWT_PUBLIC_KEY,
    servicePublicKeyPem: deps.config.SERVICE_PUBLIC_KEY,
    serviceName: 'bookings',
  });
  const app = await createApp({
    name: 'bookings',
    logger: deps.logger,
    verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: {
      postgres: () => deps.db.ping(),
      ...(deps.kv.kind === 'redis' ? { redis: () => deps.kv.ping() } : {}),
      ...(deps.bus.kind === 'rabbitmq' ? { rabbitmq: () => assertHealthy(deps.bus) } : {}),
    },
    openapi: { title: 'AeroFly bookings', description: 'Bookings, seat holds through flights, payments, expiry and reconciliation' },
  });
  await app.register(idempotencyPlugin, { store: features.idempotency });
  await app.register(bookingRoutes, { service: features.bookings, clock: deps.clock });
  await app.register(paymentRoutes, { flow: features.payments, clock: deps.clock });
  return app;
}

function assertHealthy(bus: Bus) {
  if (!bus.isHealthy()) throw new Error('rabbitmq disconnected');
}
