import { createApp, createTokenVerifier, type App, type Bus, type Clock, type Db, type Kv, type Logger } from '@aerofly/platform';
import type { NotificationsConfig } from './config.js';

export type NotificationsDeps = {
  config: Readonly<NotificationsConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
};

/** Builds the notifications app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: NotificationsDeps): Promise<App> {
  const verifier = await createTokenVerifier({
    userPublicKeyPem: deps.config.JWT_PUBLIC_KEY,
    servicePublicKeyPem: deps.config.SERVICE_PUBLIC_KEY,
    serviceName: 'notifications',
  });
  const app = await createApp({
    name: 'notifications',
    logger: deps.logger,
    verifier,
    bodyLimitBytes: deps.config.BODY_LIMIT_BYTES,
    readiness: {
      postgres: () => deps.db.ping(),
      ...(deps.kv.kind === 'redis' ? { redis: () => deps.kv.ping() } : {}),
      ...(deps.bus.kind === 'rabbitmq' ? { rabbitmq: () => assertHealthy(deps.bus) } : {}),
    },
    openapi: { title: 'AeroFly notifications', description: 'Cities, airports, airplanes, notifications, search and seat holds' },
  });
  // Feature routes register here, e.g. await app.register(airportRoutes, { service }).
  return app;
}

function assertHealthy(bus: Bus) {
  if (!bus.isHealthy()) throw new Error('rabbitmq disconnected');
}
