import { readdirSync, readFileSync } from 'node:fs';
import type { ProcessInfo } from './system.js';

const ticksPerSecond = 100;

/** User + system CPU seconds a process has used so far (Linux /proc), or undefined when it is gone. */
export function cpuSeconds(pid: number): number | undefined {
  try {
    // The command name may hold spaces; the fields after its closing parenthesis are fixed.
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / ticksPerSecond;
  } catch {
    return undefined;
  }
}

/** The shared servers on this machine, by process name: PostgreSQL backends, Redis, RabbitMQ. */
const servers: Record<string, string> = { postgres: 'postgresql', 'redis-server': 'redis', 'beam.smp': 'rabbitmq' };

/** CPU seconds so far of every server process, by pid. */
function serverProcesses(): Map<number, { server: string; seconds: number }> {
  const found = new Map<number, { server: string; seconds: number }>();
  let pids: string[] = [];
  try {
    pids = readdirSync('/proc').filter((name) => /^\d+$/.test(name));
  } catch {
    return found;
  }
  for (const pid of pids) {
    try {
      const server = servers[readFileSync(`/proc/${pid}/comm`, 'utf8').trim()];
      const seconds = server ? cpuSeconds(Number(pid)) : undefined;
      if (server && seconds !== undefined) found.set(Number(pid), { server, seconds });
    } catch {
      // gone in between
    }
  }
  return found;
}

/**
 * CPU used by each process of a running system between `start()` and `stop()`, and by the servers it
 * uses (all of this machine's PostgreSQL, Redis and RabbitMQ processes): where a request's cost goes,
 * which latency alone does not tell on a shared 2-core machine.
 */
export function startCpuMeter(processes: () => ProcessInfo[]) {
  const before = new Map(processes().map((entry) => [entry.pid, cpuSeconds(entry.pid) ?? 0]));
  const ownBefore = process.cpuUsage();
  const serversBefore = serverProcesses();
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
      // Connections opened during the run count from zero; a server process that ended is not counted.
      for (const [pid, now] of serverProcesses()) {
        const spent = now.seconds - (serversBefore.get(pid)?.seconds ?? 0);
        used[now.server] = Math.round(((used[now.server] ?? 0) + spent) * 100) / 100;
      }
      return used;
    },
  };
}
