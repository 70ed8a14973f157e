/**
 * `npm run seed:bulk -- --flights 1000000`: loads many flights into a server database for load
 * tests, set-based (generate_series over daily legs), with a progress bar. Every directed route
 * between the reference airports up to 14,000 km is flown at three times a day, each slot by its
 * own airplane, for as many days as the count needs.
 */
import { createLogger, createPostgresDb, loadConfigOrExit, migrate } from '@aerofly/platform';
import { loadConfig } from '../config.js';
import { migrations, schema } from '../main.js';
import { airplaneTypeFor, airplaneTypes, blockMinutes, demoAirports, distanceKm, economyFare } from './reference-data.js';
import { insertAirplanes, insertAirports, insertDailyLegs, type DailyLeg } from './schedule.js';

const argument = (name: string, fallback: number) => {
  const at = process.argv.indexOf(`--${name}`);
  const value = at > 0 ? Number(process.argv[at + 1]) : fallback;
  if (!Number.isInteger(value) || value < 1) throw new Error(`--${name} must be a positive whole number`);
  return value;
};

const config = loadConfigOrExit(() => loadConfig(process.env));
if (!config.DATABASE_URL) {
  process.stderr.write('seed:bulk needs DATABASE_URL (a PostgreSQL server database)\n');
  process.exit(1);
}
const target = argument('flights', 1_000_000);
const logger = createLogger({ name: 'seed-bulk', level: 'warn' });
const db = createPostgresDb({ url: config.DATABASE_URL, logger, maxConnections: 2, statementTimeoutMs: 600_000 });
const startedAt = performance.now();
const elapsed = () => `${((performance.now() - startedAt) / 1000).toFixed(1)} s`;

function progress(done: number) {
  const width = 30;
  const filled = Math.round((done / target) * width);
  process.stderr.write(
    `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${String(Math.floor((done / target) * 100)).padStart(3)}%  ${done.toLocaleString('en-US')} / ${target.toLocaleString('en-US')} flights  ${elapsed()}   `,
  );
}

try {
  await migrate(db, { schema, migrations: migrations(), logger });
  const { rows } = await db.query<{ count: number }>(`SELECT count(*)::int AS count FROM flights.flights WHERE flight_number LIKE 'BK%'`);
  if ((rows[0]?.count ?? 0) > 0) {
    process.stdout.write(`Already seeded: ${rows[0]?.count} bulk flights present; nothing to do.\n`);
    process.exit(0);
  }
  await insertAirports(db, demoAirports);
  const slots = ['07:05', '12:35', '18:45'];
  const routes = demoAirports.flatMap((a) =>
    demoAirports.filter((b) => b.code !== a.code && distanceKm(a, b) <= 14_000).map((b) => [a, b] as const),
  );
  const planned = routes.flatMap(([a, b], r) =>
    slots.map((slot, s) => {
      const km = distanceKm(a, b);
      const type = airplaneTypes[airplaneTypeFor(km)] ?? airplaneTypes[0];
      return {
        a,
        b,
        km,
        slot,
        registration: `B${String(r * slots.length + s + 1).padStart(5, '0')}`,
        type,
        number: `BK${r * slots.length + s + 1}`,
      };
    }),
  );
  const now = new Date();
  const ids = await insertAirplanes(
    db,
    planned.map((p) => ({ registration: p.registration, model: p.type?.model ?? '', cabins: p.type?.cabins ?? [] })),
    now,
  );
  const startDate = now.toISOString().slice(0, 10);
  const legs: DailyLeg[] = planned.map((p) => ({
    flightNumber: p.number,
    airplaneId: ids.get(p.registration) ?? '',
    origin: p.a.code,
    destination: p.b.code,
    minutes: blockMinutes(p.km),
    zone: p.a.tz,
    localTime: p.slot,
    offsetMinutes: 0,
    economyFare: economyFare(p.km),
  }));
  process.stdout.write(
    `${legs.length} daily legs on ${routes.length} routes, ${ids.size} airplanes; inserting ${target.toLocaleString('en-US')} flights\n`,
  );

  // Loading is much faster without the secondary indexes and per-row foreign-key triggers (the
  // generated rows are consistent by construction); the indexes are rebuilt at the end, also on failure.
  const { rows: indexes } = await db.query<{ name: string; definition: string }>(
    `SELECT indexname AS name, indexdef AS definition FROM pg_indexes
      WHERE schemaname = 'flights' AND tablename = 'flights' AND indexname NOT IN ('flights_pkey', 'flights_number_departure_key')`,
  );
  for (const index of indexes) await db.query(`DROP INDEX IF EXISTS flights.${index.name}`);
  const load = (chunk: DailyLeg[], dayFrom: number, dayTo: number) =>
    db.transaction(async (tx) => {
      await tx.query(`SET LOCAL session_replication_role = replica`);
      return insertDailyLegs(tx, chunk, { startDate, dayFrom, dayTo, currency: config.CURRENCY, now });
    });

  const fullDays = Math.floor(target / legs.length);
  const remainder = target % legs.length;
  const chunkDays = Math.max(1, Math.floor(40_000 / legs.length));
  let done = 0;
  progress(0);
  try {
    for (let day = 0; day < fullDays; day += chunkDays) {
      done += await load(legs, day, Math.min(fullDays, day + chunkDays));
      progress(done);
    }
    if (remainder > 0) {
      done += await load(legs.slice(0, remainder), fullDays, fullDays + 1);
      progress(done);
    }
  } finally {
    process.stderr.write(`\nRebuilding ${indexes.length} indexes... `);
    for (const index of indexes) await db.query(index.definition);
    process.stderr.write(`done (${elapsed()})\n`);
  }
  await db.query('ANALYZE flights.flights');
  await db.query('ANALYZE flights.inventory');
  process.stdout.write(
    `Inserted ${done.toLocaleString('en-US')} flights (${fullDays + (remainder ? 1 : 0)} days from ${startDate}) in ${elapsed()}\n`,
  );
} finally {
  await db.close();
}
