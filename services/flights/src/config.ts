import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  FLIGHTS_PORT: env.port(3001),
  /** Extra time a hold outlives its booking's expiry: longer than a payment lease. */
  HOLD_GRACE_SECONDS: env.int(120, 0, 3600),
  /** How often this instance releases holds past their time. */
  HOLD_SWEEP_INTERVAL_MS: env.int(1000, 50, 60_000),
  /** Search answers and flight details are cached this long; 0 turns the cache off. */
  SEARCH_CACHE_TTL_SECONDS: env.int(15, 0, 3600),
  SEED_DEMO_DATA: env.bool(true),
  /** Days of demo flights created on the first start. */
  SEED_DEMO_DAYS: env.int(60, 1, 365),
});

export type FlightsConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<FlightsConfig> => parseConfig(schema, source);
