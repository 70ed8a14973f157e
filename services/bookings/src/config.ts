import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  BOOKINGS_PORT: env.port(3002),
});

export type BookingsConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<BookingsConfig> => parseConfig(schema, source);
