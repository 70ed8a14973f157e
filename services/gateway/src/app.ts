import { createApp, createTokenVerifier, type App, type Bus, type Clock, type Db, type Kv, type Logger } from '@aerofly/platform';
import type { GatewayConfig } from './config.js';

export type GatewayDeps = {
  config: Readonly<GatewayConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
};

/** Builds the gateway app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: GatewayDeps): Promise<App> {
  const verifier = await createTokenVerifier({
    userPublicKeyPem: deps.config.JWT_PUBLIC_KEY,
    servicePublicKeyPem: deps.config.SERVICE_PUBLIC_KEY,
    serviceName: 'gateway',
  });
  const app = await createApp({
    name: 'gateway',
    logger: deps.logger,
    verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: {
      postgres: () => deps.db.ping(),
      ...(deps.kv.kind === 'redis' ? { redis: () => deps.kv.ping() } : {}),
      ...(deps.bus.kind === 'rabbitmq' ? { rabbitmq: () => assertHealthy(deps.bus) } : {}),
    },
    openapi: { title: 'AeroFly gateway', description: 'Cities, airports, airplanes, gateway, search and seat holds' },
  });
  // Feature routes register here, e.g. await app.register(airportRoutes, { service }).
  return app;
}

function assertHealthy(bus: Bus) {
  if (!bus.isHealthy()) throw new Error('rabbitmq disconnected');
}
