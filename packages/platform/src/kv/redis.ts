import { Redis, type RedisOptions } from 'ioredis';
import type { HostPort } from '../config.js';
import type { Logger } from '../logger.js';
import type { Kv } from './kv.js';

export type RedisKv = Kv & { readonly client: Redis };

/**
 * One Redis at `url`, or the master of `sentinelName` as the sentinels report it; `url` then
 * supplies only the username, password and db number (`sentinelPassword` is the sentinels' own).
 */
export type RedisTarget =
  | { url: string }
  | { sentinels: readonly HostPort[]; sentinelName: string; sentinelPassword?: string | undefined; url?: string | undefined };

/** What a Redis URL says besides where the server is (behind sentinels, the master is looked up). */
export function credentialsFromRedisUrl(url: string): Pick<RedisOptions, 'username' | 'password' | 'db'> {
  const parsed = new URL(url);
  const dbText = parsed.pathname.replace(/^\//, '');
  const db = dbText === '' ? 0 : Number(dbText);
  if (!Number.isInteger(db) || db < 0) throw new Error(`REDIS_URL: the path must be a database number, got "${parsed.pathname}"`);
  return {
    ...(parsed.username ? { username: decodeURIComponent(parsed.username) } : {}),
    ...(parsed.password ? { password: decodeURIComponent(parsed.password) } : {}),
    db,
  };
}

const deleteIfEqualsScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const incrementScript = `local v = redis.call('incr', KEYS[1]) if v == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return v`;

/**
 * `Kv` on Redis. On the request path commands are not queued while disconnected and time out
 * fast, so callers fail open (cache, rate limits) or fall back to PostgreSQL (idempotency)
 * instead of hanging.
 * The client reconnects by itself; a lost connection is logged, never fatal.
 */
export function createRedisKv(options: RedisTarget & { logger: Logger; keyPrefix?: string; commandTimeoutMs?: number }): RedisKv {
  const prefix = options.keyPrefix ?? 'aerofly:';
  const clientOptions: RedisOptions = {
    keyPrefix: prefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 150,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
    // Commands issued during one turn of the event loop (many requests' lease, cache and counter
    // commands under load) go out as one write and come back as one read: on loopback the socket
    // round trips, not Redis, are what a command costs.
    enableAutoPipelining: true,
  };
  // Every (re)connect asks the sentinels for the current master and checks its role. A failover
  // drops our connection (the sentinels kill client connections on the demoted master), so the
  // reconnect lands on the new one. ioredis' failoverDetector is left off: its sentinel clients
  // have no error listener and would print to stderr whenever a sentinel goes away.
  const client =
    'sentinels' in options
      ? new Redis({
          ...clientOptions,
          ...(options.url ? credentialsFromRedisUrl(options.url) : {}),
          sentinels: options.sentinels.map(({ host, port }) => ({ host, port })),
          name: options.sentinelName,
          ...(options.sentinelPassword ? { sentinelPassword: options.sentinelPassword } : {}),
          sentinelCommandTimeout: 1000,
        })
      : new Redis(options.url, clientOptions);
  let lastState = 'ok';
  client.on('error', (error) => {
    if (lastState !== 'error') options.logger.warn({ err: error }, 'redis connection error');
    lastState = 'error';
  });
  client.on('ready', () => {
    if (lastState === 'error') options.logger.info('redis connection restored');
    lastState = 'ok';
  });

  return {
    kind: 'redis',
    client,
    async get(key) {
      return client.get(key);
    },
    async set(key, value, ttlMs) {
      if (ttlMs) await client.set(key, value, 'PX', ttlMs);
      else await client.set(key, value);
    },
    async setIfAbsent(key, value, ttlMs) {
      return (await client.set(key, value, 'PX', ttlMs, 'NX')) === 'OK';
    },
    async increment(key, ttlMs) {
      return Number(await client.eval(incrementScript, 1, key, ttlMs));
    },
    async deleteIfEquals(key, value) {
      return Number(await client.eval(deleteIfEqualsScript, 1, key, value)) === 1;
    },
    async delete(...keys) {
      if (keys.length > 0) await client.del(...keys);
    },
    async deleteByPrefix(keyPrefix) {
      // SCAN patterns see full keys: add the client prefix, strip it before DEL re-adds it.
      let cursor = '0';
      let count = 0;
      do {
        const [next, keys] = await client.scan(cursor, 'MATCH', `${prefix}${keyPrefix}*`, 'COUNT', 500);
        cursor = next;
        const own = keys.map((key) => key.slice(prefix.length));
        if (own.length > 0) count += await client.del(...own);
      } while (cursor !== '0');
      return count;
    },
    async ping() {
      await client.ping();
    },
    async close() {
      client.disconnect();
    },
  };
}
