/**
 * `npm run inventory:check [-- --flight <id>]`: runs the inventory check against the configured
 * database (DATABASE_URL, or the embedded PGlite under DATA_DIR) and cross-checks holds with
 * bookings at BOOKINGS_URL when a service key is configured. Exits 1 when a violation is found.
 */
import { createDb, createLogger, dbSettingsOf, loadConfigOrExit, systemClock } from '@aerofly/platform';
import { createBookingsClient } from '../app.js';
import { loadConfig } from '../config.js';
import { createInventoryService } from './inventory.service.js';

const config = loadConfigOrExit(() => loadConfig(process.env));
const logger = createLogger({ name: 'inventory-check', level: config.LOG_LEVEL === 'info' ? 'warn' : config.LOG_LEVEL });
const flagAt = process.argv.indexOf('--flight');
const flightId = flagAt > 0 ? process.argv[flagAt + 1] : undefined;

const db = await createDb({ ...dbSettingsOf(config), logger, applicationName: 'inventory-check' });
try {
  const inventory = createInventoryService({ db, clock: systemClock, bookings: await createBookingsClient(config), logger });
  const startedAt = performance.now();
  const result = await inventory.check(flightId);
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(
    `${result.ok ? 'OK' : 'VIOLATIONS FOUND'}: ${result.flightsChecked} flight(s), ${result.violations.length} violation(s), ` +
      `bookings cross-check ${result.bookingsCrossChecked ? `done (${result.holdsChecked} holds)` : `not done (${result.crossCheckError ?? 'unknown'})`}, ` +
      `${Math.round(performance.now() - startedAt)} ms\n`,
  );
  process.exitCode = result.ok ? 0 : 1;
} finally {
  await db.close();
}
