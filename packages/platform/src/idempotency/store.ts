import { createHash, randomUUID } from 'node:crypto';
import { createBatcher } from '../batch.js';
import { assertIdentifier, type Db } from '../db/db.js';
import type { Kv } from '../kv/kv.js';
import type { Logger } from '../logger.js';

/** What a completed request answered, kept for 24 h and replayed to retries. */
export type StoredResponse = { statusCode: number; headers: Record<string, string>; body: string };

/**
 * `claimed` carries the id the request creates its resource under: drawn with the record, and the
 * same for a retry that takes over a claim whose lease ran out (`rerun`: an earlier run may have
 * made the resource, crashed, and never recorded its outcome).
 */
export type ClaimResult =
  | { kind: 'claimed'; token: string; resourceId: string; rerun: boolean }
  | { kind: 'replay'; response: StoredResponse }
  | { kind: 'mismatch' }
  | { kind: 'in-use' };
/** What an earlier request with the same key left: its answer to replay, another body, or still running. */
export type EarlierOutcome = Exclude<ClaimResult, { kind: 'claimed' }>;

export type IdempotencyStore = {
  /** What an earlier request with this scope left (replay, mismatch, still running), read only; undefined when none. */
  peek(scope: string, requestHash: string): Promise<EarlierOutcome | undefined>;
  /** Claims `scope` for one request, or tells why it cannot run. */
  claim(scope: string, requestHash: string, meta: { userId: string; method: string; path: string }): Promise<ClaimResult>;
  /** Stores the completed outcome of a claim (only while the claim is still ours). */
  complete(scope: string, token: string, requestHash: string, response: StoredResponse): Promise<void>;
  /** Gives the key back: the outcome is one a retry must be allowed to redo (400, 5xx, ...). */
  abandon(scope: string, token: string, requestHash: string): Promise<void>;
  /** Deletes records past their 24 h; returns how many went. */
  purgeExpired(limit?: number): Promise<number>;
};

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** JSON with object keys sorted at every level, so equal bodies hash equally whatever the key order. */
export function canonicalJson(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
}

type Row = { requestHash: string; statusCode: number | null; headers: Record<string, string> | null; body: string | null };

/**
 * Two levels (docs/adr/0102-idempotency.md): Redis `SET NX` with a lease bounces concurrent
 * duplicates and serves replays without touching Postgres; the claim and the outcome are always
 * also written to `<schema>.idempotency_keys`, which decides. When Redis is unreachable the claim
 * is made in Postgres alone, so nothing fails open and nothing answers 503 while Postgres is up.
 * The owning service creates the table in its own migrations (bookings: `0001_init.sql`).
 */
