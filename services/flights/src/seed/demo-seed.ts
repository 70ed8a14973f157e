import type { Clock, Db, Logger } from '@aerofly/platform';
import { airplaneTypeFor, airplaneTypes, blockMinutes, demoAirports, distanceKm, economyFare } from './reference-data.js';
import { insertAirplanes, insertAirports, insertDailyLegs, type DailyLeg } from './schedule.js';

const hubs = ['JFK', 'LAX', 'LHR', 'FRA', 'DXB', 'SIN', 'HKG'];
// Out, turnaround and back must fit in a day (with an hour to spare for daylight-saving shifts).
const maxRotationKm = 8000;

/** Demo routes: each airport to its nearest neighbours, plus hub to hub; each flown out and back daily. */
export function demoRoutes() {
  const pairs = new Map<string, [(typeof demoAirports)[number], (typeof demoAirports)[number]]>();
  const add = (a: (typeof demoAirports)[number], b: (typeof demoAirports)[number]) => {
    if (a.code === b.code || distanceKm(a, b) > maxRotationKm) return;
    const key = [a.code, b.code].sort().join('-');
    // Spoke-to-hub rotations start at the spoke, so the morning feeder meets the hub's afternoon departures.
    const aIsSpoke = !hubs.includes(a.code) && hubs.includes(b.code);
    const bIsSpoke = !hubs.includes(b.code) && hubs.includes(a.code);
    if (!pairs.has(key)) pairs.set(key, aIsSpoke ? [a, b] : bIsSpoke ? [b, a] : a.code < b.code ? [a, b] : [b, a]);
  };
  for (const airport of demoAirports) {
    const nearest = demoAirports
      .filter((other) => other.code !== airport.code)
      .sort((x, y) => distanceKm(airport, x) - distanceKm(airport, y))
      .slice(0, 2);
    for (const other of nearest) add(airport, other);
    const nearestHubs = demoAirports
      .filter((other) => hubs.includes(other.code))
      .sort((x, y) => distanceKm(airport, x) - distanceKm(airport, y))
      .slice(0, 1);
    for (const hub of nearestHubs) add(airport, hub);
  }
  for (const a of demoAirports) for (const b of demoAirports) if (hubs.includes(a.code) && hubs.includes(b.code)) add(a, b);
  return [...pairs.values()];
}

/**
 * Demo data on a first start (no airports yet): about 30 airports, a few airplane types and
 * flights for the next days, set-based so the embedded start stays quick. Runs under an advisory
 * lock so two instances starting together seed once.
 */
export async function seedDemoData(db: Db, options: { clock: Clock; currency: string; days: number; logger: Logger }) {
  const startedAt = Date.now();
  const now = options.clock.now();
  const seeded = await db.transaction(async (tx) => {
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext('flights.demo-seed'))`);
    const { rows } = await tx.query<{ present: boolean }>(`SELECT EXISTS (SELECT 1 FROM flights.airports) AS present`);
    if (rows[0]?.present) return 0;
    await insertAirports(tx, demoAirports);
    const routes = demoRoutes();
    const airplanes = routes.map(([a, b], i) => {
      const type = airplaneTypes[airplaneTypeFor(distanceKm(a, b))] ?? airplaneTypes[0];
      return { registration: `N${String(101 + i)}YF`, model: type?.model ?? '', cabins: type?.cabins ?? [] };
    });
    const ids = await insertAirplanes(tx, airplanes, now);
    const legs: DailyLeg[] = routes.flatMap(([a, b], i) => {
      const km = distanceKm(a, b);
      const minutes = blockMinutes(km);
      // Banks like a real hub: feeders leave spokes 06:30-09:30, hub-to-hub flights 13:00-19:00, the rest 08:00-18:00.
      const [startMinute, spanMinutes] = hubs.includes(a.code)
        ? hubs.includes(b.code)
          ? [13 * 60, 6 * 60]
          : [8 * 60, 10 * 60]
        : hubs.includes(b.code)
          ? [6 * 60 + 30, 3 * 60]
          : [8 * 60, 10 * 60];
      const departsMinute = startMinute + Math.floor(((i * 47) % spanMinutes) / 5) * 5;
      const localTime = `${String(Math.floor(departsMinute / 60)).padStart(2, '0')}:${String(departsMinute % 60).padStart(2, '0')}`;
      const common = {
        airplaneId: ids.get(airplanes[i]?.registration ?? '') ?? '',
        minutes,
        zone: a.tz,
        localTime,
        economyFare: economyFare(km),
      };
      return [
        { ...common, flightNumber: `YF${100 + 2 * i}`, origin: a.code, destination: b.code, offsetMinutes: 0 },
        { ...common, flightNumber: `YF${101 + 2 * i}`, origin: b.code, destination: a.code, offsetMinutes: minutes + 60 },
      ];
    });
    return insertDailyLegs(tx, legs, {
      startDate: now.toISOString().slice(0, 10),
      dayFrom: 0,
      dayTo: options.days,
      currency: options.currency,
      now,
    });
  });
  if (seeded > 0) options.logger.info({ flights: seeded, ms: Date.now() - startedAt }, 'demo data seeded');
}
