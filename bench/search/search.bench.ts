/**
 * `npm run bench:search`: search under load on a server database with BENCH_FLIGHTS (default
 * 1,000,000) flights, BENCH_CONNECTIONS (50) connections for BENCH_SECONDS (20) per phase, after a
 * BENCH_WARMUP_SECONDS (5) warm-up on the same path sequence (the measurement continues it), with
 * Zipf-skewed routes and dates as real traffic has. Phases:
 *   1. flights service with its cache (departure boards + answer cache), through a gateway process
 *      (the figure that counts),
 *   1b. with `--layouts ...,cluster`: the same on two flights instances behind one gateway,
 *   2. the same with the cache off (every search reads the database), through its own gateway,
 *   3. a bare fastify + pg route running the same SQL as a search with the cache off (the ceiling),
 *      direct and behind one proxy hop; phases 1 and 2 are compared with the proxied one.
 * BENCH_DIRECT=1 measures phases 1 and 2 on the flights instances directly (ratio then against the
 * direct ceiling); BENCH_TARGET_URL sends both elsewhere (ratio against the proxied ceiling).
 * Writes bench/results/search.json and the BENCHMARKS.md table.
 *
 * Uses a dedicated database `aerofly_bench_search` on the server of DATABASE_URL (default local).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import autocannon from 'autocannon';
import pg from 'pg';
import { ensureKeys } from '../../scripts/keys.js';
import { startCpuMeter } from '../src/cpu.js';
import { describeMachine, startRssMonitor, writeResult, type ResultRow } from '../src/measure.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const flights = Number(process.env['BENCH_FLIGHTS'] ?? 1_000_000);
const connections = Number(process.env['BENCH_CONNECTIONS'] ?? 50);
const seconds = Number(process.env['BENCH_SECONDS'] ?? 20);
const warmupSeconds = Number(process.env['BENCH_WARMUP_SECONDS'] ?? 5);
const direct = process.env['BENCH_DIRECT'] === '1';
const serverUrl = new URL(process.env['DATABASE_URL'] || 'postgres://postgres@127.0.0.1:5432/postgres');
const redisUrl = process.env['REDIS_URL'] || 'redis://127.0.0.1:6379';
const externalTarget = process.env['BENCH_TARGET_URL'];
const benchDb = new URL(serverUrl);
benchDb.pathname = '/aerofly_bench_search';
const ports = {
  flights: 4301,
  flightsNoCache: 4302,
  bare: 4303,
  proxy: 4304,
  gateway: 4305,
  gatewayNoCache: 4306,
  flightsSecond: 4307,
  gatewayCluster: 4308,
  unused: 4309,
};
/**
 * `--layouts single,cluster` (as `npm run bench` passes; BENCH_LAYOUTS too): `cluster` adds a phase with
 * two cached flights instances behind one gateway, as `start:cluster` runs them.
 */
const layoutsArg = process.argv.indexOf('--layouts');
const layouts = (layoutsArg >= 0 ? process.argv[layoutsArg + 1] : (process.env['BENCH_LAYOUTS'] ?? 'single,cluster')) ?? '';
const children: { name: string; child: ChildProcess }[] = [];
// Targets: the cached phase through the gateway, and the all-miss phase against the bare ceiling.
const target = { requestsPerSecond: 4_000, p99Ms: 30, allMissVsCeiling: 0.6 };
const cacheTtlSeconds = 15;

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

// Each process's log lines (LOG_LEVEL=warn) go to a file, kept after a run in which a phase
// answered errors (or the run failed), so that it can be explained afterwards.
const logDir = mkdtempSync(join(tmpdir(), 'aerofly-bench-search-logs-'));
let answeredErrors = false;
let finished = false;

// AEROFLY_PROFILE_DIR=dir: every process started here writes a V8 CPU profile there when it exits.
const profileDir = process.env['AEROFLY_PROFILE_DIR'];
const profileArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];

function start(name: string, file: string, env: Record<string, string>) {
  const logFile = openSync(join(logDir, `${name.replace(/[^a-z0-9-]+/gi, '-')}.log`), 'a');
  const child = spawn(process.execPath, [...profileArgs, '--import', 'tsx', join(root, file)], {
    env: { ...process.env, ...env },
    stdio: ['ignore', logFile, 'inherit'],
  });
  children.push({ name, child });
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
    // Searches read the database only to load a departure board (a miss, or a reload ahead of expiry).
    return {
      searches: read('search', 'hit') + read('search', 'miss'),
      answerHits: read('search', 'hit'),
      databaseReads: read('search_board', 'miss') + read('search_board', 'refresh'),
    };
  } catch {
    return { searches: 0, answerHits: 0, databaseReads: 0 };
  }
}

