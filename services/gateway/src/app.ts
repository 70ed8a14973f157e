import { createHash, createPublicKey } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import cors from '@fastify/cors';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyReply, FastifyRequest } from 'fastify';
import {
  ConfigError,
  createApp,
  createTokenVerifier,
  createUserTokenSigner,
  parseUpstreamUrls,
  readinessOf,
  type App,
  type Bus,
  type Clock,
  type Db,
  type Kv,
  type Logger,
} from '@aerofly/platform';
import { authRoutes } from './auth/auth.routes.js';
import { createAuthService, type AuthService } from './auth/auth.service.js';
import { createPasswords, type Passwords } from './auth/passwords.js';
import { createSessionsRepository } from './auth/sessions.repository.js';
import type { GatewayConfig } from './config.js';
import { createOpenapiMerger } from './docs/openapi.js';
import { proxyRoutes, registerProxy } from './proxy/proxy.js';
import { registerRateLimits, type RateLimits } from './rate-limit/rate-limit.js';
import { securityHeaders } from './security/security-headers.js';
import { createUsersRepository } from './users/users.repository.js';
import { usersRoutes } from './users/users.routes.js';
import { createUsersService } from './users/users.service.js';
import { webRoutes } from './web/web.routes.js';

export type GatewayDeps = {
  config: Readonly<GatewayConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  /** Shared with the first-admin bootstrap so the dummy hash is computed once. */
  passwords?: Passwords;
  /** Called after a commit that wrote outbox events (the relay looks at once). */
  onEventsWritten?: () => void;
};

export type GatewayApp = App & { auth: AuthService; rateLimits: RateLimits | undefined };

const defaultWebDist = fileURLToPath(new URL('../../../apps/web/dist', import.meta.url));

/** The user-token key pair; the public half is derived from the private key when not given. */
export function userKeys(config: Readonly<GatewayConfig>): { privateKeyPem: string; publicKeyPem: string } {
  if (!config.JWT_PRIVATE_KEY) throw new ConfigError(['JWT_PRIVATE_KEY: required (PEM, Ed25519 PKCS#8) to sign access tokens']);
  const publicKeyPem = config.JWT_PUBLIC_KEY ?? createPublicKey(config.JWT_PRIVATE_KEY).export({ type: 'spki', format: 'pem' }).toString();
  return { privateKeyPem: config.JWT_PRIVATE_KEY, publicKeyPem };
}

/** RFC 7517 key set with the access-token public key, its `kid` being the RFC 7638 thumbprint. */
export function jwks(publicKeyPem: string) {
  const jwk = createPublicKey(publicKeyPem).export({ format: 'jwk' }) as { kty: string; crv: string; x: string };
  const kid = createHash('sha256')
    .update(JSON.stringify({ crv: jwk.crv, kty: jwk.kty, x: jwk.x }))
    .digest('base64url');
  return { keys: [{ kty: jwk.kty, crv: jwk.crv, x: jwk.x, alg: 'EdDSA', use: 'sig', kid }] };
}

