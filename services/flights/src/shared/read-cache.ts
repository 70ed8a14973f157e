import type { Kv, Logger } from '@aerofly/platform';
import { Counter, type Registry } from 'prom-client';

export type CacheKind = 'search' | 'search_board' | 'flight';
/** `refresh`: a still-fresh entry reloaded ahead of its expiry (a database read, like a miss). */
export type CacheResult = 'hit' | 'miss' | 'refresh';

export type ReadCache = {
  readonly ttlSeconds: number;
  get(kind: CacheKind, key: string): Promise<string | null>;
  set(kind: CacheKind, key: string, value: string): Promise<void>;
  /** Makes every cached answer stale at once (admin changed a flight, fare, airport or airplane). */
  invalidate(): Promise<void>;
  /**
   * Changes whenever cached reads must be dropped: at once after this instance's `invalidate()`
   * (even when kv is down), within `generationRefreshMs` after another instance's.
   */
  generation(): Promise<string>;
  /** Counts lookups of a cache kept elsewhere (the in-memory departure boards) in the same metric. */
  count(kind: CacheKind, result: CacheResult, times: number): void;
};

const generationKey = 'flights:cache:generation';
// Other instances pick up a new generation within this time; this instance at once.
const generationRefreshMs = 1000;
// A small in-process layer in front of kv: hot answers skip the Redis round trip for a moment.
const localTtlMs = 1000;
const localMaxEntries = 5000;

/**
 * Short-lived cache of public read answers (search pages, flight details) in kv. Keys carry a
 * generation number, so invalidation is one increment instead of a scan. Kv trouble fails open:
 * the answer is computed from the database. Availability in cached answers is advisory only.
 */
export function createReadCache(options: { kv: Kv; ttlSeconds: number; metrics: Registry; logger: Logger; now?: () => number }): ReadCache {
  const now = options.now ?? Date.now;
  const requests = new Counter({
    name: 'flights_cache_requests_total',
    help: 'Read cache lookups by cache and result (hit, miss; refresh: reloaded ahead of expiry)',
    labelNames: ['cache', 'result'],
    registers: [options.metrics],
  });
  const counted = new Map<string, Counter.Internal>();
  const count = (kind: CacheKind, result: CacheResult, times = 1) => {
    const key = `${kind}:${result}`;
    let child = counted.get(key);
    if (!child) counted.set(key, (child = requests.labels({ cache: kind, result })));
    child.inc(times);
  };
  let generation = '0';
  let generationReadAt = -Infinity;
  // Bumped by every local invalidate(), so this instance drops its in-memory reads even if kv is down.
  let localInvalidations = 0;
  const local = new Map<string, { value: string; expiresAt: number }>();
  const remember = (key: string, value: string) => {
    const at = now();
    // Entries expire in the order they came: drop the expired ones at the front (and the oldest when
    // full), so the layer holds a moment's answers rather than always the last 5,000.
    for (const [oldest, entry] of local) {
      if (entry.expiresAt > at && local.size < localMaxEntries) break;
      local.delete(oldest);
    }
    local.delete(key);
    local.set(key, { value, expiresAt: at + Math.min(localTtlMs, options.ttlSeconds * 1000) });
  };

  const currentGeneration = async () => {
    if (now() - generationReadAt < generationRefreshMs) return generation;
    try {
      generation = (await options.kv.get(generationKey)) ?? '0';
      generationReadAt = now();
    } catch (error) {
      options.logger.debug({ err: error }, 'cache generation unreadable');
    }
    return generation;
  };
  const fullKey = async (kind: CacheKind, key: string) => `flights:${kind}:${await currentGeneration()}:${key}`;

  return {
    ttlSeconds: options.ttlSeconds,
    async get(kind, key) {
      if (options.ttlSeconds <= 0) return null;
      let value: string | null = null;
      const full = await fullKey(kind, key);
      const near = local.get(full);
      if (near && near.expiresAt > now()) value = near.value;
      else {
        if (near) local.delete(full);
        try {
          value = await options.kv.get(full);
          if (value !== null) remember(full, value);
        } catch (error) {
          options.logger.debug({ err: error }, 'cache read failed; reading the database');
        }
      }
      count(kind, value === null ? 'miss' : 'hit');
      return value;
    },
    async set(kind, key, value) {
      if (options.ttlSeconds <= 0) return;
      const full = await fullKey(kind, key);
      remember(full, value);
      try {
        await options.kv.set(full, value, options.ttlSeconds * 1000);
      } catch (error) {
        options.logger.debug({ err: error }, 'cache write failed');
      }
    },
    async invalidate() {
      local.clear();
      localInvalidations += 1;
      try {
        generation = String(await options.kv.increment(generationKey, 30 * 24 * 3600 * 1000));
        generationReadAt = now();
      } catch (error) {
        options.logger.warn({ err: error }, 'cache invalidation failed; answers may be stale until their TTL');
      }
    },
    async generation() {
      return `${await currentGeneration()}.${localInvalidations}`;
    },
    count,
  };
}
