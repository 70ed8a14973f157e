/**
 * Starts AeroFly as child processes for a benchmark or a drill, the way an operator would:
 * `scripts/cluster.ts` (server mode, one process per service instance) or
 * `scripts/start-embedded.ts` (one process). Every run gets its own DATA_DIR (keys, mail sink), its
 * own PostgreSQL database (dropped and created afresh), a Redis database number and a RabbitMQ vhost
 * of its own when the broker allows it, so runs never mix with a developer's system on the same servers.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Socket } from 'node:net';
import pg from 'pg';

export const repoRoot = resolve(fileURLToPath(new URL('../..', import.meta.url)));

export type SystemOptions = {
  mode: 'cluster' | 'embedded';
  flightsInstances?: number;
  bookingsInstances?: number;
  /** Name of the PostgreSQL database to (re)create for this run (cluster mode). */
  databaseName?: string;
  /** Override connection settings, e.g. to route a service through a TCP proxy in a drill. */
  databaseUrl?: string;
  redisUrl?: string;
  amqpUrl?: string;
  /** First port of the block this system uses (gateway = base, notifications = base+3, flights base+10.., bookings base+20..). */
  basePort?: number;
  env?: Record<string, string>;
  /** Where the children's output goes; defaults to DATA_DIR/system.log. */
  logFile?: string;
  keepDataDir?: boolean;
};

export type ProcessInfo = { name: string; service: string; pid: number; url?: string; restarts?: number };

/** What each process answers on `/ready`: its status and body, or status 0 when it does not answer in time. */
export function readinessOfProcesses(processes: ProcessInfo[], timeoutMs = 1000) {
  return Promise.all(
    processes.map(async (entry) => {
      try {
        const answer = await fetch(`${entry.url}/ready`, { signal: AbortSignal.timeout(timeoutMs) });
        return { name: entry.name, status: answer.status, body: (await answer.json()) as unknown };
      } catch (error) {
        return { name: entry.name, status: 0, body: String(error) };
      }
    }),
  );
}

export type RunningSystem = {
  mode: 'cluster' | 'embedded';
  label: string;
  gatewayUrl: string;
  dataDir: string;
  /** The database the services use (cluster mode), reachable directly for setup and checks. */
  adminDatabaseUrl?: string;
  logFile: string;
  supervisorPid: number;
  processes(): ProcessInfo[];
  stop(): Promise<void>;
};

const serverDefaults = {
  postgres: process.env['BENCH_DATABASE_URL'] ?? process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: process.env['REDIS_URL'] ?? 'redis://127.0.0.1:6379',
  amqp: process.env['AMQP_URL'] ?? 'amqp://guest:guest@127.0.0.1:5672',
};

