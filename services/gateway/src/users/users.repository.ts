import type { Db, Queryable } from '@aerofly/platform';
import type { Role } from '@aerofly/contracts';

export type User = { id: string; email: string; name: string; role: Role; createdAt: Date };
export type UserWithPassword = User & { passwordHash: string };

const columns = `id, email, name, role, created_at AS "createdAt"`;

export function createUsersRepository(db: Db) {
  return {
    /** Inserts the user unless the email is taken (unique index); null when it is. */
    async insert(
      user: { id: string; email: string; name: string; passwordHash: string; role: Role; now: Date },
      tx: Queryable = db,
    ): Promise<User | null> {
      const { rows } = await tx.query<User>(
        `INSERT INTO gateway.users (id, email, name, password_hash, role, created_at, updated_at)
         VALUES ($1, $2, $3, $4, $5, $6, $6)
         ON CONFLICT (email) DO NOTHING
         RETURNING ${columns}`,
        [user.id, user.email, user.name, user.passwordHash, user.role, user.now],
      );
      return rows[0] ?? null;
    },

    async findByEmailWithPassword(email: string): Promise<UserWithPassword | null> {
      const { rows } = await db.query<UserWithPassword>(
        `SELECT ${columns}, password_hash AS "passwordHash" FROM gateway.users WHERE email = $1`,
        [email],
      );
      return rows[0] ?? null;
    },

    async findById(id: string, tx: Queryable = db): Promise<User | null> {
      const { rows } = await tx.query<User>(`SELECT ${columns} FROM gateway.users WHERE id = $1`, [id]);
      return rows[0] ?? null;
    },

    async findByEmail(email: string): Promise<User | null> {
      const { rows } = await db.query<User>(`SELECT ${columns} FROM gateway.users WHERE email = $1`, [email]);
      return rows[0] ?? null;
    },

    async hasAdmin(): Promise<boolean> {
      const { rows } = await db.query(`SELECT 1 FROM gateway.users WHERE role = 'admin' LIMIT 1`);
      return rows.length > 0;
    },

    /** Serialises role changes, so two admins demoting each other at once cannot leave none. */
    async lockRoles(tx: Queryable): Promise<void> {
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext('aerofly:gateway:roles'))`);
    },

    /**
     * Sets the role; refuses (null) to demote the last admin. Run under `lockRoles`.
     * Returns undefined when no such user exists.
     */
    async updateRole(id: string, role: Role, now: Date, tx: Queryable): Promise<User | null | undefined> {
      const { rows } = await tx.query<User>(
        `UPDATE gateway.users SET role = $2, updated_at = $3
          WHERE id = $1
            AND ($2 = 'admin' OR role <> 'admin'
                 OR EXISTS (SELECT 1 FROM gateway.users other WHERE other.role = 'admin' AND other.id <> $1))
          RETURNING ${columns}`,
        [id, role, now],
      );
      if (rows[0]) return rows[0];
      return (await this.findById(id, tx)) ? null : undefined;
    },

    /** Newest first, keyset-paginated on (created_at, id). */
    async list(options: {
      limit: number;
      after?: { createdAt: Date; id: string } | undefined;
      role?: Role | undefined;
      email?: string | undefined;
    }) {
      const params: unknown[] = [options.limit + 1];
      const where: string[] = [];
      if (options.after) {
        params.push(options.after.createdAt, options.after.id);
        where.push(`(created_at, id) < ($${params.length - 1}, $${params.length}::uuid)`);
      }
      if (options.role) {
        params.push(options.role);
        where.push(`role = $${params.length}`);
      }
      if (options.email) {
        params.push(`%${options.email.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        where.push(`email LIKE $${params.length}`);
      }
      const { rows } = await db.query<User>(
        `SELECT ${columns} FROM gateway.users ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC LIMIT $1`,
        params,
      );
      return { users: rows.slice(0, options.limit), hasMore: rows.length > options.limit };
    },
  };
}
export type UsersRepository = ReturnType<typeof createUsersRepository>;
