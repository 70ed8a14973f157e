import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const list = () =>
  z
    .string()
    .default('')
    .transform((value) =>
      value
        .split(',')
        .map((item) => item.trim())
        .filter(Boolean),
    );

const schema = z.object({
  ...commonConfigShape,
  GATEWAY_PORT: env.port(3000),
  /** Set by the embedded launcher: generated admin, dev mailbox proxy. */
  EMBEDDED_MODE: env.bool(false),
  JWT_PRIVATE_KEY: env.optionalPem(),
  ACCESS_TOKEN_TTL_SECONDS: env.int(15 * 60, 60, 24 * 3600),
  REFRESH_TOKEN_TTL_DAYS: env.int(30, 1, 365),
  /** A rotated refresh token used again within this many seconds (two tabs) still works. */
  REFRESH_REUSE_GRACE_SECONDS: env.int(10, 0, 300),
  ADMIN_EMAIL: env.optionalString(),
  ADMIN_PASSWORD: z.preprocess((value) => (value === '' ? undefined : value), z.string().min(10).max(256).optional()),
  /** Comma-separated addresses or CIDRs whose X-Forwarded-For is believed. Empty: trust nobody. */
  TRUSTED_PROXIES: list(),
  /** Comma-separated origins allowed to call the API from a browser. Empty: same origin only. */
  CORS_ORIGINS: list(),
  RATE_LIMITS: z.enum(['on', 'off']).default('on'),
  RATE_LIMIT_GLOBAL_MAX: env.int(600, 1),
  RATE_LIMIT_GLOBAL_WINDOW_SECONDS: env.int(60, 1),
  RATE_LIMIT_AUTH_MAX: env.int(30, 1),
  RATE_LIMIT_AUTH_WINDOW_SECONDS: env.int(60, 1),
  RATE_LIMIT_LOGIN_FAILURES_MAX: env.int(10, 1),
  RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS: env.int(900, 1),
  RATE_LIMIT_BOOKINGS_MAX: env.int(20, 1),
  RATE_LIMIT_BOOKINGS_WINDOW_SECONDS: env.int(60, 1),
  RATE_LIMIT_PAYMENTS_MAX: env.int(10, 1),
  RATE_LIMIT_PAYMENTS_WINDOW_SECONDS: env.int(60, 1),
  /** After a Redis error, counters stay in this instance's memory this long before Redis is tried again. */
  RATE_LIMIT_REDIS_RETRY_MS: env.int(5000, 0),
  OPENAPI_CACHE_SECONDS: env.int(30, 0),
  /** The built web app; defaults to apps/web/dist in this repository. */
  WEB_DIST_DIR: env.optionalString(),
});

export type GatewayConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<GatewayConfig> => parseConfig(schema, source);
