#!/usr/bin/env node
// Runs every test suite with vitest, then prints what ran where and the closing line
// `N passed, N failed` that CI reads (vitest's own closing line is not in that form).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

const root = process.cwd();
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const suites = [
  { name: 'unit + component + system', config: 'vitest.config.ts' },
  { name: 'web components', config: 'apps/web/vitest.config.ts' },
  { name: 'browser (e2e)', config: 'test/e2e/vitest.config.ts' },
  { name: 'fault drills', config: 'test/drills/vitest.config.ts' },
].filter((suite) => existsSync(join(root, suite.config)));

const extraArgs = process.argv.slice(2);
let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
const lines = [];

for (const [index, suite] of suites.entries()) {
  const output = join(resultsDir, `vitest-${index}.json`);
  const run = spawnSync(
    'npx',
    ['vitest', 'run', '--config', suite.config, '--reporter=default', '--reporter=json', `--outputFile.json=${output}`, ...extraArgs],
    { stdio: 'inherit', env: process.env },
  );
  if (!existsSync(output)) {
    lines.push(`${suite.name}: no report (vitest exited ${run.status})`);
    failed += 1;
    exitCode = 1;
    continue;
  }
  const report = JSON.parse(readFileSync(output, 'utf8'));
  const suiteFailed = report.numFailedTests + (report.numFailedTestSuites ?? 0) - countSuitesWithFailedTests(report);
  passed += report.numPassedTests;
  failed += suiteFailed;
  skipped += report.numPendingTests + report.numTodoTests;
  lines.push(`${suite.name}: ${report.numPassedTests} passed, ${suiteFailed} failed, ${report.numPendingTests} not run`);
  if (run.status !== 0 || suiteFailed > 0) exitCode = 1;
}

// A file that fails to load counts as a failed suite, not as tests; count it once.
function countSuitesWithFailedTests(report) {
  return report.testResults.filter((file) => file.status === 'failed' && file.assertionResults.some((test) => test.status === 'failed'))
    .length;
}

const where = {
  db: process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite',
  kv: process.env.REDIS_URL ? 'Redis server' : 'in-memory kv',
  bus: process.env.AMQP_URL ? 'RabbitMQ server' : 'in-process bus',
};
console.log('\n── summary ──');
console.log(`ran on: ${where.db}, ${where.kv}, ${where.bus}${process.env.AEROFLY_REQUIRE_SERVERS === '1' ? ' (servers required)' : ''}`);
for (const line of lines) console.log(line);
const notRunFile = join(resultsDir, 'not-run.txt');
if (existsSync(notRunFile)) {
  const notRun = [...new Set(readFileSync(notRunFile, 'utf8').split('\n').filter(Boolean))];
  for (const line of notRun) console.log(`not run: ${line}`);
}
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);
