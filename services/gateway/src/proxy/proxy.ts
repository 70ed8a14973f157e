import httpProxy from '@fastify/http-proxy';
import { AppError, createUpstreamBalancer, sendProblem, type App } from '@aerofly/platform';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export type ProxyRoute = { prefix: string; upstream: string; service: string };

/** Where each public path lives. Paths are forwarded unchanged: services serve the same paths. */
export function proxyRoutes(
  urls: { flights: string; bookings: string; notifications: string },
  options: { embedded: boolean },
): ProxyRoute[] {
  const routes: ProxyRoute[] = [
    ...['/api/v1/cities', '/api/v1/airports', '/api/v1/airplanes', '/api/v1/flights', '/api/v1/admin/inventory'].map((prefix) => ({
      prefix,
      upstream: urls.flights,
      service: 'flights',
    })),
    ...['/api/v1/bookings', '/api/v1/admin/bookings'].map((prefix) => ({ prefix, upstream: urls.bookings, service: 'bookings' })),
    { prefix: '/api/v1/admin/notifications', upstream: urls.notifications, service: 'notifications' },
  ];
  // The dev mailbox shows every email sent; it exists only on a developer's machine.
  if (options.embedded) routes.push({ prefix: '/dev/mailbox', upstream: urls.notifications, service: 'notifications' });
  return routes;
}

/** RFC 9110 §7.6.1: meaningful for one connection only, never forwarded. */
const hopByHop = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

/** A copy of `headers` without the hop-by-hop ones, including those the Connection header names. */
function withoutHopByHop<T extends Record<string, unknown>>(headers: T): T {
  const connection = headers['connection'];
  const named = connection
    ? new Set(
        String(connection)
          .toLowerCase()
          .split(',')
          .map((name) => name.trim()),
      )
    : undefined;
  const copy: Record<string, unknown> = {};
  for (const name in headers) {
    if (!hopByHop.has(name) && !named?.has(name)) copy[name] = headers[name];
  }
  return copy as T;
}

/**
 * Forwards each route prefix to its service over keep-alive connections (undici pool), with the
 * request id, an upstream timeout, and problem+json when the service is down (502) or slow (504).
 */
export async function registerProxy(app: App, options: { routes: ProxyRoute[]; timeoutMs: number; bodyLimitBytes: number }) {
  // Proxied bodies stream through untouched, so the body limit is checked on the declared length here;
  // each service also enforces its own limit on what it reads.
  const checkBodyLength = async (request: FastifyRequest) => {
    const length = Number(request.headers['content-length'] ?? 0);
    if (length > options.bodyLimitBytes) throw new AppError('PAYLOAD_TOO_LARGE', `The body may be at most ${options.bodyLimitBytes} bytes`);
  };

  await app.register(async (scope) => {
    // The services document these paths themselves; the merged document takes theirs.
    scope.addHook('onRoute', (route) => {
      route.schema = { ...(route.schema ?? {}), hide: true };
    });
    for (const route of options.routes) await registerOne(scope, route);
  });

  async function registerOne(app: FastifyInstance, route: ProxyRoute) {
    // `upstream` may list several instances (FLIGHTS_URL=http://a,http://b): round-robin per request,
    // and an instance that refused a connection is skipped for a moment.
    const upstreams = createUpstreamBalancer(route.upstream);
    const chosen = new WeakMap<object, string>();
    await app.register(httpProxy, {
      // With several instances the origin comes from getUpstream per request (an empty upstream
      // keeps reply-from from pinning every request to one origin).
      upstream: upstreams.urls.length > 1 ? '' : upstreams.urls[0]!,
      prefix: route.prefix,
      rewritePrefix: route.prefix,
      undici: {
        connections: 64,
        pipelining: 1,
        keepAliveTimeout: 30_000,
        headersTimeout: options.timeoutMs,
        bodyTimeout: options.timeoutMs,
      },
      retryMethods: [],
      httpMethods: ['DELETE', 'GET', 'HEAD', 'PATCH', 'POST', 'PUT', 'OPTIONS'],
      preHandler: checkBodyLength,
      replyOptions: {
        ...(upstreams.urls.length > 1
          ? {
              getUpstream: (request: object) => {
                const url = upstreams.next();
                chosen.set(request, url);
                return url;
              },
            }
          : {}),
        timeout: options.timeoutMs,
        rewriteRequestHeaders: (request, headers) => {
          const forwarded = withoutHopByHop(headers);
          forwarded['x-request-id'] = request.id;
          // The client as the gateway sees it (X-Forwarded-For only believed from a trusted proxy).
          forwarded['x-forwarded-for'] = request.ip;
          forwarded['x-forwarded-proto'] = request.protocol;
          return forwarded;
        },
        rewriteHeaders: (headers) => withoutHopByHop(headers),
        onError: (reply, { error }) => {
          const failure = error as Error & { statusCode?: number; code?: string };
          const timedOut = failure.statusCode === 504 || failure.code === 'FST_REPLY_FROM_GATEWAY_TIMEOUT';
          const refused = (failure.cause as { code?: string } | undefined)?.code === 'ECONNREFUSED';
          if (refused) upstreams.markDown(chosen.get(reply.request) ?? upstreams.urls[0]!);
          reply.request.log.warn({ err: error, upstream: route.service }, 'upstream failed');
          void sendProblem(
            reply.request as FastifyRequest,
            reply as FastifyReply,
            timedOut
              ? new AppError('UPSTREAM_TIMEOUT', `The ${route.service} service did not answer in time`)
              : new AppError('UPSTREAM_UNAVAILABLE', `The ${route.service} service is unavailable`),
          );
        },
      },
    });
  }
}
