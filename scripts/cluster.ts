/**
 * Server mode on one machine (`npm run start:cluster`): every service in its own process against the
 * real PostgreSQL, Redis and RabbitMQ, with several instances of flights and bookings on consecutive
 * ports. The gateway and bookings balance over the instances (the *_URL settings take a list).
 * Instances share nothing but those servers; each migrates at start under an advisory lock.
 *
 * A child that dies is restarted with backoff. SIGTERM/SIGINT stop the gateway first (no new
 * requests), then flights and bookings (finish in flight, stop consumers, flush the outbox), then
 * notifications; a child that does not exit within its grace is killed.
 *
 * The running layout (pids, ports, URLs) is written to DATA_DIR/cluster.json for tools (benchmarks).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ensureWebBuilt } from './ensure-web-built.js';
import { ensureKeys } from './keys.js';

type ServiceName = 'gateway' | 'flights' | 'bookings' | 'notifications';
type Member = {
  name: string;
  service: ServiceName;
  instance: number;
  port: number;
  url: string;
  env: Record<string, string | undefined>;
  child?: ChildProcess;
  startedAt: number;
  restarts: number;
  restartTimer?: NodeJS.Timeout;
};

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const environment: Record<string, string | undefined> = { ...process.env };
const fail = (message: string): never => {
  process.stderr.write(`start:cluster: ${message}\n`);
  process.exit(1);
};
const intSetting = (key: string, fallback: number, min: number, max: number) => {
  const raw = environment[key];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) fail(`${key} must be an integer from ${min} to ${max}, got "${raw}"`);
  return value;
};

const dataDir = resolve(environment['DATA_DIR'] ?? './data');
environment['DATA_DIR'] = dataDir;
mkdirSync(dataDir, { recursive: true });
environment['DATABASE_URL'] ||= 'postgres://postgres@127.0.0.1:5432/aerofly';
// Through sentinels REDIS_URL is optional (credentials and db only), so it gets no default then.
if (!environment['REDIS_SENTINELS']) environment['REDIS_URL'] ||= 'redis://127.0.0.1:6379';
environment['AMQP_URL'] ||= 'amqp://guest:guest@127.0.0.1:5672';
ensureKeys(environment, dataDir);

const host = environment['HOST'] ?? '127.0.0.1';
const reachableHost = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host;
const flightsInstances = intSetting('FLIGHTS_INSTANCES', 2, 1, 32);
const bookingsInstances = intSetting('BOOKINGS_INSTANCES', 2, 1, 32);
const ports = {
  gateway: intSetting('GATEWAY_PORT', 3000, 1, 65535),
  notifications: intSetting('NOTIFICATIONS_PORT', 3003, 1, 65535),
  flights: intSetting('FLIGHTS_PORT', 3010, 1, 65535),
  bookings: intSetting('BOOKINGS_PORT', 3020, 1, 65535),
};
const graceMs = intSetting('SHUTDOWN_GRACE_MS', 20_000, 1000, 600_000);

const members: Member[] = [];
const add = (service: ServiceName, count: number) => {
  for (let instance = 0; instance < count; instance += 1) {
    const port = ports[service] + instance;
    const name = count > 1 ? `${service}-${instance + 1}` : service;
    members.push({ name, service, instance, port, url: `http://${reachableHost}:${port}`, env: {}, startedAt: 0, restarts: 0 });
  }
};
add('notifications', 1);
add('flights', flightsInstances);
add('bookings', bookingsInstances);
add('gateway', 1);

const taken = new Map<number, string>();
for (const member of members) {
  const other = taken.get(member.port);
  if (other) fail(`${member.name} and ${other} would both listen on port ${member.port}; set FLIGHTS_PORT / BOOKINGS_PORT further apart`);
  taken.set(member.port, member.name);
}

const urlsOf = (service: ServiceName) =>
  members
    .filter((member) => member.service === service)
    .map((member) => member.url)
    .join(',');
const serviceUrls = {
  GATEWAY_URL: urlsOf('gateway'),
  FLIGHTS_URL: urlsOf('flights'),
  BOOKINGS_URL: urlsOf('bookings'),
  NOTIFICATIONS_URL: urlsOf('notifications'),
};
const portKey: Record<ServiceName, string> = {
  gateway: 'GATEWAY_PORT',
  flights: 'FLIGHTS_PORT',
  bookings: 'BOOKINGS_PORT',
  notifications: 'NOTIFICATIONS_PORT',
};
for (const member of members) {
  member.env = {
    ...environment,
    ...serviceUrls,
    [portKey[member.service]]: String(member.port),
    // Demo data is seeded once, by the first flights instance; the others only serve.
    ...(member.service === 'flights' && member.instance > 0 ? { SEED_DEMO_DATA: 'false' } : {}),
  };
}

/** Creates the database named in DATABASE_URL when it is missing (first start on a fresh server). */
async function ensureDatabase(databaseUrl: string) {
  const target = new URL(databaseUrl);
  const name = decodeURIComponent(target.pathname.replace(/^\//, ''));
  if (!name || name === 'postgres') return;
  const admin = new URL(databaseUrl);
  admin.pathname = '/postgres';
  const client = new pg.Client({ connectionString: admin.toString(), application_name: 'aerofly-cluster' });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (!rowCount) {
      await client.query(`CREATE DATABASE "${name.replace(/"/g, '""')}"`).catch((error: { code?: string }) => {
        if (error.code !== '42P04') throw error; // created meanwhile by another launcher
      });
      log(`created database ${name}`);
    }
  } finally {
    await client.end();
  }
}

function redisWhere() {
  const sentinels = environment['REDIS_SENTINELS'];
  if (sentinels) return `via sentinels ${sentinels} (${environment['REDIS_SENTINEL_NAME'] || 'mymaster'})`;
  return new URL(environment['REDIS_URL'] ?? '').host;
}

function log(line: string) {
  process.stdout.write(`[cluster] ${line}\n`);
}

const statusFile = join(dataDir, 'cluster.json');
function writeStatus() {
  const status = {
    pid: process.pid,
    mode: 'cluster',
    gatewayUrl: urlsOf('gateway'),
    processes: members.map((member) => ({
      name: member.name,
      service: member.service,
      instance: member.instance,
      pid: member.child?.pid ?? null,
      port: member.port,
      url: member.url,
      restarts: member.restarts,
    })),
  };
  writeFileSync(statusFile, `${JSON.stringify(status, null, 2)}\n`);
}

let stopping = false;
// AEROFLY_PROFILE_DIR=dir: every member writes a V8 CPU profile there when it exits (open it in
// Chrome DevTools); how BENCHMARKS.md's "where the time goes" was found.
const profileDir = process.env['AEROFLY_PROFILE_DIR'];
const profileArgs = profileDir ? ['--cpu-prof', '--cpu-prof-dir', profileDir] : [];

function startMember(member: Member) {
  const entry = join(root, 'services', member.service, 'src', 'server.ts');
  const child = spawn(process.execPath, [...profileArgs, '--import', 'tsx', entry], {
    cwd: root,
    env: member.env,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  member.child = child;
  member.startedAt = Date.now();
  writeStatus();
  child.once('exit', (code, signal) => {
    if (member.child === child) member.child = undefined;
    if (stopping) return;
    // A child that ran a while starts again at once; one that keeps dying waits longer each time.
    const ranMs = Date.now() - member.startedAt;
    if (ranMs > 30_000) member.restarts = 0;
    const delayMs = Math.min(500 * 2 ** member.restarts, 15_000);
    member.restarts += 1;
    log(`${member.name} (pid ${child.pid}) exited with ${signal ?? `code ${code}`}; restarting in ${delayMs} ms`);
    member.restartTimer = setTimeout(() => {
      member.restartTimer = undefined;
      if (!stopping) startMember(member);
    }, delayMs);
  });
}

async function waitHealthy(member: Member, timeoutMs = 120_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (stopping) return false;
    try {
      const answer = await fetch(`${member.url}/health`, { signal: AbortSignal.timeout(1000) });
      if (answer.ok) return true;
    } catch {
      // not listening yet
    }
    await new Promise((done) => setTimeout(done, 200));
  }
  return false;
}

async function stopMembers(group: Member[]) {
  await Promise.all(
    group.map(async (member) => {
      clearTimeout(member.restartTimer);
      const child = member.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => {
        log(`${member.name} did not stop within ${graceMs} ms; killing it`);
        child.kill('SIGKILL');
      }, graceMs);
      await exited;
      clearTimeout(timer);
    }),
  );
}

async function shutdown(signal: string) {
  if (stopping) return;
  stopping = true;
  log(`${signal}: stopping (gateway, then flights and bookings, then notifications)`);
  const of = (...services: ServiceName[]) => members.filter((member) => services.includes(member.service));
  await stopMembers(of('gateway'));
  await stopMembers(of('flights', 'bookings'));
  await stopMembers(of('notifications'));
  rmSync(statusFile, { force: true });
  log('stopped');
  process.exit(0);
}
process.once('SIGTERM', () => void shutdown('SIGTERM'));
process.once('SIGINT', () => void shutdown('SIGINT'));

const startedAt = performance.now();
if (environment['SKIP_WEB_BUILD'] !== '1') ensureWebBuilt();
try {
  await ensureDatabase(environment['DATABASE_URL']);
} catch (error) {
  fail(`cannot reach PostgreSQL at ${environment['DATABASE_URL']}: ${(error as Error).message}`);
}

// Consumers first (their queues must exist before anything publishes), then everything else.
const stages: ServiceName[][] = [['notifications'], ['flights', 'bookings', 'gateway']];
for (const stage of stages) {
  const group = members.filter((member) => stage.includes(member.service));
  for (const member of group) startMember(member);
  const healthy = await Promise.all(group.map((member) => waitHealthy(member)));
  if (stopping) break;
  const late = group.filter((_member, index) => !healthy[index]).map((member) => member.name);
  if (late.length) log(`not healthy yet: ${late.join(', ')} (still retrying)`);
}

if (!stopping) {
  const gateway = members.find((member) => member.service === 'gateway')!;
  const publicUrl = `http://${reachableHost === '127.0.0.1' ? 'localhost' : reachableHost}:${gateway.port}`;
  process.stdout.write(
    [
      '',
      `  AeroFly is running (server mode, ${members.length} processes, ready in ${Math.round(performance.now() - startedAt)} ms)`,
      `  Open ${publicUrl}/    API docs ${publicUrl}/docs`,
      ...members.map((member) => `    ${member.name.padEnd(16)} ${member.url}  pid ${member.child?.pid ?? '-'}`),
      `  PostgreSQL ${new URL(environment['DATABASE_URL']).host}${new URL(environment['DATABASE_URL']).pathname}, Redis ${redisWhere()}, RabbitMQ ${new URL(environment['AMQP_URL']).host}`,
      `  Layout in ${statusFile}`,
      '',
    ].join('\n') + '\n',
  );
}
