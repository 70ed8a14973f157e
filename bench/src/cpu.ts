import { readFileSync } from 'node:fs';
import type { ProcessInfo } from './system.js';

const ticksPerSecond = 100;

/** User + system CPU seconds a process has used so far (Linux /proc), or undefined when it is gone. */
function cpuSeconds(pid: number): number | undefined {
  try {
    // The command name may hold spaces; the fields after its closing parenthesis are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/**
 * CPU used by each process of a running system between `start()` and `stop()`: where a request's
 * cost goes (gateway, bookings, flights), which latency alone does not tell on a shared 2-core machine.
 */
export function startCpuMeter(processes: () => ProcessInfo[]) {
  const before = new Map(processes().map((entry) => [entry.pid, cpuSeconds(entry.pid) ?? 0]));
  const ownBefore = process.cpuUsage();
  return {
    /** CPU seconds per process name, rounded to 10 ms. */
    stop(): Record<string, number> {
      const used: Record<string, number> = {};
      for (const entry of processes()) {
        const now = cpuSeconds(entry.pid);
        if (now === undefined || !before.has(entry.pid)) continue;
        used[entry.name] = Math.round((now - (before.get(entry.pid) ?? 0)) * 100) / 100;
      }
      const own = process.cpuUsage(ownBefore);
      used['load generator'] = Math.round((own.user + own.system) / 10_000) / 100;
      return used;
    },
  };
}
