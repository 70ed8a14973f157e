import type { Logger } from '../logger.js';
import type { Kv } from './kv.js';
import { createMemoryKv } from './memory.js';
import { createRedisKv } from './redis.js';

export type { Kv } from './kv.js';
export { createMemoryKv } from './memory.js';
export { createRedisKv, type RedisKv } from './redis.js';

/** Redis when `redisUrl` is set, memory otherwise. */
export function createKv(options: { redisUrl?: string | undefined; logger: Logger; keyPrefix?: string }): Kv {
  if (options.redisUrl) {
    return createRedisKv({ url: options.redisUrl, logger: options.logger, ...(options.keyPrefix ? { keyPrefix: options.keyPrefix } : {}) });
  }
  return createMemoryKv();
}
