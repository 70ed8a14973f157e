import { createServer, Socket, type AddressInfo, type Server } from 'node:net';

/**
 * A TCP proxy on a spare loopback port, to cut a client's connection to a real server and restore
 * it without touching the server itself.
 */
export async function startTcpProxy(target: { host: string; port: number }) {
  const sockets = new Set<Socket>();
  let accepting = true;
  const server: Server = createServer((client) => {
    if (!accepting) {
      client.destroy();
      return;
    }
    const upstream = new Socket();
    sockets.add(client);
    sockets.add(upstream);
    const close = () => {
      client.destroy();
      upstream.destroy();
      sockets.delete(client);
      sockets.delete(upstream);
    };
    client.on('error', close).on('close', close);
    upstream.on('error', close).on('close', close);
    upstream.connect(target.port, target.host, () => {
      client.pipe(upstream);
      upstream.pipe(client);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    /** Drops every open connection and refuses new ones until `restore()`. */
    cut() {
      accepting = false;
      for (const socket of sockets) socket.destroy();
      sockets.clear();
    },
    restore() {
      accepting = true;
    },
    async close() {
      this.cut();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
export type TcpProxy = Awaited<ReturnType<typeof startTcpProxy>>;

/** Rewrites a URL's host and port to go through a proxy. */
export function viaProxy(url: string, proxy: { port: number }): string {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
}

export async function waitFor(
  condition: () => Promise<boolean> | boolean,
  options: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
) {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${options.what ?? 'condition'}`);
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 50));
  }
}
