import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  NOTIFICATIONS_PORT: env.port(3003),
});

export type NotificationsConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<NotificationsConfig> => parseConfig(schema, source);