export function withDatabase(url: string, name: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${name}`;
  return parsed.toString();
}

/** Drops and creates a database on the server of `serverUrl`. */
export async function recreateDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
    await client.query(`CREATE DATABASE "${name}"`);
  } finally {
    await client.end();
  }
  return withDatabase(serverUrl, name);
}

export async function dropDatabase(serverUrl: string, name: string): Promise<void> {
  const client = new pg.Client({ connectionString: withDatabase(serverUrl, 'postgres') });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  } finally {
    await client.end();
  }
}

/**
 * A RabbitMQ vhost of the run's own when `rabbitmqctl` is there (same machine as the broker), so
 * its queues never compete with another system's consumers; the given URL unchanged otherwise.
 */
export function isolatedAmqpUrl(amqpUrl: string, vhost: string): string {
  const add = spawnSync('rabbitmqctl', ['add_vhost', vhost], { encoding: 'utf8', timeout: 30_000 });
  if (add.error) return amqpUrl;
  if (add.status !== 0 && !/already exists/i.test(`${add.stderr}${add.stdout}`)) return amqpUrl;
  const user = decodeURIComponent(new URL(amqpUrl).username || 'guest');
  const grant = spawnSync('rabbitmqctl', ['set_permissions', '-p', vhost, user, '.*', '.*', '.*'], { encoding: 'utf8', timeout: 30_000 });
  if (grant.status !== 0) return amqpUrl;
  const parsed = new URL(amqpUrl);
  parsed.pathname = `/${encodeURIComponent(vhost)}`;
  return parsed.toString();
}

/**
 * A vhost emptied for this run: deleted with whatever queues an earlier run left (a backlog there
 * would be consumed during the measurement) and created again. The given URL when rabbitmqctl is missing.
 */
export function freshAmqpUrl(amqpUrl: string, vhost: string): string {
  spawnSync('rabbitmqctl', ['delete_vhost', vhost], { encoding: 'utf8', timeout: 30_000 });
  return isolatedAmqpUrl(amqpUrl, vhost);
}

export function portIsFree(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = new Socket();
    const finish = (free: boolean) => {
      socket.destroy();
      done(free);
    };
    socket.setTimeout(300, () => finish(true));
    socket.once('error', () => finish(true));
    socket.connect(port, '127.0.0.1', () => finish(false));
  });
}

/** First base port (step 100 from `from`) whose block of 40 ports is free. */
/** The ports of one system's processes in a block `findPortBlock` found free. */
export const portsOf = (base: number) => ({ gateway: base, notifications: base + 3, flights: base + 10, bookings: base + 20 });
type Ports = ReturnType<typeof portsOf>;

/** Each service's port setting. */
export const portSettings = (ports: Ports) => ({
  GATEWAY_PORT: String(ports.gateway),
  NOTIFICATIONS_PORT: String(ports.notifications),
  FLIGHTS_PORT: String(ports.flights),
  BOOKINGS_PORT: String(ports.bookings),
});

/** Embedded mode, one process: where the services reach each other, and no server setting left to switch a part to a server. */
export function embeddedSettings(env: Record<string, string | undefined>, ports: Ports) {
  for (const key of ['DATABASE_URL', 'REDIS_URL', 'REDIS_SENTINELS', 'AMQP_URL']) delete env[key];
  env['FLIGHTS_URL'] = `http://127.0.0.1:${ports.flights}`;
  env['BOOKINGS_URL'] = `http://127.0.0.1:${ports.bookings}`;
  env['NOTIFICATIONS_URL'] = `http://127.0.0.1:${ports.notifications}`;
  env['GATEWAY_URL'] = `http://127.0.0.1:${ports.gateway}`;
}

export async function findPortBlock(from = 4400): Promise<number> {
  for (let base = from; base < 60_000; base += 100) {
    const used = [
      base,
      base + 3,
      ...Array.from({ length: 8 }, (_v, i) => base + 10 + i),
      ...Array.from({ length: 8 }, (_v, i) => base + 20 + i),
    ];
    const free = await Promise.all(used.map(portIsFree));
    if (free.every(Boolean)) return base;
  }
  throw new Error('no free port block');
}

async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, child: ChildProcess, logFile: string) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`system exited while waiting for ${what}; see ${logFile}:\n${tail(logFile)}`);
    }
    if (await check().catch(() => false)) return;
    await new Promise((done) => setTimeout(done, 250));
  }
  throw new Error(`timed out waiting for ${what}; see ${logFile}:\n${tail(logFile)}`);
}

function tail(file: string, lines = 30) {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
}

const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

