import { AuthResponse, LoginRequest, LogoutRequest, MeResponse, Problem, RefreshRequest, SignupRequest } from '@aerofly/contracts';
import { isAppError, requireUser, type App } from '@aerofly/platform';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { AuthService } from './auth.service.js';

/** Counts failed logins per client; refuses further attempts once too many failed. */
export type LoginThrottle = {
  assertAllowed(request: FastifyRequest): Promise<void>;
  recordFailure(request: FastifyRequest): Promise<void>;
};

const tags = ['auth'];
const problems = { 400: Problem, 401: Problem, 409: Problem, 429: Problem };

export async function authRoutes(app: App, options: { auth: AuthService; loginThrottle: LoginThrottle }) {
  const { auth, loginThrottle } = options;

  app.post(
    '/api/v1/auth/signup',
    {
      schema: {
        tags,
        summary: 'Create a customer account and sign in',
        body: SignupRequest,
        response: { 201: AuthResponse, ...problems },
      },
    },
    async (request, reply) => reply.status(201).send(await auth.signup(request.body)),
  );

  app.post(
    '/api/v1/auth/login',
    { schema: { tags, summary: 'Sign in with email and password', body: LoginRequest, response: { 200: AuthResponse, ...problems } } },
    async (request) => {
      await loginThrottle.assertAllowed(request);
      try {
        return await auth.login(request.body);
      } catch (error) {
        if (isAppError(error) && error.code === 'INVALID_CREDENTIALS') await loginThrottle.recordFailure(request);
        throw error;
      }
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags,
        summary: 'Exchange a refresh token for a new pair (the old one stops working)',
        body: RefreshRequest,
        response: { 200: AuthResponse, ...problems },
      },
    },
    async (request) => auth.refresh(request.body.refreshToken),
  );

  app.post(
    '/api/v1/auth/logout',
    {
      config: { auth: 'user' },
      schema: {
        tags,
        summary: 'End this session (or, without a refresh token, every session)',
        security: [{ bearerAuth: [] }],
        body: LogoutRequest.optional(),
        response: { 204: z.null(), ...problems },
      },
    },
    async (request, reply) => {
      await auth.logout(requireUser(request).id, request.body?.refreshToken);
      return reply.status(204).send(null);
    },
  );

  app.get(
    '/api/v1/auth/me',
    {
      config: { auth: 'user' },
      schema: { tags, summary: 'The signed-in user', security: [{ bearerAuth: [] }], response: { 200: MeResponse, 401: Problem } },
    },
    async (request) => ({ user: await auth.me(requireUser(request).id) }),
  );
}
