/**
 * `npm run bench`: every benchmark in turn, each in its own process (a fresh system per layout),
 * then the BENCHMARKS.md table. Search and email benchmarks live in bench/search and bench/email;
 * they run when present.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { regenerateBenchmarksTable } from './measure.js';
import { repoRoot } from './system.js';

const candidates = [
  { name: 'search', file: 'bench/search/run.ts' },
  { name: 'search', file: 'bench/search/index.ts' },
  { name: 'flash-sale', file: 'bench/src/flash-sale.ts' },
  { name: 'booking', file: 'bench/src/booking.ts' },
  { name: 'expiry', file: 'bench/src/expiry.ts' },
  { name: 'email', file: 'bench/email/run.ts' },
  { name: 'email', file: 'bench/email/index.ts' },
];
const seen = new Set<string>();
const outcomes: string[] = [];
let exitCode = 0;
for (const candidate of candidates) {
  if (seen.has(candidate.name) || !existsSync(join(repoRoot, candidate.file))) continue;
  seen.add(candidate.name);
  process.stdout.write(`\n=== ${candidate.name} (${candidate.file})\n`);
  const run = spawnSync(process.execPath, ['--import', 'tsx', candidate.file, ...process.argv.slice(2)], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
  outcomes.push(`${candidate.name}: ${run.status === 0 ? 'done' : `failed (exit ${run.status})`}`);
  if (run.status !== 0) exitCode = 1;
}
for (const name of ['search', 'email']) if (!seen.has(name)) outcomes.push(`${name}: no benchmark script in bench/${name}/`);
regenerateBenchmarksTable();
process.stdout.write(`\n${outcomes.join('\n')}\nTable in BENCHMARKS.md\n`);
process.exit(exitCode);
