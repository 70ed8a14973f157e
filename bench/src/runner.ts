import { describeMachine, startRssMonitor, writeResult, type ResultRow } from './measure.js';
import { startSystem, withDatabase, type RunningSystem, type SystemOptions } from './system.js';

export type Layout = { key: string; options: SystemOptions };

/**
 * Which systems a benchmark runs against: by default server mode with one instance per service,
 * then start:cluster with two flights and two bookings instances. `--layouts single,cluster,embedded`
 * (or BENCH_LAYOUTS) picks; `--flights N --bookings N` sizes the cluster.
 */
export function layoutsFromArgs(argv = process.argv.slice(2)): Layout[] {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const keys = (value('--layouts') ?? process.env['BENCH_LAYOUTS'] ?? 'single,cluster').split(',').map((key) => key.trim());
  const flights = Number(value('--flights') ?? 2);
  const bookings = Number(value('--bookings') ?? 2);
  return keys.map((key) => {
    switch (key) {
      case 'single':
        return { key, options: { mode: 'cluster', flightsInstances: 1, bookingsInstances: 1 } };
      case 'cluster':
        return { key, options: { mode: 'cluster', flightsInstances: flights, bookingsInstances: bookings } };
      case 'embedded':
        return { key, options: { mode: 'embedded' } };
      default:
        throw new Error(`unknown layout "${key}" (single, cluster, embedded)`);
    }
  });
}

export type Measured = { row: Omit<ResultRow, 'setup' | 'peakRssMb'>; details: unknown };

/**
 * Runs `measure` once per layout on a freshly started system, records peak RSS of every process,
 * writes bench/results/<name>.json and regenerates the BENCHMARKS.md table.
 */
export async function runBenchmark(
  name: string,
  title: string,
  measure: (system: RunningSystem, log: (line: string) => void) => Promise<Measured>,
  extra?: { before?: () => Promise<{ row: ResultRow; details: unknown } | undefined> },
) {
  const log = (line: string) => process.stdout.write(`[${name}] ${line}\n`);
  const rows: ResultRow[] = [];
  const details: Record<string, unknown> = {};
  let failed = false;
  const extraRow = await extra?.before?.();
  if (extraRow) {
    rows.push(extraRow.row);
    details['baseline'] = extraRow.details;
  }
  for (const layout of layoutsFromArgs()) {
    log(`starting ${layout.key} system`);
    const system = await startSystem({ ...layout.options, databaseName: `aerofly_bench_${name.replace(/\W/g, '_')}` });
    // Interrupted: stop what was started before leaving.
    const interrupt = () => void system.stop().finally(() => process.exit(130));
    process.once('SIGINT', interrupt).once('SIGTERM', interrupt);
    log(`${system.label}: ${system.processes().length} processes, gateway ${system.gatewayUrl}`);
    const rss = startRssMonitor(() => system.processes());
    try {
      const measured = await measure(system, log);
      const peakRssMb = rss.stop();
      rows.push({ setup: system.label, ...measured.row, peakRssMb });
      details[layout.key] = { setup: system.label, ...(measured.details as object), peakRssMb };
      log(
        `${system.label}: ${JSON.stringify(measured.row.figures)} target ${measured.row.met ? 'met' : 'NOT met'}; peak RSS ${JSON.stringify(peakRssMb)}`,
      );
    } catch (error) {
      failed = true;
      rss.stop();
      log(`${system.label}: failed: ${(error as Error).stack ?? String(error)}`);
      rows.push({ setup: system.label, figures: { error: (error as Error).message.slice(0, 120) }, met: false });
    } finally {
      process.off('SIGINT', interrupt).off('SIGTERM', interrupt);
      await system.stop();
    }
  }
  const machine = await describeMachine(
    withDatabase(process.env['DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres', 'postgres'),
  );
  const file = writeResult({ name, title, finishedAt: new Date().toISOString(), machine, rows, details });
  log(`wrote ${file}`);
  // A target that no layout met is reported, not hidden; a crash or a broken invariant fails the run.
  if (failed || rows.some((row) => row.figures['invariants'] === 'broken')) process.exitCode = 1;
}
