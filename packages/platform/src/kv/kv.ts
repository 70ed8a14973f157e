/**
 * Small key-value store: Redis in server mode, memory in embedded mode. Only what may be lost
 * (cache, rate-limit counters, idempotency fast path) lives here; durable truth is in Postgres.
 */
export interface Kv {
  readonly kind: 'redis' | 'memory';
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs?: number): Promise<void>;
  /** Sets only when the key is absent; true when this call set it. */
  setIfAbsent(key: string, value: string, ttlMs: number): Promise<boolean>;
  /** Atomic increment; the TTL is set when the key is created. Returns the new value. */
  increment(key: string, ttlMs: number): Promise<number>;
  /** Deletes the key only while it still holds `value` (releasing a lease that is ours). */
  deleteIfEquals(key: string, value: string): Promise<boolean>;
  delete(...keys: string[]): Promise<void>;
  /** Deletes every key under a prefix (cache invalidation). */
  deleteByPrefix(prefix: string): Promise<number>;
  ping(): Promise<void>;
  close(): Promise<void>;
}
