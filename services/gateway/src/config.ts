import { commonConfigShape, env, parseConfig } from '@aerofly/platform';
import { z } from 'zod';

const schema = z.object({
  ...commonConfigShape,
  GATEWAY_PORT: env.port(3000),
});

export type GatewayConfig = z.infer<typeof schema>;

export const loadConfig = (source: Record<string, string | undefined>): Readonly<GatewayConfig> => parseConfig(schema, source);