export function createIdempotencyStore(options: {
  db: Db;
  kv: Kv;
  schema: string;
  logger: Logger;
  leaseMs?: number;
  ttlMs?: number;
}): IdempotencyStore {
  const table = `${assertIdentifier(options.schema)}.idempotency_keys`;
  const leaseMs = options.leaseMs ?? 30_000;
  const ttlMs = options.ttlMs ?? 24 * 3600 * 1000;
  const leaseKey = (scope: string) => `idem:${options.schema}:${scope}:lease`;
  const doneKey = (scope: string) => `idem:${options.schema}:${scope}:done`;
  let lastRedisWarningMs = 0;

  /** Redis is a fast path: any failure is logged (at most every 10 s) and the caller goes on without it. */
  const tryKv = async <T>(what: string, fn: () => Promise<T>): Promise<{ ok: true; value: T } | { ok: false }> => {
    try {
      return { ok: true, value: await fn() };
    } catch (error) {
      if (Date.now() - lastRedisWarningMs > 10_000) {
        lastRedisWarningMs = Date.now();
        options.logger.warn({ err: error, what }, 'idempotency fast path unavailable; using PostgreSQL alone');
      }
      return { ok: false };
    }
  };

  const fromDone = (raw: string, requestHash: string): EarlierOutcome => {
    const stored = JSON.parse(raw) as { requestHash: string; response: StoredResponse };
    return stored.requestHash === requestHash ? { kind: 'replay', response: stored.response } : { kind: 'mismatch' };
  };

  // Batched writes touch their rows in key order, so two instances' batches over the same keys lock
  // them in the same order and cannot deadlock.
  const inKeyOrder = (a: { scope: string }, b: { scope: string }) => (a.scope < b.scope ? -1 : 1);

  // Concurrent requests' reads, claims and outcomes each go to PostgreSQL as one statement per
  // turn of the event loop (createBatcher): under a flash sale that is one round trip for dozens.
  const readRecords = createBatcher(async (scopes: string[]) => {
    const { rows } = await options.db.query<Row & { scope: string }>(
      `SELECT scope_hash AS scope, request_hash AS "requestHash", status_code AS "statusCode", headers, body FROM ${table}
        WHERE scope_hash = ANY($1::text[]) AND expires_at > now()`,
      [[...new Set(scopes)]],
    );
    const byScope = new Map(rows.map((row) => [row.scope, row]));
    return scopes.map((scope) => byScope.get(scope));
  });

  /** What the PostgreSQL record of `scope` says to a request with `requestHash`; undefined when there is none. */
  const fromRecord = async (scope: string, requestHash: string): Promise<EarlierOutcome | undefined> => {
    const row = await readRecords(scope);
    if (!row) return undefined;
    if (row.requestHash !== requestHash) return { kind: 'mismatch' };
    if (row.statusCode === null) return { kind: 'in-use' };
    return { kind: 'replay', response: { statusCode: row.statusCode, headers: row.headers ?? {}, body: row.body ?? '' } };
  };

  type Claim = {
    scope: string;
    requestHash: string;
    token: string;
    resourceId: string;
    meta: { userId: string; method: string; path: string };
  };
  /**
   * One INSERT for the turn's claims. PostgreSQL refuses to touch a row twice in one statement, so
   * only the first claim of a scope in a turn is sent; a second one is answered "not claimed" and
   * reads the first's record, as it would after losing a race. Each claim gets the record's
   * resource id when it was claimed, undefined when not.
   */
  const insertClaims = createBatcher(async (claims: Claim[]): Promise<(string | undefined)[]> => {
    const first = new Map<string, Claim>();
    for (const claim of claims) if (!first.has(claim.scope)) first.set(claim.scope, claim);
    const unique = [...first.values()].sort(inKeyOrder);
    const { rows } = await options.db.query<{ scope: string; token: string; resourceId: string }>(
      `INSERT INTO ${table} AS t (scope_hash, request_hash, user_id, method, path, claim_token, resource_id, locked_until, expires_at)
       SELECT c.scope, c.request_hash, c.user_id, c.method, c.path, c.token, c.resource,
              now() + make_interval(secs => $8), now() + make_interval(secs => $9)
         FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::uuid[], $7::uuid[])
              AS c(scope, request_hash, user_id, method, path, token, resource)
       ON CONFLICT (scope_hash) DO UPDATE
          SET request_hash = EXCLUDED.request_hash, claim_token = EXCLUDED.claim_token, locked_until = EXCLUDED.locked_until,
              expires_at = EXCLUDED.expires_at, status_code = NULL, headers = NULL, body = NULL, completed_at = NULL, created_at = now(),
              -- An expired record is a new one; a lapsed claim is taken over with the first run's id.
              resource_id = CASE WHEN t.expires_at < now() THEN EXCLUDED.resource_id ELSE coalesce(t.resource_id, EXCLUDED.resource_id) END
        WHERE t.expires_at < now()
           OR (t.status_code IS NULL AND t.locked_until < now() AND t.request_hash = EXCLUDED.request_hash)
       RETURNING scope_hash AS scope, claim_token AS token, resource_id AS "resourceId"`,
      [
        unique.map((c) => c.scope),
        unique.map((c) => c.requestHash),
        unique.map((c) => c.meta.userId),
        unique.map((c) => c.meta.method),
        unique.map((c) => c.meta.path),
        unique.map((c) => c.token),
        unique.map((c) => c.resourceId),
        leaseMs / 1000,
        ttlMs / 1000,
      ],
    );
    const claimed = new Map(rows.map((row) => [`${row.scope}:${row.token}`, row.resourceId]));
    return claims.map((claim) => claimed.get(`${claim.scope}:${claim.token}`));
  });

  type Outcome = { scope: string; token: string; response: StoredResponse };
  const storeOutcomes = createBatcher(async (batch: Outcome[]) => {
    const outcomes = [...batch].sort(inKeyOrder);
    await options.db.query(
      `UPDATE ${table} AS t SET status_code = o.status_code, headers = o.headers::jsonb, body = o.body, completed_at = now(), locked_until = NULL
         FROM unnest($1::text[], $2::uuid[], $3::int[], $4::text[], $5::text[]) AS o(scope, token, status_code, headers, body)
        WHERE t.scope_hash = o.scope AND t.claim_token = o.token AND t.status_code IS NULL`,
      [
        outcomes.map((o) => o.scope),
        outcomes.map((o) => o.token),
        outcomes.map((o) => o.response.statusCode),
        outcomes.map((o) => JSON.stringify(o.response.headers)),
        outcomes.map((o) => o.response.body),
      ],
    );
    return batch.map(() => undefined);
  });

  const claimInPostgres = async (
    scope: string,
    requestHash: string,
    token: string,
    meta: { userId: string; method: string; path: string },
  ) => {
    const resourceId = randomUUID();
    for (let attempt = 0; attempt < 3; attempt += 1) {
      const claimed = await insertClaims({ scope, requestHash, token, resourceId, meta });
      if (claimed) return { kind: 'claimed', token, resourceId: claimed, rerun: claimed !== resourceId } as const;
      const earlier = await fromRecord(scope, requestHash);
      if (!earlier) continue; // abandoned or expired in between: try to claim again
      if (earlier.kind === 'replay') {
        const { response } = earlier;
        await tryKv('cache outcome', () => options.kv.set(doneKey(scope), JSON.stringify({ requestHash, response }), ttlMs));
      }
      return earlier;
    }
    return { kind: 'in-use' } as const;
  };

  return {
    async peek(scope, requestHash) {
      const done = await tryKv('read outcome', () => options.kv.get(doneKey(scope)));
      if (done.ok && done.value) return fromDone(done.value, requestHash);
      return fromRecord(scope, requestHash);
    },

    async claim(scope, requestHash, meta) {
      // A new key (the common case) costs one Redis command here: the lease. Only when the lease is
      // taken is the outcome read: a request still running, or one that finished a moment ago.
      const token = randomUUID();
      const leaseValue = `${token}:${requestHash}`;
      const lease = await tryKv('claim lease', () => options.kv.setIfAbsent(leaseKey(scope), leaseValue, leaseMs));
      if (lease.ok && !lease.value) {
        const done = await tryKv('read outcome', () => options.kv.get(doneKey(scope)));
        if (done.ok && done.value) return fromDone(done.value, requestHash);
        const holder = await tryKv('read lease', () => options.kv.get(leaseKey(scope)));
        if (holder.ok && holder.value && !holder.value.endsWith(`:${requestHash}`)) return { kind: 'mismatch' };
        return { kind: 'in-use' };
      }

      // Postgres decides (an outcome older than the lease is found there and replayed).
      try {
        const result = await claimInPostgres(scope, requestHash, token, meta);
        if (result.kind !== 'claimed' && lease.ok)
          await tryKv('release lease', () => options.kv.deleteIfEquals(leaseKey(scope), leaseValue));
        return result;
      } catch (error) {
        if (lease.ok) await tryKv('release lease', () => options.kv.deleteIfEquals(leaseKey(scope), leaseValue));
        throw error;
      }
    },

    async complete(scope, token, requestHash, response) {
      await storeOutcomes({ scope, token, response });
      // The lease is left to run out: whoever finds it taken reads this outcome next.
      await tryKv('cache outcome', () => options.kv.set(doneKey(scope), JSON.stringify({ requestHash, response }), ttlMs));
    },

    async abandon(scope, token, requestHash) {
      await options.db.query(`DELETE FROM ${table} WHERE scope_hash = $1 AND claim_token = $2 AND status_code IS NULL`, [scope, token]);
      await tryKv('release lease', () => options.kv.deleteIfEquals(leaseKey(scope), `${token}:${requestHash}`));
    },

    async purgeExpired(limit = 1000) {
      const { rowCount } = await options.db.query(
        `DELETE FROM ${table} WHERE scope_hash IN (SELECT scope_hash FROM ${table} WHERE expires_at < now() LIMIT $1)`,
        [limit],
      );
      return rowCount;
    },
  };
}
