import type { Role } from '@aerofly/contracts';
import { AppError, type Clock, type Db } from '@aerofly/platform';
import type { User, UsersRepository } from './users.repository.js';

const encodeCursor = (user: User) => Buffer.from(JSON.stringify([user.createdAt.toISOString(), user.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const at = new Date(createdAt);
    if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) throw new Error('bad cursor');
    return { createdAt: at, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor: is not valid', { errors: [{ field: 'cursor', message: 'is not valid' }] });
  }
}

const view = (user: User) => ({
  id: user.id,
  email: user.email,
  name: user.name,
  role: user.role,
  createdAt: user.createdAt.toISOString(),
});

export function createUsersService(deps: { db: Db; clock: Clock; users: UsersRepository }) {
  const { db, clock, users } = deps;
  return {
    async list(query: { limit: number; cursor?: string | undefined; role?: Role | undefined; email?: string | undefined }) {
      const page = await users.list({
        limit: query.limit,
        after: query.cursor ? decodeCursor(query.cursor) : undefined,
        role: query.role,
        email: query.email,
      });
      const last = page.users.at(-1);
      return { items: page.users.map(view), nextCursor: page.hasMore && last ? encodeCursor(last) : null };
    },

    async get(id: string) {
      const user = await users.findById(id);
      if (!user) throw new AppError('NOT_FOUND', 'No such user');
      return view(user);
    },

    /** Roles change only here. The last admin cannot be demoted, or nobody could manage the system. */
    async changeRole(id: string, role: Role) {
      const updated = await db.transaction(async (tx) => {
        await users.lockRoles(tx);
        return users.updateRole(id, role, clock.now(), tx);
      });
      if (updated === undefined) throw new AppError('NOT_FOUND', 'No such user');
      if (updated === null) throw new AppError('RESOURCE_IN_USE', 'This is the last admin; make someone else admin first');
      return view(updated);
    },
  };
}
export type UsersService = ReturnType<typeof createUsersService>;
