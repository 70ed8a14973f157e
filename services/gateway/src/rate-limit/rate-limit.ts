import rateLimit, { normalizeIP } from '@fastify/rate-limit';
import { AppError, type App, type Kv, type Logger, type RedisKv, type TokenVerifier } from '@aerofly/platform';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { LoginThrottle } from '../auth/auth.routes.js';
import type { GatewayConfig } from '../config.js';
import { createCounterStore, type CounterStore } from './counter-store.js';

type Policy = 'global' | 'auth' | 'bookings' | 'payments';
type Limit = { max: number; windowSeconds: number };

/** Health and metrics probes come from the platform, not from clients. */
const unlimitedPaths = new Set(['/health', '/ready', '/metrics']);
const authPaths = new Set(['/api/v1/auth/signup', '/api/v1/auth/login', '/api/v1/auth/refresh']);
const bookingsPath = /^\/api\/v1\/bookings\/?$/;
const paymentsPath = /^\/api\/v1\/bookings\/[^/]+\/payments\/?$/;

export function policyFor(method: string, url: string): Policy | null {
  const path = url.split('?')[0] ?? url;
  if (unlimitedPaths.has(path)) return null;
  if (method === 'POST') {
    if (authPaths.has(path.replace(/\/$/, ''))) return 'auth';
    if (bookingsPath.test(path)) return 'bookings';
    if (paymentsPath.test(path)) return 'payments';
  }
  return 'global';
}

const bearerToken = (request: FastifyRequest): string | undefined => {
  const [scheme, token] = (request.headers.authorization ?? '').split(' ');
  return scheme?.toLowerCase() === 'bearer' && token ? token : undefined;
};

export type RateLimits = { loginThrottle: LoginThrottle; store: CounterStore | undefined };

/**
 * Rate limits for everything that enters through the gateway (calls between services never do):
 * per client IP on sign-up/login/refresh and in general, per signed-in user on booking creation
 * and payment, plus a count of failed logins per IP. Counters live in Redis when the kv is Redis
 * and fall back to this instance's memory while Redis is down.
 */
export async function registerRateLimits(
  app: App,
  options: { config: Readonly<GatewayConfig>; kv: Kv; verifier: TokenVerifier; logger: Logger },
): Promise<RateLimits> {
  const { config } = options;
  if (config.RATE_LIMITS === 'off') {
    return { loginThrottle: { assertAllowed: async () => undefined, recordFailure: async () => undefined }, store: undefined };
  }

  const store = createCounterStore({
    redis: options.kv.kind === 'redis' ? (options.kv as RedisKv).client : undefined,
    logger: options.logger,
    retryMs: config.RATE_LIMIT_REDIS_RETRY_MS,
  });
  // Adapts our counters to the plugin's store interface (callback style).
  class Store {
    incr(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      store.incr(key, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }
    read(key: string, callback: (error: Error | null, result?: { current: number; ttl: number }) => void, timeWindow: number) {
      store.read(key, timeWindow).then(
        (result) => callback(null, result),
        (error: unknown) => callback(error instanceof Error ? error : new Error(String(error))),
      );
    }
    child() {
      return this;
    }
  }

  await app.register(rateLimit, {
    global: false,
    store: Store,
    enableDraftSpec: true,
    // The store never fails (it falls back to memory); a bug there must not take the API down.
    skipOnError: true,
    errorResponseBuilder: (_request, context) =>
      new AppError('RATE_LIMITED', `Too many requests; try again in ${context.after}`, {
        headers: { 'retry-after': String(Math.max(1, Math.ceil(context.ttl / 1000))) },
      }),
  });
  app.addHook('onClose', async () => store.close());

  // An IPv6 client usually owns a whole /56 or /64: count the prefix, or each address would get its own limit.
  const clientKey = (request: FastifyRequest) => normalizeIP(request.ip, 56);
  const ipKey = (policy: Policy) => (request: FastifyRequest) => `${policy}:ip:${clientKey(request)}`;
  const userKey = (policy: Policy) => async (request: FastifyRequest) => {
    const token = bearerToken(request);
    if (token) {
      try {
        return `${policy}:user:${(await options.verifier.verifyUser(token)).id}`;
      } catch {
        // Not a valid token: the service will answer 401; count it against the address.
      }
    }
    return `${policy}:ip:${clientKey(request)}`;
  };
  const limits: Record<Policy, Limit> = {
    global: { max: config.RATE_LIMIT_GLOBAL_MAX, windowSeconds: config.RATE_LIMIT_GLOBAL_WINDOW_SECONDS },
    auth: { max: config.RATE_LIMIT_AUTH_MAX, windowSeconds: config.RATE_LIMIT_AUTH_WINDOW_SECONDS },
    bookings: { max: config.RATE_LIMIT_BOOKINGS_MAX, windowSeconds: config.RATE_LIMIT_BOOKINGS_WINDOW_SECONDS },
    payments: { max: config.RATE_LIMIT_PAYMENTS_MAX, windowSeconds: config.RATE_LIMIT_PAYMENTS_WINDOW_SECONDS },
  };
  const handler = (policy: Policy, keyGenerator: (request: FastifyRequest) => string | Promise<string>) =>
    app.rateLimit({ max: limits[policy].max, timeWindow: limits[policy].windowSeconds * 1000, keyGenerator }) as unknown as (
      request: FastifyRequest,
      reply: FastifyReply,
    ) => Promise<void>;
  const handlers: Record<Policy, (request: FastifyRequest, reply: FastifyReply) => Promise<void>> = {
    global: handler('global', ipKey('global')),
    auth: handler('auth', ipKey('auth')),
    bookings: handler('bookings', userKey('bookings')),
    payments: handler('payments', userKey('payments')),
  };

  // One policy per request, chosen by path, before authentication so every answer (401s too) counts and carries the headers.
  app.addHook('onRequest', async (request, reply) => {
    const policy = policyFor(request.method, request.url);
    if (policy) await handlers[policy](request, reply);
  });

  const failureWindowMs = config.RATE_LIMIT_LOGIN_FAILURES_WINDOW_SECONDS * 1000;
  const failureKey = (request: FastifyRequest) => `login-failures:ip:${clientKey(request)}`;
  return {
    store,
    loginThrottle: {
      async assertAllowed(request) {
        const { current, ttl } = await store.read(failureKey(request), failureWindowMs);
        if (current >= config.RATE_LIMIT_LOGIN_FAILURES_MAX) {
          const seconds = Math.max(1, Math.ceil(ttl / 1000));
          throw new AppError('RATE_LIMITED', `Too many failed sign-ins; try again in ${seconds} seconds`, {
            headers: { 'retry-after': String(seconds) },
          });
        }
      },
      async recordFailure(request) {
        await store.incr(failureKey(request), failureWindowMs);
      },
    },
  };
}
