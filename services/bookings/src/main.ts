import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOutboxRelay, migrate, readMigrations, startLoop, systemClock, type RunningService } from '@aerofly/platform';
import { buildApp, type BookingsDeps } from './app.js';
import { createBookingsCore } from './core.js';
import { subscribeFlightCancelled } from './events/flight-cancelled.consumer.js';

export const schema = 'bookings';
export const migrations = () => readMigrations(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'migrations'));

export type { RunningService };

/**
 * Starts the bookings service on its port with the given dependencies: migrations, the outbox
 * relay, the expiry sweeper and payment reconciler, the flight-cancelled consumer, HTTP.
 * Used by `server.ts` (one service per process), the embedded launcher and system tests.
 */
export async function startBookings(
  deps: Omit<BookingsDeps, 'clock'> & Partial<Pick<BookingsDeps, 'clock'>> & { port?: number },
): Promise<RunningService> {
  const full: BookingsDeps = { clock: systemClock, ...deps };
  await migrate(full.db, { schema, migrations: migrations(), logger: full.logger });
  const relay = createOutboxRelay({ db: full.db, bus: full.bus, schema, logger: full.logger });
  const withRelay: BookingsDeps = {
    ...full,
    afterCommit: () => {
      relay.poke();
      full.afterCommit?.();
    },
  };
  const core = await createBookingsCore(withRelay);
  const app = await buildApp(withRelay, core);
  relay.start();
  const sweeper = startLoop({
    name: 'bookings-sweeper',
    intervalMs: full.config.SWEEPER_INTERVAL_MS,
    logger: full.logger,
    task: () => core.sweeper.runOnce(),
  });
  // Expiry also on a shorter beat: seats of bookings due together come back a fraction of a second after their time.
  const expiry = startLoop({
    name: 'bookings-expiry',
    intervalMs: full.config.EXPIRY_INTERVAL_MS,
    logger: full.logger,
    task: () => core.sweeper.expireDue(),
  });
  await subscribeFlightCancelled(full.bus, core.onFlightCancelled);
  const url = await app.listen({ host: full.config.HOST, port: deps.port ?? full.config.BOOKINGS_PORT });
  return {
    app,
    url,
    async close() {
      await app.close();
      await expiry.stop();
      await sweeper.stop();
      await relay.stop();
    },
  };
}
