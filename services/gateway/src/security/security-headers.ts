import type { IncomingMessage, ServerResponse } from 'node:http';
import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import helmet, { type HelmetOptions } from 'helmet';

/**
 * The headers helmet would set for `options`, computed once. They depend on the options only, never
 * on the request, so the gateway sets this one object on every answer instead of building helmet's
 * middleware for each request as @fastify/helmet does (measurable on the proxy's hot path).
 */
export function securityHeadersFor(options: HelmetOptions): Record<string, string> {
  const headers: Record<string, string> = {};
  const response = {
    setHeader: (name: string, value: unknown) => void (headers[name.toLowerCase()] = String(value)),
    removeHeader: (name: string) => void delete headers[name.toLowerCase()],
  };
  let failure: unknown;
  helmet(options)({ headers: {} } as IncomingMessage, response as unknown as ServerResponse, (error?: unknown) => (failure = error));
  if (failure) throw failure instanceof Error ? failure : new Error(String(failure));
  return headers;
}

/** Sets helmet's headers on every answer; a route (Swagger UI) may still replace one of them. */
export const securityHeaders = fp(
  async (app: FastifyInstance, options: HelmetOptions) => {
    const headers = securityHeadersFor(options);
    app.addHook('onRequest', (_request, reply, done) => {
      reply.headers(headers);
      done();
    });
  },
  { name: 'aerofly-security-headers' },
);