/** Paths in a fixed order; warm-up and measurement of a phase share one cursor, so the measurement continues the warm-up. */
function pathCursor(paths: string[]) {
  let next = 0;
  return () => paths[next++ % paths.length] ?? '/';
}

async function run(url: string, duration: number, nextPath: () => string) {
  return autocannon({
    url,
    connections,
    duration,
    requests: [{ method: 'GET', setupRequest: (request) => ({ ...request, path: nextPath() }) }],
  });
}

/** A warm-up of `warmupSeconds` on the phase's path sequence (JIT, pools, prepared statements, boards), not counted. */
async function warmUp(name: string, url: string, nextPath: () => string) {
  log(`\n${name}: warm-up ${warmupSeconds} s against ${url}`);
  if (warmupSeconds > 0) await run(url, warmupSeconds, nextPath);
}

const processes = () => children.map(({ name, child }) => ({ name, service: name, pid: child.pid ?? 0 }));

async function measure(name: string, url: string, nextPath: () => string) {
  log(`${name}: ${connections} connections, ${seconds} s against ${url}`);
  const cpu = startCpuMeter(processes);
  const result = await run(url, seconds, nextPath);
  // CPU of every process during the phase (idle ones included, near zero), per request answered.
  const cpuSeconds = Object.fromEntries(Object.entries(cpu.stop()).filter(([, used]) => used >= 0.05));
  const cpuMsPerRequest = Object.fromEntries(
    Object.entries(cpuSeconds).map(([process, used]) => [process, Math.round((used * 1e6) / Math.max(1, result.requests.total)) / 1000]),
  );
  const figures = {
    requestsPerSecond: Math.round(result.requests.average),
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
    requests: result.requests.total,
    cpuSeconds,
    cpuMsPerRequest,
    statusCodes: Object.fromEntries(
      Object.entries((result as { statusCodeStats?: Record<string, { count: number }> }).statusCodeStats ?? {}).map(([code, { count }]) => [
        code,
        count,
      ]),
    ),
  };
  log(
    `  ${figures.requestsPerSecond} req/s, p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, errors ${figures.errors}, non-2xx ${figures.non2xx}`,
  );
  log(`  CPU ms per request: ${JSON.stringify(cpuMsPerRequest)}`);
  if (figures.errors > 0 || figures.non2xx > 0) {
    answeredErrors = true;
    log(`  answers by status ${JSON.stringify(figures.statusCodes)}; process logs in ${logDir}`);
  }
  return figures;
}

const pick = (all: Record<string, number>, names: string[]) =>
  Object.fromEntries(Object.entries(all).filter(([name]) => names.includes(name)));

