import { defineConfig } from 'vitest/config';

// Browser tests: one embedded AeroFly and one Chromium for the whole file, steps in order.
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.test.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 120_000,
    // First boot seeds the demo data: about a minute on a busy 2-core machine.
    hookTimeout: 300_000,
    env: { RATE_LIMITS: 'off' },
  },
});
