/**
 * Runs at most `concurrency` of the tasks given to it at once; the others wait, in order, without
 * a deadline of their own. For work that would otherwise take every pooled database connection at
 * once (a cold cache filling up) and leave none for the requests that need one now.
 */
export function createLimiter(concurrency: number) {
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new Error(`concurrency must be a positive integer, got ${concurrency}`);
  const waiting: (() => void)[] = [];
  let running = 0;

  const next = () => {
    running -= 1;
    waiting.shift()?.();
  };

  return <T>(task: () => Promise<T>): Promise<T> =>
    new Promise<T>((resolve, reject) => {
      const start = () => {
        running += 1;
        new Promise<T>((done) => done(task())).then(resolve, reject).finally(next);
      };
      if (running < concurrency) start();
      else waiting.push(start);
    });
}
