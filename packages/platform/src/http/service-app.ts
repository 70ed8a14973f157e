import { createTokenVerifier } from '../auth/tokens.js';
import type { Bus } from '../bus/bus.js';
import type { Db } from '../db/db.js';
import type { Kv } from '../kv/kv.js';
import type { Logger } from '../logger.js';
import { createApp, type App, type ReadinessChecks } from './app.js';

/** The adapters a service reports on in `/ready`. */
export type Backends = { db: Db; kv: Kv; bus: Bus };

/** `/ready` checks for what a service runs on: PostgreSQL always, Redis and RabbitMQ when they are real servers. */
export function readinessOf({ db, kv, bus }: Backends): ReadinessChecks {
  return {
    postgres: () => db.ping(),
    ...(kv.kind === 'redis' ? { redis: () => kv.ping() } : {}),
    ...(bus.kind === 'rabbitmq'
      ? {
          rabbitmq: () => {
            if (!bus.isHealthy()) throw new Error('rabbitmq disconnected');
          },
        }
      : {}),
  };
}

/**
 * The app of a service behind the gateway: it checks user tokens and the tokens of the services
 * that call it, limits bodies, and reports its backends in `/ready`.
 */
export async function createServiceApp(
  name: string,
  deps: Backends & {
    config: { JWT_PUBLIC_KEY?: string | undefined; SERVICE_PUBLIC_KEY?: string | undefined; BODY_LIMIT_BYTES: number };
    logger: Logger;
  },
  openapi: { title: string; description: string },
): Promise<App> {
  const verifier = await createTokenVerifier({
    userPublicKeyPem: deps.config.JWT_PUBLIC_KEY,
    servicePublicKeyPem: deps.config.SERVICE_PUBLIC_KEY,
    serviceName: name,
  });
  return createApp({
    name,
    logger: deps.logger,
    verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: readinessOf(deps),
    openapi,
  });
}
