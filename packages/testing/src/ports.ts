import { readFileSync } from 'node:fs';
import { createServer } from 'node:net';

const lowestPort = 20_000;

/** The first port the kernel hands out to outgoing connections and `listen(0)` (32768 by default on Linux). */
function ephemeralStart(): number {
  try {
    const low = Number(readFileSync('/proc/sys/net/ipv4/ip_local_port_range', 'utf8').trim().split(/\s+/)[0]);
    return Number.isInteger(low) && low > lowestPort + 1000 ? low : 32_768;
  } catch {
    return 32_768;
  }
}

const canListen = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(true)));
  });

/**
 * A port nobody listens on right now, for a server the caller starts a moment later. It is drawn
 * below the kernel's ephemeral range: a port from `listen(0)` could be handed to an outgoing
 * connection (a database client, say) before the caller gets to listen on it.
 */
export async function sparePort(): Promise<number> {
  const span = ephemeralStart() - lowestPort;
  for (let attempt = 0; attempt < 100; attempt += 1) {
    const port = lowestPort + Math.floor(Math.random() * span);
    if (await canListen(port)) return port;
  }
  throw new Error(`no free port between ${lowestPort} and ${lowestPort + span}`);
}
