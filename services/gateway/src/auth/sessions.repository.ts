import type { Db, Queryable } from '@aerofly/platform';

export type RefreshTokenState = {
  familyId: string;
  userId: string;
  rotatedAt: Date | null;
  expiresAt: Date;
  familyRevokedAt: Date | null;
  familyRevokedReason: string | null;
};

/** Refresh-token families and their (hashed) tokens. Every state change is a conditional statement. */
export function createSessionsRepository(db: Db) {
  return {
    async createFamily(family: { id: string; userId: string; now: Date }, tx: Queryable = db): Promise<void> {
      await tx.query(`INSERT INTO gateway.refresh_families (id, user_id, created_at) VALUES ($1, $2, $3)`, [
        family.id,
        family.userId,
        family.now,
      ]);
    },

    /** Adds a token to a family that is still live; false when the family was revoked meanwhile. */
    async insertToken(
      token: { hash: string; familyId: string; userId: string; now: Date; expiresAt: Date },
      tx: Queryable = db,
    ): Promise<boolean> {
      const { rowCount } = await tx.query(
        `INSERT INTO gateway.refresh_tokens (token_hash, family_id, user_id, created_at, expires_at)
         SELECT $1, $2, $3, $4, $5
          WHERE EXISTS (SELECT 1 FROM gateway.refresh_families WHERE id = $2 AND revoked_at IS NULL)`,
        [token.hash, token.familyId, token.userId, token.now, token.expiresAt],
      );
      return rowCount === 1;
    },

    /** Marks a live, unexpired, never-rotated token as rotated. Exactly one caller wins. */
    async rotate(hash: string, now: Date, tx: Queryable = db): Promise<{ familyId: string; userId: string } | null> {
      const { rows } = await tx.query<{ familyId: string; userId: string }>(
        `UPDATE gateway.refresh_tokens t SET rotated_at = $2
           FROM gateway.refresh_families f
          WHERE t.token_hash = $1 AND f.id = t.family_id
            AND t.rotated_at IS NULL AND t.expires_at > $2 AND f.revoked_at IS NULL
          RETURNING t.family_id AS "familyId", t.user_id AS "userId"`,
        [hash, now],
      );
      return rows[0] ?? null;
    },

    async find(hash: string): Promise<RefreshTokenState | null> {
      const { rows } = await db.query<RefreshTokenState>(
        `SELECT t.family_id AS "familyId", t.user_id AS "userId", t.rotated_at AS "rotatedAt", t.expires_at AS "expiresAt",
                f.revoked_at AS "familyRevokedAt", f.revoked_reason AS "familyRevokedReason"
           FROM gateway.refresh_tokens t JOIN gateway.refresh_families f ON f.id = t.family_id
          WHERE t.token_hash = $1`,
        [hash],
      );
      return rows[0] ?? null;
    },

    async revokeFamily(familyId: string, reason: 'logout' | 'reuse', now: Date): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE gateway.refresh_families SET revoked_at = $2, revoked_reason = $3 WHERE id = $1 AND revoked_at IS NULL`,
        [familyId, now, reason],
      );
      return rowCount === 1;
    },

    /** Ends the session a token belongs to, only when it is the caller's own. */
    async revokeFamilyOfToken(userId: string, hash: string, now: Date): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE gateway.refresh_families f SET revoked_at = $3, revoked_reason = 'logout'
           FROM gateway.refresh_tokens t
          WHERE t.token_hash = $2 AND t.family_id = f.id AND f.user_id = $1 AND f.revoked_at IS NULL`,
        [userId, hash, now],
      );
      return rowCount === 1;
    },

    async revokeAllOfUser(userId: string, now: Date): Promise<number> {
      const { rowCount } = await db.query(
        `UPDATE gateway.refresh_families SET revoked_at = $2, revoked_reason = 'logout' WHERE user_id = $1 AND revoked_at IS NULL`,
        [userId, now],
      );
      return rowCount;
    },

    /** Drops tokens long expired and families left with none. */
    async deleteExpired(before: Date): Promise<number> {
      const { rowCount } = await db.query(`DELETE FROM gateway.refresh_tokens WHERE expires_at < $1`, [before]);
      await db.query(
        `DELETE FROM gateway.refresh_families f
          WHERE f.created_at < $1 AND NOT EXISTS (SELECT 1 FROM gateway.refresh_tokens t WHERE t.family_id = f.id)`,
        [before],
      );
      return rowCount;
    },
  };
}
export type SessionsRepository = ReturnType<typeof createSessionsRepository>;
