/**
 * `npm run bench`: every benchmark in turn (start-up, search, flash sale, booking, expiry, email), each in its
 * own process with a fresh system per layout, then the BENCHMARKS.md table. Search and email are
 * the `bench:search` / `bench:email` scripts; they run when package.json defines them.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { regenerateBenchmarksTable } from './measure.js';
import { repoRoot } from './system.js';

const scripts = (JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
const order = ['bench:startup', 'bench:search', 'bench:flash', 'bench:booking', 'bench:expiry', 'bench:email'];
const outcomes: string[] = [];
let exitCode = 0;
for (const name of order) {
  if (!scripts[name]) {
    outcomes.push(`${name}: not defined in package.json`);
    continue;
  }
  process.stdout.write(`\n=== ${name}\n`);
  const run = spawnSync('npm', ['run', '--silent', name, '--', ...process.argv.slice(2)], { cwd: repoRoot, stdio: 'inherit' });
  outcomes.push(`${name}: ${run.status === 0 ? 'done' : `failed (exit ${run.status})`}`);
  if (run.status !== 0) exitCode = 1;
}
regenerateBenchmarksTable();
process.stdout.write(`\n${outcomes.join('\n')}\nTable in BENCHMARKS.md\n`);
process.exit(exitCode);