export async function startSystem(options: SystemOptions): Promise<RunningSystem> {
  const flightsInstances = options.flightsInstances ?? 1;
  const bookingsInstances = options.bookingsInstances ?? 1;
  const dataDir = mkdtempSync(join(tmpdir(), `aerofly-${options.mode}-`));
  const logFile = options.logFile ?? join(dataDir, 'system.log');
  const base = options.basePort ?? (await findPortBlock());
  const ports = portsOf(base);
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    SEED_DEMO_DATA: 'false',
    SKIP_WEB_BUILD: '1',
    NODE_ENV: 'production',
    ...portSettings(ports),
    ADMIN_EMAIL: 'admin@bench.aerofly.test',
    ADMIN_PASSWORD: 'bench-admin-password',
    ...options.env,
  };
  delete env['SMTP_URL'];
  if (options.env?.['SMTP_URL']) env['SMTP_URL'] = options.env['SMTP_URL'];

  let adminDatabaseUrl: string | undefined;
  let label: string;
  let script: string;
  if (options.mode === 'cluster') {
    adminDatabaseUrl = options.databaseUrl ?? (await recreateDatabase(serverDefaults.postgres, options.databaseName ?? 'aerofly_bench'));
    env['DATABASE_URL'] = adminDatabaseUrl;
    env['REDIS_URL'] = options.redisUrl ?? serverDefaults.redis;
    env['AMQP_URL'] = options.amqpUrl ?? freshAmqpUrl(serverDefaults.amqp, options.databaseName ?? 'aerofly_bench');
    env['FLIGHTS_INSTANCES'] = String(flightsInstances);
    env['BOOKINGS_INSTANCES'] = String(bookingsInstances);
    label =
      flightsInstances === 1 && bookingsInstances === 1
        ? 'server mode, 1 instance per service'
        : `start:cluster, ${flightsInstances} flights + ${bookingsInstances} bookings`;
    script = 'scripts/cluster.ts';
  } else {
    embeddedSettings(env, ports);
    label = 'embedded (one process, PGlite)';
    script = 'scripts/start-embedded.ts';
  }

  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, script)], { cwd: repoRoot, env, stdio: ['ignore', out, out] });
  const gatewayUrl = `http://127.0.0.1:${ports.gateway}`;
  const statusFile = join(dataDir, 'cluster.json');
  const readProcesses = (): ProcessInfo[] => {
    if (options.mode === 'embedded') return child.pid ? [{ name: 'embedded', service: 'all', pid: child.pid }] : [];
    if (!existsSync(statusFile)) return [];
    try {
      const status = JSON.parse(readFileSync(statusFile, 'utf8')) as {
        processes: { name: string; service: string; pid: number | null; url: string; restarts: number }[];
      };
      return status.processes
        .filter((entry) => entry.pid)
        .map((entry) => ({ name: entry.name, service: entry.service, pid: entry.pid!, url: entry.url, restarts: entry.restarts }));
    } catch {
      return [];
    }
  };
  let lastKnown: ProcessInfo[] = [];

  const stop = async () => {
    lastKnown = readProcesses().length ? readProcesses() : lastKnown;
    if (child.exitCode === null && child.signalCode === null) {
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 40_000);
      await exited;
      clearTimeout(timer);
    }
    // Whatever the supervisor could not stop (it was killed itself) goes now.
    for (const entry of lastKnown) if (isAlive(entry.pid)) process.kill(entry.pid, 'SIGKILL');
    if (!options.keepDataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  try {
    await waitUntil(
      'the gateway to be ready',
      async () => {
        const answer = await fetch(`${gatewayUrl}/ready`, { signal: AbortSignal.timeout(1000) });
        if (!answer.ok) return false;
        if (options.mode !== 'cluster') return true;
        // Every instance is ready, not only the gateway: the gateway's /ready does not ask its upstreams,
        // so a first request could otherwise reach a flights instance that is still starting.
        const processes = readProcesses();
        if (processes.length !== 2 + flightsInstances + bookingsInstances) return false;
        return (await readinessOfProcesses(processes)).every((state) => state.status === 200);
      },
      180_000,
      child,
      logFile,
    );
  } catch (error) {
    await stop();
    throw error;
  }
  lastKnown = readProcesses();

  return {
    mode: options.mode,
    label,
    gatewayUrl,
    dataDir,
    ...(adminDatabaseUrl ? { adminDatabaseUrl } : {}),
    logFile,
    supervisorPid: child.pid!,
    processes: () => {
      const current = readProcesses();
      if (current.length) lastKnown = current;
      return current.length ? current : lastKnown;
    },
    stop,
  };
}
