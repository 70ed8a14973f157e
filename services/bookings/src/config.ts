import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  BOOKINGS_PORT: env.port(3002),
  /** How long a booking holds its seats before it expires unpaid. */
  BOOKING_HOLD_SECONDS: env.int(300, 10, 3600),
  /** How long a payment may run before the reconciler takes over; longer than the provider's timeout. */
  PAYMENT_LEASE_SECONDS: env.int(30, 5, 600),
  /** How long the built-in test processor stays silent on the timeout card before the answer is lost. */
  TEST_PAYMENT_TIMEOUT_MS: env.int(0, 0, 60_000),
  SWEEPER_INTERVAL_MS: env.int(1000, 50, 60_000),
  /** How often due bookings are looked for between full sweeper passes (one cheap indexed update when none is due). */
  EXPIRY_INTERVAL_MS: env.int(250, 50, 60_000),
  IDEMPOTENCY_LEASE_MS: env.int(30_000, 1000, 600_000),
});

export type BookingsConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<BookingsConfig> => parseConfig(schema, source);
