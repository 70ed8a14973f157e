#!/usr/bin/env node
// Runs every test suite with vitest, then prints what ran where and the closing line
// `N passed, N failed` that CI reads. vitest's own closing line is not in that form, and its
// JSON totals count describe blocks as suites, so the numbers here come from the per-file results.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = process.cwd();
const resultsDir = join(root, '.test-results');
rmSync(resultsDir, { recursive: true, force: true });
mkdirSync(resultsDir, { recursive: true });

const allSuites = [
  { name: 'unit + component + system', config: 'vitest.config.ts' },
  { name: 'web components', config: 'apps/web/vitest.config.ts' },
  { name: 'browser (e2e)', config: 'test/e2e/vitest.config.ts' },
  { name: 'fault drills', config: 'test/drills/vitest.config.ts' },
];
const suites = allSuites.filter((suite) => existsSync(join(root, suite.config)));
const extraArgs = process.argv.slice(2);
// The installed vitest, run with this Node (npx would try the network when it cannot find it).
const vitestBin = join(root, 'node_modules', 'vitest', 'vitest.mjs');
const unhandledReporter = join(import.meta.dirname, 'vitest-unhandled-reporter.mjs');

/** Counts one vitest JSON report: failed tests, plus files that failed without a failed test (import error, failing hook). */
export function summarise(report) {
  const result = { passed: 0, failed: 0, skipped: 0, failures: [] };
  for (const file of report.testResults ?? []) {
    const name = relative(root, file.name);
    let failedHere = 0;
    for (const test of file.assertionResults ?? []) {
      if (test.status === 'passed') result.passed += 1;
      else if (test.status === 'failed') {
        failedHere += 1;
        result.failures.push(`${name} > ${test.fullName ?? test.title}`);
      } else result.skipped += 1;
    }
    if (file.status === 'failed' && failedHere === 0) {
      failedHere = 1;
      const notRun = (file.assertionResults ?? []).filter((test) => test.status !== 'passed').length;
      const reason = String(file.message || 'failed outside a test (a hook or the file itself)').split('\n')[0];
      result.failures.push(`${name}: ${reason}${notRun ? `; ${notRun} tests did not run` : ''}`);
    }
    result.failed += failedHere;
  }
  return result;
}

let passed = 0;
let failed = 0;
let skipped = 0;
let exitCode = 0;
const lines = [];
const failures = [];

for (const [index, suite] of suites.entries()) {
  const output = join(resultsDir, `vitest-${index}.json`);
  const unhandledFile = join(resultsDir, `unhandled-${index}.json`);
  const run = spawnSync(
    process.execPath,
    [
      vitestBin,
      'run',
      '--config',
      suite.config,
      '--passWithNoTests',
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${output}`,
      `--reporter=${unhandledReporter}`,
      ...extraArgs,
    ],
    { stdio: 'inherit', env: { ...process.env, AEROFLY_UNHANDLED_ERRORS_FILE: unhandledFile } },
  );
  if (!existsSync(output)) {
    lines.push(`${suite.name}: no report (vitest exited ${run.status ?? run.signal})`);
    failures.push(`${suite.name}: vitest did not produce a report`);
    failed += 1;
    exitCode = 1;
    continue;
  }
  const counts = summarise(JSON.parse(readFileSync(output, 'utf8')));
  // Errors outside the tests fail the run without failing a test: count each of them.
  const unhandled = existsSync(unhandledFile) ? JSON.parse(readFileSync(unhandledFile, 'utf8')) : [];
  for (const message of unhandled) {
    counts.failed += 1;
    counts.failures.push(`${suite.name}: error outside the tests: ${message}`);
  }
  if (run.status !== 0 && counts.failed === 0) {
    counts.failed = 1;
    counts.failures.push(`${suite.name}: vitest exited ${run.status ?? run.signal} (unhandled error outside the tests; see the log above)`);
  }
  passed += counts.passed;
  failed += counts.failed;
  skipped += counts.skipped;
  failures.push(...counts.failures);
  lines.push(`${suite.name}: ${counts.passed} passed, ${counts.failed} failed, ${counts.skipped} skipped`);
  if (counts.failed > 0) exitCode = 1;
}

const where = {
  db: process.env.DATABASE_URL ? 'PostgreSQL server' : 'embedded PGlite',
  kv: process.env.REDIS_URL ? 'Redis server' : 'in-memory kv',
  bus: process.env.AMQP_URL ? 'RabbitMQ server' : 'in-process bus',
};
console.log('\n── summary ──');
console.log(`ran on: ${where.db}, ${where.kv}, ${where.bus}${process.env.AEROFLY_REQUIRE_SERVERS === '1' ? ' (servers required)' : ''}`);
for (const line of lines) console.log(line);
for (const suite of allSuites.filter((candidate) => !suites.includes(candidate)))
  console.log(`not run: ${suite.name} (no ${suite.config})`);
const notRunFile = join(resultsDir, 'not-run.txt');
if (existsSync(notRunFile)) {
  const notRun = [...new Set(readFileSync(notRunFile, 'utf8').split('\n').filter(Boolean))];
  for (const line of notRun) console.log(`not run: ${line}`);
}
for (const failure of failures) console.log(`failed: ${failure}`);
console.log(`${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ''}`);
process.exit(exitCode);
