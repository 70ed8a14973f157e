import type { ErrorCode } from '@aerofly/contracts';
import { errorCodes } from '@aerofly/contracts';
import { Agent, request as send } from 'undici';
import type { z } from 'zod';
import type { ServiceTokenSigner } from '../auth/tokens.js';
import { currentRequestId } from '../context.js';
import { AppError } from '../errors.js';
import { createUpstreamBalancer, isConnectionRefused } from './upstreams.js';

export * from './upstreams.js';

export type ServiceClient = {
  request<S extends z.ZodType>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    options: { body?: unknown; response: S; timeoutMs?: number },
  ): Promise<z.infer<S>>;
};

const knownCodes = new Set<string>(errorCodes);

const timeoutCodes = new Set(['UND_ERR_HEADERS_TIMEOUT', 'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CONNECT_TIMEOUT']);

/**
 * Calls another service's internal routes with a service token and the current request id, over
 * keep-alive connections of its own (undici's `request`: the global `fetch` costs several times
 * more CPU per call, which shows on the booking path). A problem answer from the other side is
 * rethrown as the same `AppError` code; an unreachable service is `UPSTREAM_UNAVAILABLE`, a slow
 * one `UPSTREAM_TIMEOUT`.
 */
export function createServiceClient(options: {
  baseUrl: string;
  audience: string;
  signer: ServiceTokenSigner;
  timeoutMs?: number;
  /** Open connections per instance called (default 64). */
  connections?: number;
}): ServiceClient {
  // `baseUrl` may list several instances ("http://a,http://b"): requests go round-robin, and a
  // refused connection (nothing was sent) moves on to the next instance.
  const upstreams = createUpstreamBalancer(options.baseUrl);
  const dispatcher = new Agent({ connections: options.connections ?? 64, pipelining: 1, keepAliveTimeout: 30_000 });
  return {
    async request(method, path, { body, response, timeoutMs }) {
      const token = await options.signer.tokenFor(options.audience);
      const requestId = currentRequestId();
      const timeout = timeoutMs ?? options.timeoutMs ?? 5000;
      const headers: Record<string, string> = { authorization: `Bearer ${token}` };
      if (body !== undefined) headers['content-type'] = 'application/json';
      if (requestId) headers['x-request-id'] = requestId;
      const payload = body === undefined ? null : JSON.stringify(body);
      let status = 0;
      let text = '';
      try {
        for (let attempt = 1; status === 0; attempt += 1) {
          const baseUrl = upstreams.next();
          try {
            const answer = await send(`${baseUrl}${path}`, {
              method,
              headers,
              body: payload,
              dispatcher,
              // undici's own headers/body timeouts tick at about a second; the signal is exact.
              signal: AbortSignal.timeout(timeout),
            });
            text = await answer.body.text();
            status = answer.statusCode;
          } catch (error) {
            if (!isConnectionRefused(error) || attempt >= upstreams.urls.length) throw error;
            upstreams.markDown(baseUrl);
          }
        }
      } catch (error) {
        const failure = error as { name?: string; code?: string };
        if (timeoutCodes.has(failure.code ?? '') || failure.name === 'TimeoutError' || failure.name === 'AbortError') {
          throw new AppError('UPSTREAM_TIMEOUT', `${options.audience} did not answer in time`, { cause: error });
        }
        throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience} is unreachable`, { cause: error });
      }
      const json: unknown = text ? JSON.parse(text) : undefined;
      if (status >= 400) {
        const code = (json as { code?: string } | undefined)?.code;
        const detail = (json as { detail?: string } | undefined)?.detail;
        if (code && knownCodes.has(code) && status < 500) throw new AppError(code as ErrorCode, detail);
        if (status === 503 || status === 502) throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience}: ${detail ?? status}`);
        if (status === 504) throw new AppError('UPSTREAM_TIMEOUT', `${options.audience}: ${detail ?? status}`);
        throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience} answered ${status}`);
      }
      return response.parse(json);
    },
  };
}
