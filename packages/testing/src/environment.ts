import { appendFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';

/**
 * Which real servers this test run uses. Test files read the ordinary settings (`DATABASE_URL`,
 * `REDIS_URL`, `AMQP_URL`); without them they run on the embedded implementations. With
 * `AEROFLY_REQUIRE_SERVERS=1` (CI) a missing or unreachable server is a failure, never a skip.
 */
export const testServers = {
  databaseUrl: process.env['DATABASE_URL'] || undefined,
  redisUrl: process.env['REDIS_URL'] || undefined,
  amqpUrl: process.env['AMQP_URL'] || undefined,
  smtpUrl: process.env['SMTP_URL'] || undefined,
  required: process.env['AEROFLY_REQUIRE_SERVERS'] === '1',
};

export type ServerNeed = 'postgres' | 'redis' | 'rabbitmq' | 'redis-server' | 'postgres-binaries' | 'rabbitmq-server' | 'chromium';

const urlFor = (need: ServerNeed) =>
  need === 'postgres'
    ? testServers.databaseUrl
    : need === 'redis'
      ? testServers.redisUrl
      : need === 'rabbitmq'
        ? testServers.amqpUrl
        : 'local';

/**
 * True when every need is met. When one is missing: in CI (required) it throws so the suite fails;
 * on a newcomer's machine it records "not run: needs X" for the summary and returns false, and the
 * caller uses `describe.skipIf(!ok)`.
 */
export function hasServers(
  suite: string,
  needs: ServerNeed[],
  available: (need: ServerNeed) => boolean = (need) => urlFor(need) !== undefined,
): boolean {
  const missing = needs.filter((need) => !available(need));
  if (missing.length === 0) return true;
  if (testServers.required) throw new Error(`${suite} needs ${missing.join(', ')} but it is not configured (AEROFLY_REQUIRE_SERVERS=1)`);
  const dir = join(process.cwd(), '.test-results');
  mkdirSync(dir, { recursive: true });
  appendFileSync(join(dir, 'not-run.txt'), `${suite}: needs ${missing.join(', ')}\n`);
  return false;
}

/** Describes where this run's adapters point, for the test summary. */
export const adapterSummary = () => ({
  db: testServers.databaseUrl ? 'postgres' : 'pglite',
  kv: testServers.redisUrl ? 'redis' : 'memory',
  bus: testServers.amqpUrl ? 'rabbitmq' : 'memory',
});

export function portAnswers(port: number, host = '127.0.0.1', timeoutMs = 500): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(timeoutMs, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, host, () => done(true));
  });
}
