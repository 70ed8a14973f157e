import type { HostPort } from '../config.js';
import type { Logger } from '../logger.js';
import type { Kv } from './kv.js';
import { createMemoryKv } from './memory.js';
import { createRedisKv } from './redis.js';

export type { Kv } from './kv.js';
export { createMemoryKv } from './memory.js';
export { createRedisKv, credentialsFromRedisUrl, type RedisKv, type RedisTarget } from './redis.js';

export type KvSettings = {
  redisUrl?: string | undefined;
  redisSentinels?: readonly HostPort[] | undefined;
  redisSentinelName?: string | undefined;
  redisSentinelPassword?: string | undefined;
};

/** The kv part of a service's config, for `createKv({ ...kvSettingsOf(config), logger })`. */
export function kvSettingsOf(config: {
  REDIS_URL?: string | undefined;
  REDIS_SENTINELS?: readonly HostPort[] | undefined;
  REDIS_SENTINEL_NAME: string;
  REDIS_SENTINEL_PASSWORD?: string | undefined;
}): KvSettings {
  return {
    redisUrl: config.REDIS_URL,
    redisSentinels: config.REDIS_SENTINELS,
    redisSentinelName: config.REDIS_SENTINEL_NAME,
    redisSentinelPassword: config.REDIS_SENTINEL_PASSWORD,
  };
}

/**
 * Redis through the sentinels when `redisSentinels` is set (`redisUrl` then supplies only the
 * credentials and db), Redis at `redisUrl` when only that is set, memory otherwise.
 */
export function createKv(options: KvSettings & { logger: Logger; keyPrefix?: string }): Kv {
  const common = { logger: options.logger, ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}) };
  if (options.redisSentinels?.length) {
    return createRedisKv({
      sentinels: options.redisSentinels,
      sentinelName: options.redisSentinelName ?? 'mymaster',
      sentinelPassword: options.redisSentinelPassword,
      url: options.redisUrl,
      ...common,
    });
  }
  if (options.redisUrl) return createRedisKv({ url: options.redisUrl, ...common });
  return createMemoryKv();
}
