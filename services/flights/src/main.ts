import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOutboxRelay, migrate, readMigrations, startLoop, systemClock, type RunningService } from '@aerofly/platform';
import { buildApp, type FlightsDeps } from './app.js';
import { createHoldsService } from './holds/holds.service.js';
import { seedDemoData } from './seed/demo-seed.js';

export const schema = 'flights';
export const migrations = () => readMigrations(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'migrations'));

export type { RunningService };

/**
 * Starts the flights service on its port with the given dependencies: migrations, demo data on a
 * first start, the outbox relay, the expired-hold sweeper, HTTP. Used by `server.ts` (one service
 * per process) and by the embedded launcher.
 */
export async function startFlights(deps: Omit<FlightsDeps, 'clock'> & Partial<Pick<FlightsDeps, 'clock'>>): Promise<RunningService> {
  const base: FlightsDeps = { clock: systemClock, ...deps };
  await migrate(base.db, { schema, migrations: migrations(), logger: base.logger });
  if (base.config.SEED_DEMO_DATA) {
    await seedDemoData(base.db, {
      clock: base.clock,
      currency: base.config.CURRENCY,
      days: base.config.SEED_DEMO_DAYS,
      logger: base.logger,
    });
  }
  const relay = createOutboxRelay({ db: base.db, bus: base.bus, schema, logger: base.logger });
  const full: FlightsDeps = { ...base, onEventsWritten: () => relay.poke() };
  const app = await buildApp(full);
  const holds = createHoldsService({ db: full.db, clock: full.clock, graceSeconds: full.config.HOLD_GRACE_SECONDS, logger: full.logger });
  relay.start();
  const sweeper = startLoop({
    name: 'release-expired-holds',
    intervalMs: full.config.HOLD_SWEEP_INTERVAL_MS,
    logger: full.logger,
    task: () => holds.releaseExpiredHolds(),
  });
  let url: string;
  try {
    url = await app.listen({ host: full.config.HOST, port: full.config.FLIGHTS_PORT });
  } catch (error) {
    await sweeper.stop();
    await relay.stop();
    throw error;
  }
  return {
    app,
    url,
    async close() {
      await sweeper.stop();
      await relay.stop();
      await app.close();
    },
  };
}
