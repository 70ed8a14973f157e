import { randomUUID } from 'node:crypto';
import swagger from '@fastify/swagger';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { jsonSchemaTransform, serializerCompiler, validatorCompiler, type ZodTypeProvider } from 'fastify-type-provider-zod';
import { Counter, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { authPlugin } from '../auth/plugin.js';
import type { TokenVerifier } from '../auth/tokens.js';
import { runWithRequestId } from '../context.js';
import { AppError } from '../errors.js';
import type { Logger } from '../logger.js';
import { answerClientError, sendProblem } from './problem.js';

export type ReadinessChecks = Record<string, () => Promise<void> | void>;
// Server, request and reply generics differ between listen and inject; the services only need the type provider.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type App = FastifyInstance<any, any, any, Logger, ZodTypeProvider>;

export type CreateAppOptions = {
  name: string;
  logger: Logger;
  verifier?: TokenVerifier;
  readiness?: ReadinessChecks;
  /** A check slower than this counts as down, so /ready answers quickly even when a server hangs. */
  readinessTimeoutMs?: number;
  bodyLimitBytes?: number;
  /** Trusted proxy addresses for X-Forwarded-For (gateway); services trust nobody by default. */
  trustProxy?: boolean | string | string[];
  openapi?: {
    title: string;
    description?: string;
    /** Replaces the served `/openapi.json` (the gateway merges every service's document into its own). */
    serve?: (own: unknown) => Promise<unknown>;
  };
  /** Runs before the auth hook is added, so its `onRequest` hooks run first (the gateway's rate limits). */
  beforeAuth?: (app: App) => Promise<void> | void;
  /**
   * Keep the request id in an AsyncLocalStorage so outgoing service calls forward it (default on).
   * A service that makes no such calls (the gateway forwards it itself) turns it off: the storage
   * tracks every promise of the process, which costs on the hot path.
   */
  requestContext?: boolean;
};

const requestIdPattern = /^[\w.:-]{1,128}$/;

/**
 * The Fastify app every service starts from: zod validation and serialisation, problem+json
 * errors, request ids, auth, `/health`, `/ready`, `/metrics` and an OpenAPI document at
 * `/openapi.json` generated from the route schemas.
 */
export async function createApp(options: CreateAppOptions): Promise<App> {
  const app = Fastify({
    loggerInstance: options.logger,
    bodyLimit: options.bodyLimitBytes ?? 1_048_576,
    trustProxy: options.trustProxy ?? false,
    // Refused and failed requests are logged by the error handler and timed in /metrics; Fastify's own per-request lines would double them.
    logController: new LogController({ disableRequestLogging: true }),
    genReqId: (request) => {
      const incoming = request.headers['x-request-id'];
      return typeof incoming === 'string' && requestIdPattern.test(incoming) ? incoming : randomUUID();
    },
    routerOptions: { ignoreTrailingSlash: true },
    // A URL the router refuses (a malformed escape, an over-long path part) gets problem+json like any error.
    frameworkErrors: (error, request, reply) => {
      reply.header('x-request-id', request.id);
      return sendProblem(request, reply, error);
    },
    clientErrorHandler: (error, socket) => answerClientError(error, socket, options.logger),
    ajv: { customOptions: { removeAdditional: false } },
  }).withTypeProvider<ZodTypeProvider>();

  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);

  const withContext = options.requestContext ?? true;
  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    if (withContext) runWithRequestId(request.id, done);
    else done();
  });

  const registry = new Registry();
  registry.setDefaultLabels({ service: options.name });
  collectDefaultMetrics({ register: registry });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request duration',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers: [registry],
  });
  const httpErrors = new Counter({ name: 'http_server_errors_total', help: '5xx answers', labelNames: ['route'], registers: [registry] });
  app.decorate('metrics', registry);
  app.addHook('onResponse', async (request, reply) => {
    const route = request.routeOptions.url ?? 'unmatched';
    httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    if (reply.statusCode >= 500) httpErrors.inc({ route });
  });

  app.setErrorHandler((error, request, reply) => sendProblem(request, reply, error));
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, new AppError('NOT_FOUND', `No route ${request.method} ${request.url.split('?')[0]}`)),
  );

  await app.register(swagger, {
    openapi: {
      openapi: '3.0.3',
      info: {
        title: options.openapi?.title ?? `AeroFly ${options.name}`,
        description: options.openapi?.description ?? '',
        version: '1.0.0',
      },
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' },
        },
      },
    },
    transform: jsonSchemaTransform,
  });

  if (options.beforeAuth) await options.beforeAuth(app);
  if (options.verifier) await app.register(authPlugin, { verifier: options.verifier });

  app.get('/health', { schema: { hide: true } }, async () => ({ status: 'ok', service: options.name }));

  app.get('/ready', { schema: { hide: true } }, async (_request, reply) => {
    const results = await Promise.all(
      Object.entries(options.readiness ?? {}).map(async ([name, check]) => {
        try {
          await withTimeout(Promise.resolve().then(check), options.readinessTimeoutMs ?? 1000);
          return [name, 'up'] as const;
        } catch {
          return [name, 'down'] as const;
        }
      }),
    );
    const down = results.filter(([, state]) => state === 'down').map(([name]) => name);
    return reply.status(down.length ? 503 : 200).send({
      status: down.length ? 'unavailable' : 'ready',
      service: options.name,
      checks: Object.fromEntries(results),
      ...(down.length ? { down } : {}),
    });
  });

  app.get('/metrics', { schema: { hide: true } }, async (_request, reply) =>
    reply.type(registry.contentType).send(await registry.metrics()),
  );

  const serveOpenapi = options.openapi?.serve;
  app.get('/openapi.json', { schema: { hide: true } }, async () => (serveOpenapi ? serveOpenapi(app.swagger()) : app.swagger()));

  return app;
}

declare module 'fastify' {
  interface FastifyInstance {
    metrics: Registry;
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}
