/**
 * bench:startup — how fast `npm start` (embedded mode: one process, PGlite) is ready on this machine:
 * wall time from launch until all four `/health` answer, the CPU time the process used by then, and
 * its RSS, for a first start (empty DATA_DIR: initdb, migrations, demo data, first admin) and a later
 * start on the same data. The web app is already built (a first build is reported by `npm ci`).
 * Target (issue: one-command start): ready in ≤ 15 s.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, openSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cpuSeconds } from './cpu.js';
import { describeMachine, readStatusKb, writeResult, type ResultRow } from './measure.js';
import { embeddedSettings, findPortBlock, portSettings, portsOf, repoRoot } from './system.js';

const targetSeconds = 15;

function procFigures(pid: number) {
  const mb = (kb: number | undefined) => Math.round((kb ?? 0) / 1024);
  return { cpuSeconds: cpuSeconds(pid) ?? 0, rssMb: mb(readStatusKb(pid, 'VmRSS')), peakRssMb: mb(readStatusKb(pid, 'VmHWM')) };
}

async function startOnce(dataDir: string, logFile: string) {
  const ports = portsOf(await findPortBlock(5400));
  const env: Record<string, string | undefined> = { ...process.env, DATA_DIR: dataDir, LOG_LEVEL: 'warn', ...portSettings(ports) };
  // Embedded defaults, as a newcomer runs it: no server settings, and mail to the local sink.
  embeddedSettings(env, ports);
  delete env['SMTP_URL'];
  const started = performance.now();
  const out = openSync(logFile, 'a');
  const child = spawn(process.execPath, ['--import', 'tsx', join(repoRoot, 'scripts/start-embedded.ts')], {
    cwd: repoRoot,
    env,
    stdio: ['ignore', out, out],
  });
  const exited = new Promise<number | null>((done) => child.once('exit', done));
  const urls = Object.values(ports).map((port) => `http://127.0.0.1:${port}/health`);
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}; see ${logFile}`);
      if (performance.now() - started > 180_000) throw new Error(`not ready after 180 s; see ${logFile}`);
      const up = await Promise.all(
        urls.map((url) =>
          fetch(url, { signal: AbortSignal.timeout(1000) }).then(
            (r) => r.ok,
            () => false,
          ),
        ),
      );
      if (up.every(Boolean)) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    const seconds = (performance.now() - started) / 1000;
    return { seconds: Math.round(seconds * 10) / 10, ...procFigures(child.pid as number) };
  } finally {
    child.kill('SIGTERM');
    await exited;
  }
}

const dataDir = mkdtempSync(join(tmpdir(), 'aerofly-startup-'));
const logFile = join(dataDir, 'start.log');
const log = (line: string) => process.stdout.write(`[startup] ${line}\n`);
try {
  const first = await startOnce(dataDir, logFile);
  log(`first start (empty DATA_DIR): ${JSON.stringify(first)}`);
  const later = await startOnce(dataDir, logFile);
  log(`later start (existing data): ${JSON.stringify(later)}`);
  const row = (setup: string, figures: Awaited<ReturnType<typeof startOnce>>): ResultRow => ({
    setup,
    figures: { ready: `${figures.seconds} s`, 'CPU by then': `${figures.cpuSeconds} s`, RSS: `${figures.rssMb} MB` },
    target: `all four /health answer within ${targetSeconds} s`,
    met: figures.seconds <= targetSeconds,
    peakRssMb: { embedded: figures.peakRssMb },
  });
  const machine = await describeMachine();
  const file = writeResult({
    name: 'startup',
    title: 'npm start (embedded, one process) until all four /health answer',
    finishedAt: new Date().toISOString(),
    machine,
    rows: [row('first start, empty DATA_DIR (initdb, migrations, demo data)', first), row('later start, existing data', later)],
    details: { first, later },
  });
  log(`wrote ${file}`);
} finally {
  rmSync(dataDir, { recursive: true, force: true });
}
