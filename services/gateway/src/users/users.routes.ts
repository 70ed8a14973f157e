import { AdminUser, AdminUserPage, AdminUsersQuery, Problem, UpdateUserRequest } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import { z } from 'zod';
import type { UsersService } from './users.service.js';

const tags = ['admin: users'];
const security = [{ bearerAuth: [] }];
const Params = z.strictObject({ id: z.uuid() });
const problems = { 400: Problem, 401: Problem, 403: Problem, 404: Problem };

export async function usersRoutes(app: App, options: { users: UsersService }) {
  const { users } = options;

  app.get(
    '/api/v1/admin/users',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: 'List accounts, newest first',
        security,
        querystring: AdminUsersQuery,
        response: { 200: AdminUserPage, ...problems },
      },
    },
    async (request) => users.list(request.query),
  );

  app.get(
    '/api/v1/admin/users/:id',
    {
      config: { auth: 'admin' },
      schema: { tags, summary: 'One account', security, params: Params, response: { 200: z.object({ user: AdminUser }), ...problems } },
    },
    async (request) => ({ user: await users.get(request.params.id) }),
  );

  app.patch(
    '/api/v1/admin/users/:id',
    {
      config: { auth: 'admin' },
      schema: {
        tags,
        summary: "Change an account's role",
        description: 'The new role is in access tokens issued from the next sign-in or refresh (at most 15 minutes).',
        security,
        params: Params,
        body: UpdateUserRequest,
        response: { 200: z.object({ user: AdminUser }), ...problems, 409: Problem },
      },
    },
    async (request) => ({ user: await users.changeRole(request.params.id, request.body.role) }),
  );
}
