import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import type { Kv } from './kv.js';

type Entry = { value: string; expiresAtMs: number | null };

/** In-process `Kv` for embedded mode and tests. Expired keys are dropped lazily and by a sweep. */
export function createMemoryKv(options: { clock?: Clock; maxKeys?: number } = {}): Kv {
  const clock = options.clock ?? systemClock;
  const maxKeys = options.maxKeys ?? 200_000;
  const entries = new Map<string, Entry>();
  const now = () => clock.now().getTime();

  const read = (key: string): Entry | undefined => {
    const entry = entries.get(key);
    if (entry && entry.expiresAtMs !== null && entry.expiresAtMs <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const write = (key: string, value: string, ttlMs?: number) => {
    if (entries.size >= maxKeys && !entries.has(key)) {
      // Oldest first: Map keeps insertion order. A cache may forget; that is its contract.
      const oldest = entries.keys().next().value;
      if (oldest !== undefined) entries.delete(oldest);
    }
    entries.set(key, { value, expiresAtMs: ttlMs ? now() + ttlMs : null });
  };

  const sweep = setInterval(() => {
    for (const key of entries.keys()) read(key);
  }, 30_000);
  sweep.unref();

  return {
    kind: 'memory',
    async get(key) {
      return read(key)?.value ?? null;
    },
    async set(key, value, ttlMs) {
      write(key, value, ttlMs);
    },
    async setIfAbsent(key, value, ttlMs) {
      if (read(key)) return false;
      write(key, value, ttlMs);
      return true;
    },
    async increment(key, ttlMs) {
      const entry = read(key);
      if (!entry) {
        write(key, '1', ttlMs);
        return 1;
      }
      const next = Number(entry.value) + 1;
      entry.value = String(next);
      return next;
    },
    async deleteIfEquals(key, value) {
      if (read(key)?.value !== value) return false;
      entries.delete(key);
      return true;
    },
    async delete(...keys) {
      for (const key of keys) entries.delete(key);
    },
    async deleteByPrefix(prefix) {
      let count = 0;
      for (const key of [...entries.keys()]) {
        if (key.startsWith(prefix)) {
          entries.delete(key);
          count += 1;
        }
      }
      return count;
    },
    async ping() {},
    async close() {
      clearInterval(sweep);
      entries.clear();
    },
  };
}