let stopping = false;
const dataDir = mkdtempSync(join(tmpdir(), 'aerofly-bench-search-'));
try {
  await ensureDatabase();
  // Enough paths that a phase (warm-up and measurement) never wraps around at up to 12,000 req/s:
  // a repeated sequence would find its own answers still cached.
  const { paths, routes, days } = await workload((warmupSeconds + seconds) * 12_000);
  log(`Workload: ${paths.length} requests over ${routes} routes and ${days} days (Zipf)`);
  const common = { DATABASE_URL: benchDb.toString(), REDIS_URL: redisUrl, SEED_DEMO_DATA: 'false', LOG_LEVEL: 'warn', RATE_LIMITS: 'off' };
  start('flights', 'services/flights/src/server.ts', {
    ...common,
    FLIGHTS_PORT: String(ports.flights),
    SEARCH_CACHE_TTL_SECONDS: String(cacheTtlSeconds),
  });
  start('flights (no cache)', 'services/flights/src/server.ts', {
    ...common,
    FLIGHTS_PORT: String(ports.flightsNoCache),
    SEARCH_CACHE_TTL_SECONDS: '0',
  });
  start('bare', 'bench/search/bare-search-server.ts', { DATABASE_URL: benchDb.toString(), PORT: String(ports.bare) });
  start('proxy', 'bench/search/proxy-hop.ts', { UPSTREAM: `http://127.0.0.1:${ports.bare}`, PORT: String(ports.proxy) });
  const throughGateway = !direct && !externalTarget;
  const withCluster = throughGateway && layouts.split(',').includes('cluster');
  if (withCluster) {
    start('flights-2', 'services/flights/src/server.ts', {
      ...common,
      FLIGHTS_PORT: String(ports.flightsSecond),
      SEARCH_CACHE_TTL_SECONDS: String(cacheTtlSeconds),
    });
  }
  if (throughGateway) {
    // The real gateway in server mode; bookings and notifications are not used by search.
    const gatewayEnv: Record<string, string | undefined> = {
      ...common,
      DATA_DIR: dataDir,
      BOOKINGS_URL: `http://127.0.0.1:${ports.unused}`,
      NOTIFICATIONS_URL: `http://127.0.0.1:${ports.unused}`,
    };
    ensureKeys(gatewayEnv, dataDir);
    const env = gatewayEnv as Record<string, string>;
    start('gateway', 'services/gateway/src/server.ts', {
      ...env,
      GATEWAY_PORT: String(ports.gateway),
      FLIGHTS_URL: `http://127.0.0.1:${ports.flights}`,
    });
    start('gateway (no cache)', 'services/gateway/src/server.ts', {
      ...env,
      GATEWAY_PORT: String(ports.gatewayNoCache),
      FLIGHTS_URL: `http://127.0.0.1:${ports.flightsNoCache}`,
    });
    if (withCluster) {
      start('gateway (cluster)', 'services/gateway/src/server.ts', {
        ...env,
        GATEWAY_PORT: String(ports.gatewayCluster),
        FLIGHTS_URL: `http://127.0.0.1:${ports.flights},http://127.0.0.1:${ports.flightsSecond}`,
      });
    }
  }
  const local = (port: number) => `http://127.0.0.1:${port}`;
  const cachedUrl = externalTarget ?? local(throughGateway ? ports.gateway : ports.flights);
  const missUrl = externalTarget ?? local(throughGateway ? ports.gatewayNoCache : ports.flightsNoCache);
  for (const url of [
    local(ports.flights),
    local(ports.flightsNoCache),
    local(ports.bare),
    ...(throughGateway ? [cachedUrl, missUrl] : []),
    ...(withCluster ? [local(ports.flightsSecond), local(ports.gatewayCluster)] : []),
  ]) {
    await waitUntilUp(url);
  }
  await waitUntilUp(local(ports.proxy)).catch(() => undefined);
  const rss = startRssMonitor(processes);

  const counters = local(ports.flights);
  const cachedPaths = pathCursor(paths);
  await warmUp('Search with cache', cachedUrl, cachedPaths);
  const before = await cacheCounters(counters);
  const cached = await measure('Search with cache', cachedUrl, cachedPaths);
  const after = await cacheCounters(counters);
  const searches = after.searches - before.searches;
  const round = (value: number) => Math.round(value * 1000) / 1000;
  // Hit ratio: searches that read nothing from the database, counting each board load as one read.
  const cacheHitRatio = searches > 0 ? round(1 - (after.databaseReads - before.databaseReads) / searches) : null;
  const answerHitRatio = searches > 0 ? round((after.answerHits - before.answerHits) / searches) : null;
  const boardLoads = after.databaseReads - before.databaseReads;
  log(`  ${searches} searches, ${boardLoads} board loads: hit ratio ${cacheHitRatio} (answers from the answer cache ${answerHitRatio})`);
  const phase = async (name: string, url: string) => {
    const nextPath = pathCursor(paths);
    await warmUp(name, url, nextPath);
    return measure(name, url, nextPath);
  };
  // The same cached search on two flights instances behind one gateway (boards and answers are per
  // instance; Redis shares the answers). The first instance is warm from phase 1.
  let cluster: (Awaited<ReturnType<typeof measure>> & { searches: number; boardLoads: number }) | undefined;
  if (withCluster) {
    const both = async () => {
      const [a, b] = await Promise.all([cacheCounters(local(ports.flights)), cacheCounters(local(ports.flightsSecond))]);
      return { searches: a.searches + b.searches, databaseReads: a.databaseReads + b.databaseReads };
    };
    const nextPath = pathCursor(paths);
    await warmUp('Search with cache, 2 flights instances', local(ports.gatewayCluster), nextPath);
    const opening = await both();
    const measured = await measure('Search with cache, 2 flights instances', local(ports.gatewayCluster), nextPath);
    const end = await both();
    cluster = { ...measured, searches: end.searches - opening.searches, boardLoads: end.databaseReads - opening.databaseReads };
  }
  const allMiss = await phase('Search, cache off (all misses)', missUrl);
  const bareDirect = await phase('Bare fastify + pg, same SQL, direct', local(ports.bare));
  const bareProxied = await phase('Bare fastify + pg, same SQL, one proxy hop', local(ports.proxy));
  const peakRssMb = rss.stop();
  const proxiedCeiling = !direct;
  const ceiling = proxiedCeiling ? bareProxied : bareDirect;
  const ratios = {
    allMissVsCeiling: Math.round((allMiss.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
    cachedVsCeiling: Math.round((cached.requestsPerSecond / ceiling.requestsPerSecond) * 100) / 100,
    ceiling: proxiedCeiling ? 'bare, one proxy hop' : 'bare, direct',
  };
  const via = throughGateway ? 'through the gateway' : externalTarget ? `via ${externalTarget}` : 'flights direct';
  const clean = (phase: { errors: number; non2xx: number }) => phase.errors === 0 && phase.non2xx === 0;
  const ms = (value: number) => `${value} ms`;
  const rows: ResultRow[] = [
    {
      setup: `cache on (departure boards, answer cache), ${via}`,
      figures: {
        'req/s': cached.requestsPerSecond,
        p50: ms(cached.p50Ms),
        p99: ms(cached.p99Ms),
        'hit ratio': cacheHitRatio ?? 'n/a',
        'board loads': boardLoads,
        'errors + non-2xx': cached.errors + cached.non2xx,
      },
      target: `≥ ${target.requestsPerSecond.toLocaleString('en-US')} req/s, p99 ≤ ${target.p99Ms} ms`,
      met: cached.requestsPerSecond >= target.requestsPerSecond && cached.p99Ms <= target.p99Ms && clean(cached),
      peakRssMb: pick(peakRssMb, ['flights', throughGateway ? 'gateway' : '']),
    },
    ...(cluster
      ? [
          {
            setup: 'cache on, start:cluster layout: 2 flights instances behind the gateway',
            figures: {
              'req/s': cluster.requestsPerSecond,
              p50: ms(cluster.p50Ms),
              p99: ms(cluster.p99Ms),
              'hit ratio': cluster.searches > 0 ? round(1 - cluster.boardLoads / cluster.searches) : 'n/a',
              'board loads': cluster.boardLoads,
              'errors + non-2xx': cluster.errors + cluster.non2xx,
            },
            target: `≥ ${target.requestsPerSecond.toLocaleString('en-US')} req/s, p99 ≤ ${target.p99Ms} ms`,
            met: cluster.requestsPerSecond >= target.requestsPerSecond && cluster.p99Ms <= target.p99Ms && clean(cluster),
            peakRssMb: pick(peakRssMb, ['flights', 'flights-2', 'gateway (cluster)']),
          },
        ]
      : []),
    {
      setup: `cache off (every search reads the database), ${via}`,
      figures: {
        'req/s': allMiss.requestsPerSecond,
        p50: ms(allMiss.p50Ms),
        p99: ms(allMiss.p99Ms),
        [`vs ${ratios.ceiling}`]: `${Math.round(ratios.allMissVsCeiling * 100)} %`,
        'errors + non-2xx': allMiss.errors + allMiss.non2xx,
      },
      target: `≥ ${target.allMissVsCeiling * 100} % of the ${ratios.ceiling} ceiling`,
      met: ratios.allMissVsCeiling >= target.allMissVsCeiling && clean(allMiss),
      peakRssMb: pick(peakRssMb, ['flights (no cache)', throughGateway ? 'gateway (no cache)' : '']),
    },
    {
      setup: 'bare fastify + pg, same SQL as cache off, direct',
      figures: { 'req/s': bareDirect.requestsPerSecond, p50: ms(bareDirect.p50Ms), p99: ms(bareDirect.p99Ms) },
      target: proxiedCeiling ? 'reference' : 'ceiling for the ratio',
    },
    {
      setup: 'bare fastify + pg, same SQL as cache off, one proxy hop',
      figures: { 'req/s': bareProxied.requestsPerSecond, p50: ms(bareProxied.p50Ms), p99: ms(bareProxied.p99Ms) },
      target: proxiedCeiling ? 'ceiling for the ratio' : 'reference',
    },
  ];
  const file = writeResult({
    name: 'search',
    title: `bench:search (${(flights / 1e6).toLocaleString('en-US')}M flights, ${connections} connections, ${seconds} s per phase)`,
    finishedAt: new Date().toISOString(),
    machine: await describeMachine(benchDb.toString()),
    rows,
    details: {
      setup: {
        flights,
        connections,
        seconds,
        warmupSeconds,
        warmup: 'before each phase, on the same path sequence; the measurement continues it and counts only itself',
        routes,
        days,
        target: via,
        searchCacheTtlSeconds: cacheTtlSeconds,
        zipf: { routes: 1.05, days: 0.7 },
      },
      cached: { ...cached, cacheHitRatio, answerHitRatio, searches, boardLoads },
      ...(cluster ? { cluster } : {}),
      allMiss,
      bareDirect,
      bareProxied,
      ratios,
      peakRssMb,
    },
  });
  log(`\n${JSON.stringify(ratios)}\nWritten to ${file} and BENCHMARKS.md`);
  finished = true;
} finally {
  stopping = true;
  for (const { child } of children) child.kill('SIGTERM');
  rmSync(dataDir, { recursive: true, force: true });
  if (finished && !answeredErrors) rmSync(logDir, { recursive: true, force: true });
}
