import { createMemoryKv, type Kv } from '@aerofly/platform';
import { silentLogger } from '@aerofly/testing';
import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createReadCache } from './read-cache.js';

describe('read cache generation', () => {
  it('when another instance invalidates, then this one sees a new generation within a second; its own invalidation at once', async () => {
    const kv = createMemoryKv();
    let now = 0;
    const mine = createReadCache({ kv, ttlSeconds: 15, metrics: new Registry(), logger: silentLogger, now: () => now });
    const other = createReadCache({ kv, ttlSeconds: 15, metrics: new Registry(), logger: silentLogger, now: () => now });
    const first = await mine.generation();
    await other.invalidate();
    expect(await mine.generation()).toBe(first);
    now += 1000;
    const seen = await mine.generation();
    expect(seen).not.toBe(first);
    await mine.invalidate();
    expect(await mine.generation()).not.toBe(seen);
  });

  it('when kv is down, then invalidating still changes this instance generation (its in-memory reads drop)', async () => {
    const broken = {
      ...createMemoryKv(),
      get: async () => Promise.reject(new Error('down')),
      increment: async () => Promise.reject(new Error('down')),
    } as Kv;
    const cache = createReadCache({ kv: broken, ttlSeconds: 15, metrics: new Registry(), logger: silentLogger });
    const before = await cache.generation();
    await cache.invalidate();
    expect(await cache.generation()).not.toBe(before);
  });

  it('when boards are counted, then they appear in the same metric as the answer cache', async () => {
    const metrics = new Registry();
    const cache = createReadCache({ kv: createMemoryKv(), ttlSeconds: 15, metrics, logger: silentLogger });
    cache.count('search_board', 'hit', 40);
    cache.count('search_board', 'miss', 2);
    cache.count('search_board', 'refresh', 1);
    const text = await metrics.metrics();
    expect(text).toContain('flights_cache_requests_total{cache="search_board",result="hit"} 40');
    expect(text).toContain('flights_cache_requests_total{cache="search_board",result="miss"} 2');
    expect(text).toContain('flights_cache_requests_total{cache="search_board",result="refresh"} 1');
  });
});
