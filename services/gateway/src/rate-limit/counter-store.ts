import type { Logger, RedisKv } from '@aerofly/platform';

export type WindowCount = { current: number; ttl: number };

export type CounterStore = {
  /** Counts one hit in the key's fixed window (opened by the first hit); `ttl` is ms until it resets. */
  incr(key: string, windowMs: number): Promise<WindowCount>;
  /** Reads without counting. */
  read(key: string, windowMs: number): Promise<WindowCount>;
  /** True while counters live in this instance's memory because Redis failed. */
  isFallingBack(): boolean;
  close(): void;
};

const incrementScript = `
local current = redis.call('INCR', KEYS[1])
local ttl = redis.call('PTTL', KEYS[1])
if current == 1 or ttl < 0 then
  redis.call('PEXPIRE', KEYS[1], ARGV[1])
  ttl = tonumber(ARGV[1])
end
return {current, ttl}`;

const readScript = `
local current = redis.call('GET', KEYS[1])
if not current then return {0, 0} end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then ttl = 0 end
return {tonumber(current), ttl}`;

/** Fixed-window counters in this process, bounded in size. */
export function createMemoryCounters(options: { maxKeys?: number; now?: () => number } = {}) {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const windows = new Map<string, { count: number; resetAtMs: number }>();
  const live = (key: string) => {
    const entry = windows.get(key);
    if (entry && entry.resetAtMs <= now()) {
      windows.delete(key);
      return undefined;
    }
    return entry;
  };
  const sweep = setInterval(() => {
    for (const key of windows.keys()) live(key);
  }, 60_000);
  sweep.unref();
  return {
    incr(key: string, windowMs: number): WindowCount {
      let entry = live(key);
      if (!entry) {
        if (windows.size >= maxKeys) {
          const oldest = windows.keys().next().value;
          if (oldest !== undefined) windows.delete(oldest);
        }
        entry = { count: 0, resetAtMs: now() + windowMs };
        windows.set(key, entry);
      }
      entry.count += 1;
      return { current: entry.count, ttl: entry.resetAtMs - now() };
    },
    read(key: string): WindowCount {
      const entry = live(key);
      return entry ? { current: entry.count, ttl: entry.resetAtMs - now() } : { current: 0, ttl: 0 };
    },
    close() {
      clearInterval(sweep);
      windows.clear();
    },
  };
}

/**
 * Rate-limit counters shared by every instance through Redis. When Redis fails, counting goes on
 * in this instance's memory (limits stay enforced per instance instead of failing open or
 * failing requests), and Redis is tried again after `retryMs`.
 */
export function createCounterStore(options: {
  redis?: RedisKv['client'] | undefined;
  logger: Logger;
  retryMs: number;
  keyPrefix?: string;
}): CounterStore {
  const memory = createMemoryCounters();
  const redis = options.redis;
  const prefix = options.keyPrefix ?? 'ratelimit:';
  let redisRetryAtMs = 0;
  let fallingBack = false;

  const useRedis = () => redis !== undefined && Date.now() >= redisRetryAtMs;
  const failOver = (error: unknown) => {
    redisRetryAtMs = Date.now() + options.retryMs;
    if (!fallingBack) options.logger.warn({ err: error }, 'rate limits: Redis failed; counting in this instance until it is back');
    fallingBack = true;
  };
  const recovered = () => {
    if (fallingBack) options.logger.info('rate limits: counting in Redis again');
    fallingBack = false;
  };
  const run = async (script: string, key: string, windowMs: number, local: () => WindowCount): Promise<WindowCount> => {
    if (!redis || !useRedis()) return local();
    try {
      const [current, ttl] = (await redis.eval(script, 1, prefix + key, windowMs)) as [number, number];
      recovered();
      return { current: Number(current), ttl: Number(ttl) };
    } catch (error) {
      failOver(error);
      return local();
    }
  };

  return {
    incr: (key, windowMs) => run(incrementScript, key, windowMs, () => memory.incr(key, windowMs)),
    read: (key, windowMs) => run(readScript, key, windowMs, () => memory.read(key)),
    isFallingBack: () => fallingBack,
    close: () => memory.close(),
  };
}
