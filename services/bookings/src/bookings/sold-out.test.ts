import { FakeClock } from '@aerofly/testing';
import { describe, expect, it } from 'vitest';
import { createSoldOutMemory } from './sold-out.js';

describe('sold-out memory', () => {
  const setup = () => {
    const clock = new FakeClock('2030-01-15T10:00:00.000Z');
    return { clock, memory: createSoldOutMemory({ clock, ttlMs: 1000 }) };
  };

  it('when flights refused 3 seats, then 3 or more are refused here for a second, fewer still go to flights', () => {
    const { clock, memory } = setup();
    memory.remember('f-1', 'economy', 3);
    expect(() => memory.refuseIfKnown(['f-1'], 'economy', 3)).toThrow(expect.objectContaining({ code: 'SEATS_UNAVAILABLE' }));
    expect(() => memory.refuseIfKnown(['f-1'], 'economy', 4)).toThrow();
    expect(() => memory.refuseIfKnown(['f-1'], 'economy', 2)).not.toThrow();
    expect(() => memory.refuseIfKnown(['f-1'], 'business', 3)).not.toThrow();
    clock.advance(1000);
    expect(() => memory.refuseIfKnown(['f-1'], 'economy', 3)).not.toThrow();
  });

  it('when a smaller party is refused later, then the memory narrows; an itinerary of several flights is never refused here', () => {
    const { memory } = setup();
    memory.remember('f-1', 'economy', 3);
    memory.remember('f-1', 'economy', 1);
    expect(() => memory.refuseIfKnown(['f-1'], 'economy', 1)).toThrow();
    expect(() => memory.refuseIfKnown(['f-1', 'f-2'], 'economy', 1)).not.toThrow();
  });
});