/** Builds the gateway app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(deps: GatewayDeps): Promise<GatewayApp> {
  const { config } = deps;
  const keys = userKeys(config);
  const verifier = await createTokenVerifier({
    userPublicKeyPem: keys.publicKeyPem,
    servicePublicKeyPem: config.SERVICE_PUBLIC_KEY,
    serviceName: 'gateway',
  });
  const signer = await createUserTokenSigner({ privateKeyPem: keys.privateKeyPem, ttlSeconds: config.ACCESS_TOKEN_TTL_SECONDS });
  const passwords = deps.passwords ?? (await createPasswords());
  const users = createUsersRepository(deps.db);
  const auth = createAuthService({
    db: deps.db,
    clock: deps.clock,
    users,
    sessions: createSessionsRepository(deps.db),
    passwords,
    signer,
    refreshTtlDays: config.REFRESH_TOKEN_TTL_DAYS,
    reuseGraceSeconds: config.REFRESH_REUSE_GRACE_SECONDS,
    logger: deps.logger,
    ...(deps.onEventsWritten ? { onEventsWritten: deps.onEventsWritten } : {}),
  });
  const upstreams = { flights: config.FLIGHTS_URL, bookings: config.BOOKINGS_URL, notifications: config.NOTIFICATIONS_URL };
  const mergeOpenapi = createOpenapiMerger({
    sources: (['flights', 'bookings', 'notifications'] as const).map((service) => ({
      service,
      url: new URL('/openapi.json', parseUpstreamUrls(upstreams[service])[0]).toString(),
    })),
    cacheSeconds: config.OPENAPI_CACHE_SECONDS,
    logger: deps.logger,
  });

  let rateLimits: RateLimits | undefined;
  const app = await createApp({
    name: 'gateway',
    logger: deps.logger,
    verifier,
    // The proxy forwards the request id itself, and the gateway calls no service through the client.
    requestContext: false,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
    trustProxy: config.TRUSTED_PROXIES.length ? config.TRUSTED_PROXIES : false,
    readiness: readinessOf(deps),
    openapi: {
      title: 'AeroFly API',
      description: 'Accounts and tokens, plus every service behind the gateway',
      serve: mergeOpenapi,
    },
    beforeAuth: async (app) => {
      await app.register(securityHeaders, {
        // Served over plain http on a developer's machine: upgrading would break every asset.
        contentSecurityPolicy: { directives: { upgradeInsecureRequests: null } },
      });
      await app.register(cors, {
        origin: config.CORS_ORIGINS.length ? config.CORS_ORIGINS : false,
        methods: ['GET', 'HEAD', 'POST', 'PATCH', 'PUT', 'DELETE'],
        allowedHeaders: ['authorization', 'content-type', 'idempotency-key', 'x-idempotency-key', 'x-request-id'],
        exposedHeaders: ['x-request-id', 'ratelimit-limit', 'ratelimit-remaining', 'ratelimit-reset', 'retry-after', 'idempotent-replayed'],
        maxAge: 600,
      });
      rateLimits = await registerRateLimits(app, { config, kv: deps.kv, verifier, logger: deps.logger });
    },
  });

  app.get('/.well-known/jwks.json', { schema: { hide: true } }, async (_request, reply) =>
    reply.header('cache-control', 'public, max-age=300').send(jwks(keys.publicKeyPem)),
  );

  await app.register(authRoutes, {
    auth,
    loginThrottle: rateLimits?.loginThrottle ?? { assertAllowed: async () => undefined, recordFailure: async () => undefined },
  });
  await app.register(usersRoutes, {
    users: createUsersService({ db: deps.db, clock: deps.clock, users }),
  });

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    staticCSP: true,
    // Plain http on a developer's machine, and Swagger UI sets a few inline styles.
    transformStaticCSP: (header) =>
      header.replace(/upgrade-insecure-requests;?/, '').replace("style-src 'self' https:", "style-src 'self' https: 'unsafe-inline'"),
    uiConfig: { deepLinking: true, persistAuthorization: true },
    uiHooks: {
      // The UI loads ./json: answer it with the merged document rather than the gateway's own.
      preHandler: async (request: FastifyRequest, reply: FastifyReply) => {
        if (request.url.split('?')[0]?.endsWith('/json')) return reply.send(await mergeOpenapi(app.swagger()));
      },
    },
  });

  await registerProxy(app, {
    routes: proxyRoutes(upstreams, { embedded: config.EMBEDDED_MODE }),
    timeoutMs: config.UPSTREAM_TIMEOUT_MS,
    bodyLimitBytes: config.BODY_LIMIT_BYTES,
  });
  await app.register(webRoutes, { distDir: config.WEB_DIST_DIR ?? defaultWebDist });

  return Object.assign(app, { auth, rateLimits }) as GatewayApp;
}
