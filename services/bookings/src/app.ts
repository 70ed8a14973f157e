import { createApp, createTokenVerifier, idempotencyPlugin, type App, type Bus } from '@aerofly/platform';
import { bookingRoutes } from './bookings/bookings.routes.js';
import { createBookingsCore, type BookingsCore, type BookingsDeps } from './core.js';
import { paymentRoutes } from './payments/payments.routes.js';

export type { BookingsDeps };

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
