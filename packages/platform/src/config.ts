import { z } from 'zod';

export class ConfigError extends Error {
  constructor(readonly issues: string[]) {
    super(`Invalid configuration:\n${issues.map((issue) => `  - ${issue}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/**
 * Parses the environment once against a zod schema. Unknown keys are ignored; every bad key is
 * named in the error. Returns a frozen object.
 */
export function parseConfig<S extends z.ZodType>(schema: S, env: Record<string, string | undefined>): Readonly<z.infer<S>> {
  const result = schema.safeParse(env);
  if (!result.success) {
    throw new ConfigError(result.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  }
  return Object.freeze(result.data);
}

/** Parses config or exits the process with the list of bad keys (for server entry points). */
export function loadConfigOrExit<T>(load: () => T): T {
  try {
    return load();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
}

const emptyToUndefined = (value: unknown) => (value === '' ? undefined : value);

export type HostPort = { host: string; port: number };

/** `host:port`, an IPv6 host in brackets (`[::1]:26379`); undefined when the entry is not one. */
export function parseHostPort(entry: string): HostPort | undefined {
  const match = /^(?:\[([0-9A-Fa-f:.]+)\]|([\w.-]+)):(\d{1,5})$/.exec(entry);
  if (!match) return undefined;
  const port = Number(match[3]);
  if (port < 1 || port > 65535) return undefined;
  return { host: match[1] ?? match[2]!, port };
}

/** Environment helpers: strings from the environment coerced and checked. */
export const env = {
  port: (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'on', 'off', 'yes', 'no'])
      .default(fallback ? 'true' : 'false')
      .transform((value) => ['true', '1', 'on', 'yes'].includes(value)),
  optionalUrl: () => z.preprocess(emptyToUndefined, z.url().optional()),
  url: (fallback: string) => z.preprocess(emptyToUndefined, z.url().default(fallback)),
  /** One URL, or several separated by commas (instances of one service; see `createUpstreamBalancer`). */
  urlList: (fallback: string) =>
    z.preprocess(
      emptyToUndefined,
      z
        .string()
        .default(fallback)
        .transform((value) =>
          value
            .split(',')
            .map((url) => url.trim())
            .filter(Boolean)
            .join(','),
        )
        .refine((value) => value !== '' && value.split(',').every((url) => z.url().safeParse(url).success), 'Invalid URL list'),
    ),
  optionalString: () => z.preprocess(emptyToUndefined, z.string().optional()),
  /** Comma-separated `host:port` entries (Redis sentinels); unset or empty: undefined. */
  optionalHostPortList: () =>
    z.preprocess(emptyToUndefined, z.string().optional()).transform((value, context) => {
      if (value === undefined) return undefined;
      const entries = value
        .split(',')
        .map((entry) => entry.trim())
        .filter(Boolean);
      const parsed = entries.map(parseHostPort);
      const bad = entries.filter((_entry, index) => !parsed[index]);
      if (entries.length === 0 || bad.length > 0) {
        const found = entries.length === 0 ? 'no entries' : bad.map((entry) => JSON.stringify(entry)).join(', ');
        context.addIssue({
          code: 'custom',
          message: `expected comma-separated host:port entries with a port from 1 to 65535, got ${found}`,
        });
        return z.NEVER;
      }
      return parsed.filter((address) => address !== undefined);
    }),
  /** PEM values may come with literal `\n` when set in a one-line env file. */
  optionalPem: () =>
    z.preprocess(emptyToUndefined, z.string().includes('-----BEGIN').optional()).transform((value) => value?.replace(/\\n/g, '\n')),
};

/** Keys every service shares. */
export const commonConfigShape = {
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  HOST: z.string().default('127.0.0.1'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DATABASE_URL: env.optionalUrl(),
  /** Named prepared statements (planned once per connection); off behind PgBouncer < 1.21 in transaction mode. */
  DATABASE_PREPARED_STATEMENTS: env.bool(true),
  REDIS_URL: env.optionalUrl(),
  /** Set: Redis is reached through these sentinels, and REDIS_URL only supplies credentials and db. */
  REDIS_SENTINELS: env.optionalHostPortList(),
  /** The master group the sentinels monitor. */
  REDIS_SENTINEL_NAME: z.preprocess(emptyToUndefined, z.string().default('mymaster')),
  /** The sentinels' own password (their `requirepass`), when they have one. */
  REDIS_SENTINEL_PASSWORD: env.optionalString(),
  AMQP_URL: env.optionalUrl(),
  DATA_DIR: z.string().default('./data'),
  CURRENCY: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .default('USD'),
  JWT_PUBLIC_KEY: env.optionalPem(),
  SERVICE_PUBLIC_KEY: env.optionalPem(),
  SERVICE_PRIVATE_KEY: env.optionalPem(),
  BODY_LIMIT_BYTES: env.int(1_048_576, 1024),
  GATEWAY_URL: env.urlList('http://127.0.0.1:3000'),
  FLIGHTS_URL: env.urlList('http://127.0.0.1:3001'),
  BOOKINGS_URL: env.urlList('http://127.0.0.1:3002'),
  NOTIFICATIONS_URL: env.urlList('http://127.0.0.1:3003'),
  UPSTREAM_TIMEOUT_MS: env.int(5000, 100),
};
