import { describe, expect, it } from 'vitest';
import { createLimiter } from './limit.js';

const settle = () => new Promise((resolve) => setTimeout(resolve, 0));

describe('createLimiter', () => {
  it('when more tasks are given than may run, then at most that many run and the rest start in order as others end', async () => {
    const limit = createLimiter(2);
    const started: number[] = [];
    const finish: (() => void)[] = [];
    const results = [0, 1, 2, 3].map((n) =>
      limit(
        () =>
          new Promise<number>((resolve) => {
            started.push(n);
            finish[n] = () => resolve(n * 10);
          }),
      ),
    );
    await settle();
    expect(started).toEqual([0, 1]);
    finish[1]!();
    await settle();
    expect(started).toEqual([0, 1, 2]);
    finish[0]!();
    finish[2]!();
    await settle();
    finish[3]!();
    expect(await Promise.all(results)).toEqual([0, 10, 20, 30]);
  });

  it('when a task fails or throws, then its caller gets the error and the next task still starts', async () => {
    const limit = createLimiter(1);
    const failed = limit(() => Promise.reject(new Error('boom')));
    const threw = limit(() => {
      throw new Error('sync boom');
    });
    const after = limit(async () => 'ran');
    await expect(failed).rejects.toThrow('boom');
    await expect(threw).rejects.toThrow('sync boom');
    expect(await after).toBe('ran');
  });

  it('when the concurrency is not a positive integer, then it is refused', () => {
    expect(() => createLimiter(0)).toThrow(/positive integer/);
  });
});
