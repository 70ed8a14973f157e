import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@aerofly/contracts';
import { dbImplementations, silentLogger, waitFor, type TestDb } from '@aerofly/testing';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Bus } from '../bus/bus.js';
import { createMemoryBus } from '../bus/memory.js';
import type { Db } from '../db/db.js';
import { createEvent, createOutboxRelay, writeOutbox } from './outbox.js';

const schema = 'relaytest';
const sets = [{ schema, migrations: [] }];

const implementations = dbImplementations('outbox contract', sets);

/** A bus whose publishes the test controls: each waits for `gate` and may be told to fail. */
function controlledBus() {
  const published: EventEnvelope[] = [];
  const state = { gate: Promise.resolve(), failNext: 0, delayMs: 0 };
  const bus: Bus = {
    kind: 'memory',
    async publish(event) {
      await state.gate;
      if (state.delayMs) await new Promise((resolve) => setTimeout(resolve, state.delayMs));
      if (state.failNext > 0) {
        state.failNext -= 1;
        throw new Error('broker said no');
      }
      published.push(event);
    },
    subscribe: async () => undefined,
    replayDeadLetters: async () => 0,
    deadLetterCount: async () => 0,
    isHealthy: () => true,
    close: async () => undefined,
  };
  return { bus, published, state };
}

const sampleEvent = () => createEvent('user.registered', { userId: randomUUID(), email: 'ada@example.com', name: 'Ada' });

type Row = { id: string; publishedAt: Date | null; attempts: number; lastError: string | null };
const rows = (db: Db) =>
  db
    .query<Row>(`SELECT id, published_at AS "publishedAt", attempts, last_error AS "lastError" FROM ${schema}.outbox ORDER BY seq`)
    .then((result) => result.rows);

