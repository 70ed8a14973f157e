import { randomUUID } from 'node:crypto';
import type { EventData, EventEnvelope, EventType } from '@aerofly/contracts';
import type { Bus } from '../bus/bus.js';
import type { Clock } from '../clock.js';
import { systemClock } from '../clock.js';
import { assertIdentifier, type Db, type Queryable } from '../db/db.js';
import type { Logger } from '../logger.js';

/** Builds an event envelope; `id` is what consumers dedupe on. */
export function createEvent<T extends EventType>(type: T, data: EventData<T>, clock: Clock = systemClock): EventEnvelope<EventData<T>> {
  return { id: randomUUID(), type, version: 1, occurredAt: clock.now().toISOString(), data };
}

/**
 * The outbox INSERT for `events` with its parameters numbered from `firstParameter`, to embed in a
 * larger statement (a CTE next to the row it describes: atomic, one round trip, no transaction).
 */
export function outboxInsert(schema: string, events: EventEnvelope[], firstParameter = 1): { sql: string; values: unknown[] } {
  const table = `${assertIdentifier(schema)}.outbox`;
  const values: unknown[] = [];
  const rows = events.map((event, i) => {
    values.push(event.id, event.type, event.version, JSON.stringify(event.data), event.occurredAt);
    const o = firstParameter - 1 + i * 5;
    return `($${o + 1}, $${o + 2}, $${o + 3}, $${o + 4}::jsonb, $${o + 5})`;
  });
  return { sql: `INSERT INTO ${table} (id, type, version, data, occurred_at) VALUES ${rows.join(', ')}`, values };
}

/** Writes events to the service's outbox inside the caller's transaction. */
export async function writeOutbox(tx: Queryable, schema: string, events: EventEnvelope[]): Promise<void> {
  if (events.length === 0) return;
  const { sql, values } = outboxInsert(schema, events);
  await tx.query(sql, values);
}

export type OutboxRelay = {
  /** Publishes what is due now; returns how many rows were published. */
  drain(): Promise<number>;
  /** Asks the running loop to look again soon (after a commit that wrote events). */
  poke(): void;
  start(): void;
  /** Stops the loop after the batch in flight, then publishes what is left once. */
  stop(): Promise<void>;
};

type OutboxRow = { seq: number; id: string; type: string; version: number; data: unknown; occurredAt: Date };

/**
 * Claims unpublished rows (`FOR UPDATE SKIP LOCKED` plus a lease, so two relays never publish a
 * row at once), publishes them with confirms, then marks them, each step in its own short
 * transaction. A crash between publish and mark publishes the row again: consumers dedupe.
 */
export function createOutboxRelay(options: {
  db: Db;
  bus: Bus;
  schema: string;
  logger: Logger;
  batchSize?: number;
  intervalMs?: number;
  leaseMs?: number;
  /** How long a row whose publish failed waits before the next try. */
  retryAfterMs?: number;
}): OutboxRelay {
  const table = `${assertIdentifier(options.schema)}.outbox`;
  const batchSize = options.batchSize ?? 100;
  const intervalMs = options.intervalMs ?? 250;
  const leaseSeconds = Math.ceil((options.leaseMs ?? 30_000) / 1000);
  const retryAfterSeconds = (options.retryAfterMs ?? 2000) / 1000;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = true;
  let poked = false;

  const claim = async (token: string) => {
    const { rows } = await options.db.query<OutboxRow>(
      `UPDATE ${table} SET claimed_until = now() + make_interval(secs => $2), claim_token = $3, attempts = attempts + 1
        WHERE seq IN (
          SELECT seq FROM ${table}
           WHERE published_at IS NULL AND (claimed_until IS NULL OR claimed_until < now())
           ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED)
        RETURNING seq, id, type, version, data, occurred_at AS "occurredAt"`,
      [batchSize, leaseSeconds, token],
    );
    return rows.sort((a, b) => a.seq - b.seq);
  };

  const drain = async (): Promise<number> => {
    const token = randomUUID();
    const rows = await claim(token);
    if (rows.length === 0) return 0;
    const published: number[] = [];
    const failed: { seq: number; error: string }[] = [];
    await Promise.all(
      rows.map(async (row) => {
        const event: EventEnvelope = {
          id: row.id,
          type: row.type,
          version: row.version,
          occurredAt: new Date(row.occurredAt).toISOString(),
          data: row.data,
        };
        try {
          await options.bus.publish(event);
          published.push(row.seq);
        } catch (error) {
          failed.push({ seq: row.seq, error: error instanceof Error ? error.message : String(error) });
        }
      }),
    );
    if (published.length > 0) {
      await options.db.query(
        `UPDATE ${table} SET published_at = now(), last_error = NULL WHERE seq = ANY($1::bigint[]) AND claim_token = $2`,
        [published, token],
      );
    }
    if (failed.length > 0) {
      options.logger.warn({ failed: failed.length, error: failed[0]?.error }, 'outbox publish failed; will retry');
      // Release the lease with a short backoff instead of waiting for it to run out.
      await options.db.query(
        `UPDATE ${table} SET claimed_until = now() + make_interval(secs => $4), last_error = $3 WHERE seq = ANY($1::bigint[]) AND claim_token = $2`,
        [failed.map((f) => f.seq), token, failed[0]?.error ?? null, retryAfterSeconds],
      );
    }
    return published.length;
  };

  const tick = async () => {
    if (stopped) return;
    poked = false;
    try {
      let published = 0;
      do {
        published = await drain();
      } while (published === batchSize && !stopped);
    } catch (error) {
      options.logger.warn({ err: error }, 'outbox relay pass failed');
    }
    if (!stopped) timer = setTimeout(run, poked ? 0 : intervalMs);
  };

  const run = () => {
    running = tick().finally(() => {
      running = undefined;
    });
  };

  return {
    drain,
    poke() {
      poked = true;
      if (timer && !stopped && !running) {
        clearTimeout(timer);
        timer = setTimeout(run, 0);
      }
    },
    start() {
      if (!stopped) return;
      stopped = false;
      run();
    },
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
      try {
        await drain();
      } catch (error) {
        options.logger.warn({ err: error }, 'final outbox flush failed; rows stay for the next start');
      }
    },
  };
}
