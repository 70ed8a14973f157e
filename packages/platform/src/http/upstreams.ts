/**
 * Several instances of a service behind one setting: `FLIGHTS_URL=http://a:3010,http://b:3011`.
 * A balancer hands out the instances round-robin and skips, for a short while, one that refused
 * a connection, so a crashed instance costs one failed attempt rather than every Nth request.
 */
export function parseUpstreamUrls(value: string | readonly string[]): string[] {
  const list = (typeof value === 'string' ? value.split(',') : [...value]).map((url) => url.trim().replace(/\/$/, '')).filter(Boolean);
  if (list.length === 0) throw new Error('no upstream URL given');
  return list;
}

export type UpstreamBalancer = {
  readonly urls: readonly string[];
  /** The next instance to try (round-robin over those not marked down; all of them when all are down). */
  next(): string;
  /** Skips `url` for `downForMs` after it refused a connection. */
  markDown(url: string): void;
};

export function createUpstreamBalancer(
  value: string | readonly string[],
  options: { downForMs?: number; now?: () => number } = {},
): UpstreamBalancer {
  const urls = parseUpstreamUrls(value);
  const downForMs = options.downForMs ?? 2000;
  const now = options.now ?? Date.now;
  const downUntil = new Map<string, number>();
  let cursor = 0;
  return {
    urls,
    next() {
      const at = now();
      for (let tried = 0; tried < urls.length; tried += 1) {
        const url = urls[cursor % urls.length]!;
        cursor = (cursor + 1) % urls.length;
        if ((downUntil.get(url) ?? 0) <= at) return url;
      }
      const url = urls[cursor % urls.length]!;
      cursor = (cursor + 1) % urls.length;
      return url;
    },
    markDown(url) {
      downUntil.set(url.replace(/\/$/, ''), now() + downForMs);
    },
  };
}

/** True when a fetch failed before the request reached the server, so trying another instance is safe. */
export function isConnectionRefused(error: unknown): boolean {
  const failure = error as { code?: string; cause?: { code?: string } } | undefined;
  return failure?.code === 'ECONNREFUSED' || failure?.cause?.code === 'ECONNREFUSED';
}
