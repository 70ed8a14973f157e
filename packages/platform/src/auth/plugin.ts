import type { FastifyInstance, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';
import { AppError } from '../errors.js';
import type { Caller, ServiceCaller, TokenVerifier, UserCaller } from './tokens.js';

/** Who may call a route. Set per route as `config: { auth: 'user' }`; default is public. */
export type AuthRequirement = 'public' | 'optional' | 'user' | 'admin' | 'service';

declare module 'fastify' {
  interface FastifyContextConfig {
    auth?: AuthRequirement;
  }
  interface FastifyRequest {
    caller: Caller | undefined;
  }
}

const bearer = (request: FastifyRequest): string | undefined => {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const [scheme, token] = header.split(' ');
  if (scheme?.toLowerCase() !== 'bearer' || !token) throw new AppError('UNAUTHENTICATED', 'Use an Authorization: Bearer token');
  return token;
};

/** Checks the route's `auth` requirement before validation, so a stranger gets 401 rather than 400. */
export const authPlugin = fp(
  async (app: FastifyInstance, options: { verifier: TokenVerifier }) => {
    app.decorateRequest('caller', undefined);
    app.addHook('onRequest', async (request) => {
      const requirement = request.routeOptions.config.auth ?? 'public';
      if (requirement === 'public') return;
      const token = bearer(request);
      if (!token) {
        if (requirement === 'optional') return;
        throw new AppError('UNAUTHENTICATED');
      }
      if (requirement === 'service') {
        request.caller = await options.verifier.verifyService(token);
        return;
      }
      const user = await options.verifier.verifyUser(token);
      request.caller = user;
      if (requirement === 'admin' && user.role !== 'admin') throw new AppError('FORBIDDEN', 'This needs the admin role');
    });
  },
  { name: 'aerofly-auth' },
);

/** The signed-in user of a route declared with `auth: 'user' | 'admin'`. */
export function requireUser(request: FastifyRequest): UserCaller {
  const caller = request.caller;
  if (caller?.kind !== 'user') throw new AppError('UNAUTHENTICATED');
  return caller;
}

export function requireService(request: FastifyRequest): ServiceCaller {
  const caller = request.caller;
  if (caller?.kind !== 'service') throw new AppError('UNAUTHENTICATED');
  return caller;
}
