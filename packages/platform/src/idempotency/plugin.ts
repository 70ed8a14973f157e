import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import { canonicalJson, sha256, type EarlierOutcome, type IdempotencyStore, type StoredResponse } from './store.js';

/** `required`: create booking, pay. `optional`: every other mutating customer route. */
export type IdempotencyMode = 'required' | 'optional';

declare module 'fastify' {
  interface FastifyContextConfig {
    idempotency?: IdempotencyMode;
    /**
     * A cheap check run after validation and before the key is claimed. What it throws is answered
     * without a record, like a 400: it changed nothing, so a retry simply asks again.
     */
    refuseBeforeClaim?: (request: FastifyRequest) => void;
  }
  interface FastifyRequest {
    /**
     * The claim of a keyed request while it runs. `resourceId` is the id to create its resource
     * under, `rerun` says an earlier run with this key may have created it already (see ClaimResult).
     */
    idempotencyClaim: { scope: string; token: string; requestHash: string; resourceId: string; rerun: boolean } | undefined;
  }
}

const printable = /^[\x20-\x7e]{1,255}$/;
const replayedHeaders = ['content-type', 'location'];

function readKey(request: FastifyRequest): string | undefined {
  const raw = request.headers['idempotency-key'] ?? request.headers['x-idempotency-key'];
  const key = Array.isArray(raw) ? raw[0] : raw;
  if (key === undefined) return undefined;
  if (!printable.test(key)) {
    throw new AppError('VALIDATION_FAILED', 'Idempotency-Key must be 1 to 255 printable characters', {
      errors: [{ field: 'Idempotency-Key', message: 'must be 1 to 255 printable characters' }],
    });
  }
  return key;
}

/**
 * DESIGN.md §4: which outcomes are kept for replay. Kept: every completed outcome (2xx, 402,
 * 404, business 409s, 422 AMOUNT_MISMATCH). Not kept, so a retry runs again: 400, 401, 403, 409
 * IDEMPOTENCY_KEY_IN_USE, 422 IDEMPOTENCY_KEY_MISMATCH, 429, 5xx, and any answer that carries
 * `Retry-After` (it says "not settled yet, ask again").
 */
export function isStoredOutcome(statusCode: number, code: string | undefined, hasRetryAfter: boolean): boolean {
  if (hasRetryAfter) return false;
  if (statusCode >= 200 && statusCode < 300) return true;
  if (statusCode === 402 || statusCode === 404) return true;
  if (statusCode === 409) return code !== 'IDEMPOTENCY_KEY_IN_USE';
  if (statusCode === 422) return code === 'AMOUNT_MISMATCH';
  return false;
}

const problemCode = (payload: unknown): string | undefined => {
  if (typeof payload !== 'string') return undefined;
  try {
    return (JSON.parse(payload) as { code?: string }).code;
  } catch {
    return undefined;
  }
};

function replay(reply: FastifyReply, response: StoredResponse) {
  for (const [name, value] of Object.entries(response.headers)) reply.header(name, value);
  return reply.header('idempotent-replayed', 'true').status(response.statusCode).send(response.body);
}

/**
 * Idempotency keys for the routes that set `config: { idempotency: 'required' | 'optional' }`.
 * Scope: (caller, method, concrete path, key) plus a hash of the canonical body. Register after
 * the auth plugin; the claim happens after validation, so a 400 never takes a key.
 */
export const idempotencyPlugin = fp(
  async (app: FastifyInstance, options: { store: IdempotencyStore }) => {
    app.decorateRequest('idempotencyClaim', undefined);

    app.addHook('preHandler', async (request, reply) => {
      const { idempotency: mode, refuseBeforeClaim } = request.routeOptions.config;
      if (!mode) return;
      const key = readKey(request);
      if (key === undefined) {
        if (mode === 'required') throw new AppError('IDEMPOTENCY_KEY_REQUIRED');
        return;
      }
      const userId = request.caller?.id ?? 'anonymous';
      const path = request.url.split('?')[0] ?? request.url;
      const scope = sha256(JSON.stringify([userId, request.method, path, key]));
      const requestHash = sha256(canonicalJson(request.body ?? null));
      try {
        refuseBeforeClaim?.(request);
      } catch (refusal) {
        // A retry of a request that already ran gets its stored answer, never the quick refusal.
        const earlier = await options.store.peek(scope, requestHash);
        if (!earlier) throw refusal;
        return answerWith(earlier);
      }
      const result = await options.store.claim(scope, requestHash, { userId, method: request.method, path });
      if (result.kind === 'claimed') {
        request.idempotencyClaim = { scope, token: result.token, requestHash, resourceId: result.resourceId, rerun: result.rerun };
        return;
      }
      return answerWith(result);

      function answerWith(result: EarlierOutcome) {
        switch (result.kind) {
          case 'replay':
            return replay(reply, result.response);
          case 'mismatch':
            throw new AppError('IDEMPOTENCY_KEY_MISMATCH', 'This Idempotency-Key was already used with a different request body');
          case 'in-use':
            throw new AppError('IDEMPOTENCY_KEY_IN_USE', 'A request with this Idempotency-Key is still running; retry shortly', {
              headers: { 'retry-after': '1' },
            });
        }
      }
    });

    app.addHook('onSend', async (request, reply, payload) => {
      const claim = request.idempotencyClaim;
      if (!claim) return payload;
      request.idempotencyClaim = undefined;
      const code = reply.statusCode >= 400 ? problemCode(payload) : undefined;
      try {
        if (isStoredOutcome(reply.statusCode, code, reply.hasHeader('retry-after')) && typeof payload === 'string') {
          const headers: Record<string, string> = {};
          for (const name of replayedHeaders) {
            const value = reply.getHeader(name);
            if (value !== undefined) headers[name] = String(value);
          }
          await options.store.complete(claim.scope, claim.token, claim.requestHash, {
            statusCode: reply.statusCode,
            headers,
            body: payload,
          });
        } else {
          await options.store.abandon(claim.scope, claim.token, claim.requestHash);
        }
      } catch (error) {
        // The answer is already decided; without its record a retry runs again, which the domain's
        // own guards (the payment attempt's unique index) make safe.
        request.log.error({ err: error }, 'could not record the idempotency outcome');
      }
      return payload;
    });
  },
  { name: 'aerofly-idempotency', dependencies: ['aerofly-auth'] },
);
