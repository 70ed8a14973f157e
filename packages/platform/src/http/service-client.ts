import type { ErrorCode } from '@aerofly/contracts';
import { errorCodes } from '@aerofly/contracts';
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

/**
 * Calls another service's internal routes with a service token and the current request id.
 * A problem answer from the other side is rethrown as the same `AppError` code; an unreachable
 * service is `UPSTREAM_UNAVAILABLE`, a slow one `UPSTREAM_TIMEOUT`.
 */
export function createServiceClient(options: {
  baseUrl: string;
  audience: string;
  signer: ServiceTokenSigner;
  timeoutMs?: number;
}): ServiceClient {
  // `baseUrl` may list several instances ("http://a,http://b"): requests go round-robin, and a
  // refused connection (nothing was sent) moves on to the next instance.
  const upstreams = createUpstreamBalancer(options.baseUrl);
  return {
    async request(method, path, { body, response, timeoutMs }) {
      const token = await options.signer.tokenFor(options.audience);
      const requestId = currentRequestId();
      const send = (baseUrl: string) =>
        fetch(`${baseUrl}${path}`, {
          method,
          headers: {
            authorization: `Bearer ${token}`,
            ...(body === undefined ? {} : { 'content-type': 'application/json' }),
            ...(requestId ? { 'x-request-id': requestId } : {}),
          },
          ...(body === undefined ? {} : { body: JSON.stringify(body) }),
          signal: AbortSignal.timeout(timeoutMs ?? options.timeoutMs ?? 5000),
        });
      let answer: Response | undefined;
      try {
        for (let attempt = 1; !answer; attempt += 1) {
          const baseUrl = upstreams.next();
          try {
            answer = await send(baseUrl);
          } catch (error) {
            if (!isConnectionRefused(error) || attempt >= upstreams.urls.length) throw error;
            upstreams.markDown(baseUrl);
          }
        }
      } catch (error) {
        const name = (error as Error).name;
        if (name === 'TimeoutError' || name === 'AbortError') {
          throw new AppError('UPSTREAM_TIMEOUT', `${options.audience} did not answer in time`, { cause: error });
        }
        throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience} is unreachable`, { cause: error });
      }
      const text = await answer.text();
      const json: unknown = text ? JSON.parse(text) : undefined;
      if (!answer.ok) {
        const code = (json as { code?: string } | undefined)?.code;
        const detail = (json as { detail?: string } | undefined)?.detail;
        if (code && knownCodes.has(code) && answer.status < 500) throw new AppError(code as ErrorCode, detail);
        if (answer.status === 503 || answer.status === 502)
          throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience}: ${detail ?? answer.status}`);
        if (answer.status === 504) throw new AppError('UPSTREAM_TIMEOUT', `${options.audience}: ${detail ?? answer.status}`);
        throw new AppError('UPSTREAM_UNAVAILABLE', `${options.audience} answered ${answer.status}`);
      }
      return response.parse(json);
    },
  };
}
