import { defineConfig } from 'vitest/config';

// Fault drills: each file starts AeroFly in server mode (scripts/cluster.ts) behind TCP proxies to
// PostgreSQL, Redis and RabbitMQ, breaks one thing, heals it and checks the invariants. One file at
// a time (they load the machine); every loop is bounded, so the suite stays within ~10 minutes.
export default defineConfig({
  test: {
    include: ['test/drills/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 240_000,
    env: { RATE_LIMITS: 'off' },
  },
});
