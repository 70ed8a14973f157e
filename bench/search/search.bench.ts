/**
 * `npm run bench:search`: search under load on a server database with BENCH_FLIGHTS (default
 * 1,000,000) flights, BENCH_CONNECTIONS (50) connections for BENCH_SECONDS (20) per phase, with
 * Zipf-skewed routes and dates as real traffic has. Phases:
 *   1. flights service with its cache (the figure that counts),
 *   2. the same with the cache off (all misses),
 *   3. a bare fastify + pg route running the same SQL (the ceiling), direct and behind one proxy hop.
 * BENCH_TARGET_URL sends phase 1 and 2 elsewhere (e.g. through the gateway); the ratio then uses
 * the proxied ceiling. Writes bench/results/search.json.
 *
 * Uses a dedicated database `aerofly_bench_search` on the server of DATABASE_URL (default local).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const flights = Number(process.env['BENCH_FLIGHTS'] ?? 1_000_000);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 20);
const serverUrl = new URL(process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const externalTarget = process.env['BENCH_TARGET_URL'];
const benchDb = new URL(serverUrl);
benchDb.pathname = '/aerofly_bench_search';
const ports = { flights: 4301, flightsNoCache: 4302, bare: 4303, proxy: 4304 };
const children: ChildProcess[] = [];

const log = (message: string) => process.stdout.write(`${message}\n`);

async function ensureDatabase() {
  const admin = new pg.Client({ connectionString: serverUrl.toString() });
  await admin.connect();
  try {
    const exists = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', ['aerofly_bench_search']);
    if (exists.rowCount === 0) await admin.query('CREATE DATABASE aerofly_bench_search');
  } finally {
    await admin.end();
  }
  log(`Seeding ${flights.toLocaleString('en-US')} flights into ${benchDb.pathname.slice(1)} (skipped when present)...`);
  const seeded = spawnSync(
    process.execPath,
    ['--import', 'tsx', join(root, 'services/flights/src/seed/seed-bulk.cli.ts'), '--flights', String(flights)],
    {
      env: { ...process.env, DATABASE_URL: benchDb.toString() },
      stdio: 'inherit',
    },
  );
  if (seeded.status !== 0) throw new Error('seeding failed');
}

function start(name: string, file: string, env: Record<string, string>) {
  const child = spawn(process.execPath, ['--import', 'tsx', join(root, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  children.push(child);
  child.on('exit', (code) => {
    if (code && code !== 0 && !stopping) log(`${name} exited with ${code}`);
  });
  return child;
}

async function waitUntilUp(url: string) {
  for (let i = 0; i < 300; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) return;
    } catch {
      // not yet listening
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new Error(`${url} did not come up`);
}

/** Deterministic pseudo-random numbers, so every run asks the same mix. */
function mulberry32(seed: number) {
  return () => {
    seed |= 0;
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function zipfSampler(n: number, s: number, random: () => number) {
  const weights = Array.from({ length: n }, (_, k) => 1 / (k + 1) ** s);
  const total = weights.reduce((a, b) => a + b, 0);
  const cumulative: number[] = [];
  let sum = 0;
  for (const w of weights) cumulative.push((sum += w / total));
  return () => {
    const r = random();
    let lo = 0;
    let hi = n - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] ?? 1) < r) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
}

async function workload(count: number) {
  const client = new pg.Client({ connectionString: benchDb.toString() });
  await client.connect();
  const { rows } = await client.query<{ origin: string; destination: string }>(
    `SELECT origin, destination FROM flights.flights WHERE flight_number LIKE 'BK%' GROUP BY origin, destination ORDER BY origin, destination`,
  );
  const { rows: span } = await client.query<{ first: Date; last: Date }>(
    `SELECT min(departure_at) AS first, max(departure_at) AS last FROM flights.flights`,
  );
  await client.end();
  const random = mulberry32(42);
  const routes = [...rows].sort(() => random() - 0.5);
  const pickRoute = zipfSampler(routes.length, 1.05, random);
  const first = new Date(Math.max(Date.now(), span[0]?.first.getTime() ?? Date.now()));
  const days = Math.max(1, Math.min(60, Math.floor(((span[0]?.last.getTime() ?? 0) - first.getTime()) / 86_400_000)));
  const pickDay = zipfSampler(days, 0.7, random);
  const paths: string[] = [];
  for (let i = 0; i < count; i++) {
    const route = routes[pickRoute()]!;
    const date = new Date(first.getTime() + (pickDay() + 1) * 86_400_000).toISOString().slice(0, 10);
    const r = random();
    const passengers = r < 0.7 ? 1 : r < 0.9 ? 2 : 3 + Math.floor(random() * 2);
    const c = random();
    const cabin = c < 0.85 ? 'economy' : c < 0.95 ? 'business' : 'premium_economy';
    const s = random();
    const sort = s < 0.8 ? 'price' : s < 0.95 ? 'departure' : 'duration';
    paths.push(
      `/api/v1/flights/search?from=${route.origin}&to=${route.destination}&date=${date}&passengers=${passengers}&cabin=${cabin}&sort=${sort}`,
    );
  }
  return { paths, routes: routes.length, days };
}

