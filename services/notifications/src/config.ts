import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

/** `1000,5000,15000` → [1000, 5000, 15000] */
const millisecondList = (fallback: number[]) =>
  z
    .string()
    .regex(/^\s*\d+(\s*,\s*\d+)*\s*$/, 'must be a comma-separated list of milliseconds')
    .default(fallback.join(','))
    .transform((value) => value.split(',').map((part) => Number(part.trim())));

const schema = z.object({
  ...commonConfigShape,
  NOTIFICATIONS_PORT: env.port(3003),
  /** Where mail goes; without it an SMTP sink inside the process stores mail under DATA_DIR/mail. */
  SMTP_URL: env.optionalUrl(),
  MAIL_FROM: z.string().min(3).default('AeroFly <no-reply@aerofly.local>'),
  /** The public address of the web app, for links in emails. */
  PUBLIC_URL: env.url('http://localhost:3000').transform((value) => value.replace(/\/+$/, '')),
  /** Set by the embedded launcher: serves the dev mailbox. */
  EMBEDDED_MODE: env.bool(false),
  SMTP_TIMEOUT_MS: env.int(10_000, 100),
  /** Parallel SMTP connections per instance; relays often limit this per client. */
  SMTP_MAX_CONNECTIONS: env.int(5, 1, 100),
  EMAIL_MAX_ATTEMPTS: env.int(6, 1, 50),
  /** Delay before each retry of a failed send; the last value repeats. */
  EMAIL_RETRY_DELAYS_MS: millisecondList([2000, 10_000, 30_000, 120_000, 300_000]),
  EMAIL_PREFETCH: env.int(16, 1, 1000),
});

export type NotificationsConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<NotificationsConfig> => parseConfig(schema, source);
