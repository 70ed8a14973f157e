import { describe, expect, it } from 'vitest';
import { createBatcher } from './batch.js';

describe('createBatcher', () => {
  it('when calls are made in one turn of the event loop, then they run as one batch and each gets its own result', async () => {
    const batches: number[][] = [];
    const double = createBatcher(async (items: number[]) => {
      batches.push(items);
      return items.map((n) => n * 2);
    });
    const results = await Promise.all([1, 2, 3].map((n) => double(n)));
    expect(results).toEqual([2, 4, 6]);
    expect(batches).toEqual([[1, 2, 3]]);
    expect(await double(5)).toBe(10);
    expect(batches).toEqual([[1, 2, 3], [5]]);
  });

  it('when more than maxBatch calls wait, then they go out in batches of at most maxBatch, none lost', async () => {
    const sizes: number[] = [];
    const same = createBatcher(
      async (items: number[]) => {
        sizes.push(items.length);
        return items;
      },
      { maxBatch: 4 },
    );
    const results = await Promise.all(Array.from({ length: 10 }, (_, i) => same(i)));
    expect(results).toEqual(Array.from({ length: 10 }, (_, i) => i));
    expect(sizes).toEqual([4, 4, 2]);
  });

  it('when a batch fails or answers too few results, then every call of that batch rejects and the next batch runs', async () => {
    let fail = true;
    const flaky = createBatcher((items: number[]) => {
      if (fail) throw new Error('database away');
      return Promise.resolve(items.slice(1));
    });
    const failed = await Promise.allSettled([flaky(1), flaky(2)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    expect((failed[0] as PromiseRejectedResult).reason).toEqual(new Error('database away'));
    fail = false;
    const short = await Promise.allSettled([flaky(1), flaky(2)]);
    expect(short.map((r) => r.status)).toEqual(['fulfilled', 'rejected']);
  });
});
