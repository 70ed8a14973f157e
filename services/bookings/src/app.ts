import { createServiceApp, idempotencyPlugin, type App } from '@aerofly/platform';
import { bookingRoutes } from './bookings/bookings.routes.js';
import { createBookingsCore, type BookingsCore, type BookingsDeps } from './core.js';
import { paymentRoutes } from './payments/payments.routes.js';

export type { BookingsDeps };

/** Builds the bookings app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: BookingsDeps, core?: BookingsCore): Promise<App> {
  const features = core ?? (await createBookingsCore(deps));
  const app = await createServiceApp('bookings', deps, {
    title: 'AeroFly bookings',
    description: 'Bookings, seat holds through flights, payments, expiry and reconciliation',
  });
  await app.register(idempotencyPlugin, { store: features.idempotency });
  await app.register(bookingRoutes, { service: features.bookings, clock: deps.clock });
  await app.register(paymentRoutes, { flow: features.payments, clock: deps.clock });
  return app;
}
