import { randomUUID } from 'node:crypto';
import { silentLogger } from '@aerofly/testing';
import { describe, expect, it } from 'vitest';
import { createMemoryBus } from './memory.js';

// Edge cases of the in-process bus beyond the shared contract (bus.contract.test.ts).
describe('in-process bus edge cases', () => {
  it('when the bus closes while an event waits for its retry, then the publish fails so the outbox keeps the event', async () => {
    const bus = createMemoryBus({ logger: silentLogger });
    let calls = 0;
    await bus.subscribe({ queue: 'closing', topics: ['booking.*'], retryDelaysMs: [50] }, async () => {
      calls += 1;
      throw new Error('not yet');
    });
    const publishing = bus.publish({
      id: randomUUID(),
      type: 'booking.confirmed',
      version: 1,
      occurredAt: new Date().toISOString(),
      data: {},
    });
    await bus.close();
    await expect(publishing).rejects.toThrow(/closed/);
    expect(calls).toBe(1);
  });

  it('when an event is published before its declared consumer subscribes, then the publish fails (the outbox retries) and succeeds once it has', async () => {
    const bus = createMemoryBus({ logger: silentLogger, declaredQueues: [{ queue: 'late-starter', topics: ['booking.confirmed'] }] });
    const confirmed = { id: randomUUID(), type: 'booking.confirmed', version: 1, occurredAt: new Date().toISOString(), data: {} };
    await expect(bus.publish(confirmed)).rejects.toThrow(/no consumer on late-starter/);
    // Events nobody declared go through as before.
    await bus.publish({ ...confirmed, id: randomUUID(), type: 'booking.created' });
    const seen: string[] = [];
    await bus.subscribe({ queue: 'late-starter', topics: ['booking.confirmed'] }, async (event) => {
      seen.push(event.id);
    });
    await bus.publish(confirmed);
    expect(seen).toEqual([confirmed.id]);
    await bus.close();
  });
});
