import type { Logger } from './logger.js';

/**
 * Runs `shutdown` once on SIGTERM or SIGINT, then exits. Shutdown should stop accepting, finish
 * in-flight work, stop consumers, flush the outbox and close pools, in that order.
 */
export function onShutdownSignal(logger: Logger, shutdown: () => Promise<void>, graceMs = 15_000): void {
  let stopping = false;
  const handle = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down');
    const force = setTimeout(() => {
      logger.error('shutdown took too long; exiting');
      process.exit(1);
    }, graceMs);
    force.unref();
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.once('SIGTERM', handle);
  process.once('SIGINT', handle);
}

/** A background loop that runs `task` every `intervalMs` until stopped; errors are logged, never fatal. */
export function startLoop(options: { name: string; intervalMs: number; logger: Logger; task: () => Promise<unknown> }) {
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let stopped = false;
  const tick = async () => {
    try {
      await options.task();
    } catch (error) {
      options.logger.warn({ err: error, loop: options.name }, 'background task failed');
    }
    if (!stopped) timer = setTimeout(run, options.intervalMs);
  };
  const run = () => {
    running = tick();
  };
  timer = setTimeout(run, options.intervalMs);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