async function cacheCounters(url: string) {
  try {
    const text = await (await fetch(`${url}/metrics`)).text();
    const read = (cache: string, result: string) =>
      [
        ...text.matchAll(new RegExp(`flights_cache_requests_total\\{[^}]*cache="${cache}"[^}]*result="${result}"[^}]*\\} (\\d+)`, 'g')),
      ].reduce((sum, m) => sum + Number(m[1]), 0);
    // A search reads the database only when both the answer and its route/date candidates miss.
    return { searches: read('search', 'hit') + read('search', 'miss'), databaseReads: read('search_candidates', 'miss') };
  } catch {
    return { searches: 0, databaseReads: 0 };
  }
}

async function load(name: string, url: string, paths: string[]) {
  let next = 0;
  log(`\n${name}: ${connections} connections, ${seconds} s against ${url}`);
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: paths[next++ % paths.length] ?? '/' }) }],
  });
  const figures = {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
  };
  log(
    `  ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, errors ${figures.errors}, non-2xx ${figures.non2xx}`,
  );
  return figures;
}

let stopping = false;
try {
  await ensureDatabase();
  const { paths, routes, days } = await workload(50_000);
  log(`Workload: ${paths.length} requests over ${routes} routes and ${days} days (Zipf)`);
  const common = { DATABASE_URL: benchDb.toString(), REDIS_URL: redisUrl, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', RATE_LIMITS: 'off' };
  start('flights', 'services/flights/src/server.ts', { ...common, FLIGHTS_PORT: String(ports.flights), SEARCH_CACHE_TTL_SECONDS: '15' });
  start('flights (no cache)', 'services/flights/src/server.ts', {
    ...common,
    FLIGHTS_PORT: String(ports.flightsNoCache),
    SEARCH_CACHE_TTL_SECONDS: '0',
  });
  start('bare', 'bench/search/bare-search-server.ts', { DATABASE_URL: benchDb.toString(), PORT: String(ports.bare) });
  start('proxy', 'bench/search/proxy-hop.ts', { UPSTREAM: `http://127.0.0.1:${ports.bare}`, PORT: String(ports.proxy) });
  const cachedUrl = externalTarget ?? `http://127.0.0.1:${ports.flights}`;
  const missUrl = `http://127.0.0.1:${ports.flightsNoCache}`;
  for (const url of [`http://127.0.0.1:${ports.flights}`, missUrl, `http://127.0.0.1:${ports.bare}`]) await waitUntilUp(url);
  await waitUntilUp(`http://127.0.0.1:${ports.proxy}`).catch(() => undefined);

  const before = await cacheCounters(`http://127.0.0.1:${ports.flights}`);
  const cached = await load('Search with cache', cachedUrl, paths);
  const after = await cacheCounters(`http://127.0.0.1:${ports.flights}`);
  const searches = after.searches - before.searches;
  const databaseReads = after.databaseReads - before.databaseReads;
  const cacheHitRatio = searches > 0 ? Math.round((1 - databaseReads / searches) * 1000) / 1000 : null;
  log(`  cache hit ratio ${cacheHitRatio}`);
  const allMiss = await load('Search, cache off (all misses)', externalTarget ? externalTarget : missUrl, paths);
  const bareDirect = await load('Bare fastify + pg, same SQL, direct', `http://127.0.0.1:${ports.bare}`, paths);
  const bareProxied = await load('Bare fastify + pg, same SQL, one proxy hop', `http://127.0.0.1:${ports.proxy}`, paths);
  const ceiling = externalTarget ? bareProxied : bareDirect;
  const result = {
    benchmark: 'search',
    measuredAt: new Date().toISOString(),
    machine: { cpus: cpus().length, model: cpus()[0]?.model, memoryGb: Math.round(totalmem() / 2 ** 30), loadAverage1m: loadavg()[0] },
    setup: {
      flights,
      connections,
      seconds,
      routes,
      days,
      target: externalTarget ? 'custom target (BENCH_TARGET_URL)' : 'flights service direct',
      zipf: { routes: 1.05, days: 0.7 },
    },
    cached: { ...cached, cacheHitRatio },
    allMiss,
    bareDirect,
    bareProxied,
    ratios: {
      allMissVsCeiling: Math.round((allMiss.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
      cachedVsCeiling: Math.round((cached.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
      ceiling: externalTarget ? 'bare, one proxy hop' : 'bare, direct',
    },
  };
  mkdirSync(join(root, 'bench', 'results'), { recursive: true });
  writeFileSync(join(root, 'bench', 'results', 'search.json'), `${JSON.stringify(result, null, 2)}\n`);
  log(`\n${JSON.stringify(result.ratios)}\nWritten to bench/results/search.json`);
} finally {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
}
