import { createTestKv, hasServers } from '@aerofly/testing';
import { afterAll, describe, expect, it } from 'vitest';
import { createMemoryKv } from './memory.js';
import type { Kv } from './kv.js';

const implementations: [string, () => Kv][] = [['memory', () => createMemoryKv()]];
if (hasServers('kv contract on redis', ['redis'])) implementations.push(['redis', () => createTestKv()]);

describe.each(implementations)('kv contract on %s', (_name, create) => {
  const kv = create();
  afterAll(() => kv.close());

  it('when a key is set with a TTL, then it is readable until the TTL passes', async () => {
    await kv.set('a', '1', 150);
    expect(await kv.get('a')).toBe('1');
    await new Promise((resolve) => setTimeout(resolve, 250));
    expect(await kv.get('a')).toBeNull();
  });

  it('when many callers set the same absent key at once, then exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => kv.setIfAbsent('claim', String(i), 5000)));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('when a counter is incremented concurrently, then no increment is lost', async () => {
    const values = await Promise.all(Array.from({ length: 100 }, () => kv.increment('counter', 5000)));
    expect(Math.max(...values)).toBe(100);
    expect(new Set(values).size).toBe(100);
  });

  it('when a lease is released by someone else, then it stays', async () => {
    await kv.set('lease', 'owner-a', 5000);
    expect(await kv.deleteIfEquals('lease', 'owner-b')).toBe(false);
    expect(await kv.deleteIfEquals('lease', 'owner-a')).toBe(true);
    expect(await kv.get('lease')).toBeNull();
  });

  it('when a prefix is deleted, then only keys under it go', async () => {
    await kv.set('cache:x:1', '1');
    await kv.set('cache:x:2', '2');
    await kv.set('cache:y:1', '3');
    expect(await kv.deleteByPrefix('cache:x:')).toBe(2);
    expect(await kv.get('cache:y:1')).toBe('3');
    await kv.delete('cache:y:1');
    expect(await kv.get('cache:y:1')).toBeNull();
  });
});
