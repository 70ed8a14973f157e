import { Redis } from 'ioredis';
import type { Logger } from '../logger.js';
import type { Kv } from './kv.js';

export type RedisKv = Kv & { readonly client: Redis };

const deleteIfEqualsScript = `if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) else return 0 end`;
const incrementScript = `local v = redis.call('incr', KEYS[1]) if v == 1 then redis.call('pexpire', KEYS[1], ARGV[1]) end return v`;

/**
 * `Kv` on Redis. On the request path commands are not queued while disconnected and time out
 * fast, so callers can fail open (cache) or answer 503 (idempotency) instead of hanging.
 * The client reconnects by itself; a lost connection is logged, never fatal.
 */
export function createRedisKv(options: { url: string; logger: Logger; keyPrefix?: string; commandTimeoutMs?: number }): RedisKv {
  const prefix = options.keyPrefix ?? 'aerofly:';
  const client = new Redis(options.url, {
    keyPrefix: prefix,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 1,
    commandTimeout: options.commandTimeoutMs ?? 150,
    connectTimeout: 2000,
    retryStrategy: (attempt) => Math.min(attempt * 200, 2000),
    lazyConnect: false,
  });
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