describe.each(implementations)('outbox contract on $name', (implementation) => {
  let db: TestDb;
  beforeAll(async () => {
    db = await implementation.create();
  }, 180_000); // a first PGlite initdb on a busy machine
  afterAll(() => db.destroy());
  beforeEach(async () => {
    await db.query(`DELETE FROM ${schema}.outbox`);
  });

  it('when the transaction that wrote an event rolls back, then the event is gone with it', async () => {
    const kept = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [kept]));
    await expect(
      db.transaction(async (tx) => {
        await writeOutbox(tx, schema, [sampleEvent(), sampleEvent()]);
        throw new Error('business rule failed after the write');
      }),
    ).rejects.toThrow('business rule failed');
    expect((await rows(db)).map((row) => row.id)).toEqual([kept.id]);
  });

  it('when the relay drains, then subscribers get the stored event and the row is marked published', async () => {
    const bus = createMemoryBus({ logger: silentLogger });
    const received: EventEnvelope[] = [];
    await bus.subscribe({ queue: 'relay-test', topics: ['user.*'] }, async (event) => {
      received.push(event);
    });
    const event = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [event]));
    const relay = createOutboxRelay({ db, bus, schema, logger: silentLogger });

    expect(await relay.drain()).toBe(1);
    expect(received).toEqual([event]);
    const [row] = await rows(db);
    expect(row!.publishedAt).toBeInstanceOf(Date);
    expect(await relay.drain()).toBe(0);
    await bus.close();
  });

  it('when the broker has not confirmed yet, then the row stays unpublished until it does', async () => {
    const { bus, state, published } = controlledBus();
    let confirm!: () => void;
    state.gate = new Promise((resolve) => (confirm = resolve));
    await db.transaction((tx) => writeOutbox(tx, schema, [sampleEvent()]));
    const relay = createOutboxRelay({ db, bus, schema, logger: silentLogger });

    const draining = relay.drain();
    await waitFor(async () => (await rows(db))[0]!.attempts === 1, { what: 'claim' });
    expect((await rows(db))[0]!.publishedAt).toBeNull();
    confirm();
    expect(await draining).toBe(1);
    expect(published).toHaveLength(1);
    expect((await rows(db))[0]!.publishedAt).toBeInstanceOf(Date);
  });

  it('when a publish fails, then the row keeps its error and is published on a later pass', async () => {
    const { bus, state, published } = controlledBus();
    state.failNext = 1;
    const event = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [event]));
    const relay = createOutboxRelay({ db, bus, schema, logger: silentLogger, retryAfterMs: 0 });

    expect(await relay.drain()).toBe(0);
    expect(await rows(db)).toEqual([{ id: event.id, publishedAt: null, attempts: 1, lastError: 'broker said no' }]);
    expect(await relay.drain()).toBe(1);
    expect(published.map((e) => e.id)).toEqual([event.id]);
    expect(await rows(db)).toMatchObject([{ id: event.id, attempts: 2, lastError: null }]);
  });

  it('when a failed publish waits for its retry, then the relay does not hammer the broker', async () => {
    const { bus, state } = controlledBus();
    state.failNext = 1;
    await db.transaction((tx) => writeOutbox(tx, schema, [sampleEvent()]));
    const relay = createOutboxRelay({ db, bus, schema, logger: silentLogger, retryAfterMs: 60_000 });
    expect(await relay.drain()).toBe(0);
    expect(await relay.drain()).toBe(0);
    expect((await rows(db))[0]!.attempts).toBe(1);
  });

  it('when two relays drain the same outbox at once, then every event is published exactly once', async () => {
    const { bus, state, published } = controlledBus();
    state.delayMs = 2;
    const events = Array.from({ length: 60 }, sampleEvent);
    await db.transaction((tx) => writeOutbox(tx, schema, events));
    const other = implementation.another(db);
    try {
      const relays = [db, other].map((handle) => createOutboxRelay({ db: handle, bus, schema, logger: silentLogger, batchSize: 7 }));
      const drainAll = async (relay: (typeof relays)[number]) => {
        let total = 0;
        for (let count = await relay.drain(); count > 0; count = await relay.drain()) total += count;
        return total;
      };
      const totals = await Promise.all(relays.map(drainAll));
      expect(totals[0]! + totals[1]!).toBe(60);
      expect(published.map((e) => e.id).sort()).toEqual(events.map((e) => e.id).sort());
      expect((await rows(db)).every((row) => row.publishedAt !== null && row.attempts === 1)).toBe(true);
    } finally {
      if (other !== db) await other.close();
    }
  });

  it('when a relay died after claiming, then another publishes the row once its lease ran out (at least once)', async () => {
    const stuck = controlledBus();
    stuck.state.gate = new Promise(() => undefined); // never confirms: the relay "died" mid-publish
    const healthy = controlledBus();
    const event = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [event]));
    const dead = createOutboxRelay({ db, bus: stuck.bus, schema, logger: silentLogger });
    const alive = createOutboxRelay({ db, bus: healthy.bus, schema, logger: silentLogger });

    void dead.drain();
    await waitFor(async () => (await rows(db))[0]!.attempts === 1, { what: 'claim by the first relay' });
    expect(await alive.drain()).toBe(0); // leased: not taken while the lease runs
    await db.query(`UPDATE ${schema}.outbox SET claimed_until = now() - interval '1 second'`);
    expect(await alive.drain()).toBe(1);
    expect(healthy.published.map((e) => e.id)).toEqual([event.id]);
  });

  it('when the relay runs and is poked after a commit, then it publishes promptly, and stop flushes what is left', async () => {
    const { bus, published } = controlledBus();
    const relay = createOutboxRelay({ db, bus, schema, logger: silentLogger, intervalMs: 60_000 });
    relay.start();
    const first = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [first]));
    relay.poke();
    await waitFor(() => published.length === 1, { what: 'poked publish' });

    const last = sampleEvent();
    await db.transaction((tx) => writeOutbox(tx, schema, [last]));
    await relay.stop();
    expect(published.map((e) => e.id)).toEqual([first.id, last.id]);
  });
});
