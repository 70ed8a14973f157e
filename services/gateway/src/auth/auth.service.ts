import { createHash, randomBytes, randomUUID } from 'node:crypto';
import type { LoginRequest, SignupRequest } from '@aerofly/contracts';
import {
  AppError,
  createEvent,
  writeOutbox,
  type Clock,
  type Db,
  type Logger,
  type Queryable,
  type UserTokenSigner,
} from '@aerofly/platform';
import type { User, UsersRepository } from '../users/users.repository.js';
import type { Passwords } from './passwords.js';
import type { SessionsRepository } from './sessions.repository.js';

export type PublicUser = Pick<User, 'id' | 'email' | 'name' | 'role'>;
export type AuthResult = { user: PublicUser; accessToken: string; refreshToken: string; accessTokenExpiresIn: number };

export const hashRefreshToken = (token: string) => createHash('sha256').update(token).digest('hex');
const newRefreshToken = () => randomBytes(32).toString('base64url');
export const publicUser = (user: User): PublicUser => ({ id: user.id, email: user.email, name: user.name, role: user.role });

export function createAuthService(deps: {
  db: Db;
  clock: Clock;
  users: UsersRepository;
  sessions: SessionsRepository;
  passwords: Passwords;
  signer: UserTokenSigner;
  refreshTtlDays: number;
  reuseGraceSeconds: number;
  /** Where a detected token replay is reported (a security event worth an alert). */
  logger?: Logger;
  /** Called after a commit that wrote events, so the outbox relay looks at once. */
  onEventsWritten?: () => void;
}) {
  const { db, clock, users, sessions, passwords, signer } = deps;

  const issueTokens = async (user: PublicUser, familyId: string, tx: Queryable): Promise<AuthResult> => {
    const now = clock.now();
    const refreshToken = newRefreshToken();
    const inserted = await sessions.insertToken(
      {
        hash: hashRefreshToken(refreshToken),
        familyId,
        userId: user.id,
        now,
        expiresAt: new Date(now.getTime() + deps.refreshTtlDays * 86_400_000),
      },
      tx,
    );
    // The family was revoked between our check and this insert (logout or reuse elsewhere).
    if (!inserted) throw new AppError('REFRESH_TOKEN_INVALID', 'This session has ended; sign in again');
    return { user, accessToken: await signer.sign(user, now), refreshToken, accessTokenExpiresIn: signer.ttlSeconds };
  };

  const startSession = async (user: PublicUser, tx: Queryable): Promise<AuthResult> => {
    const familyId = randomUUID();
    await sessions.createFamily({ id: familyId, userId: user.id, now: clock.now() }, tx);
    return issueTokens(user, familyId, tx);
  };

  return {
    /** A new customer account; the email's unique index refuses a second one. */
    async signup(request: SignupRequest): Promise<AuthResult> {
      const passwordHash = await passwords.hash(request.password);
      const result = await db.transaction(async (tx) => {
        const user = await users.insert(
          { id: randomUUID(), email: request.email, name: request.name, passwordHash, role: 'customer', now: clock.now() },
          tx,
        );
        if (!user) throw new AppError('EMAIL_TAKEN', 'An account with this email already exists');
        await writeOutbox(tx, 'gateway', [createEvent('user.registered', { userId: user.id, email: user.email, name: user.name }, clock)]);
        return startSession(publicUser(user), tx);
      });
      deps.onEventsWritten?.();
      return result;
    },

    /** Same answer, and about the same time, whether the email is unknown or the password wrong. */
    async login(request: LoginRequest): Promise<AuthResult> {
      const user = await users.findByEmailWithPassword(request.email);
      if (!user) {
        await passwords.verifyAgainstDummy(request.password);
        throw new AppError('INVALID_CREDENTIALS');
      }
      if (!(await passwords.verify(user.passwordHash, request.password))) throw new AppError('INVALID_CREDENTIALS');
      return db.transaction((tx) => startSession(publicUser(user), tx));
    },

    /**
     * Rotates a refresh token. A token already rotated is accepted again only within the grace
     * (two tabs refreshing at once get a pair each); later, it is a stolen copy being replayed and
     * the whole family is revoked.
     */
    async refresh(refreshToken: string): Promise<AuthResult> {
      const hash = hashRefreshToken(refreshToken);
      const now = clock.now();
      const rotated = await db.transaction(async (tx) => {
        const won = await sessions.rotate(hash, now, tx);
        if (!won) return null;
        const user = await users.findById(won.userId, tx);
        if (!user) throw new AppError('REFRESH_TOKEN_INVALID');
        return issueTokens(publicUser(user), won.familyId, tx);
      });
      if (rotated) return rotated;

      const state = await sessions.find(hash);
      if (!state || state.expiresAt <= now) throw new AppError('REFRESH_TOKEN_INVALID');
      if (state.familyRevokedAt) {
        if (state.familyRevokedReason === 'reuse') throw new AppError('REFRESH_TOKEN_REUSED');
        throw new AppError('REFRESH_TOKEN_INVALID', 'This session has ended; sign in again');
      }
      if (state.rotatedAt && now.getTime() - state.rotatedAt.getTime() <= deps.reuseGraceSeconds * 1000) {
        const user = await users.findById(state.userId);
        if (!user) throw new AppError('REFRESH_TOKEN_INVALID');
        return db.transaction((tx) => issueTokens(publicUser(user), state.familyId, tx));
      }
      if (await sessions.revokeFamily(state.familyId, 'reuse', now)) {
        deps.logger?.warn({ userId: state.userId, familyId: state.familyId }, 'refresh token replayed after rotation; session revoked');
      }
      throw new AppError('REFRESH_TOKEN_REUSED');
    },

    /** Ends the session of the given refresh token, or every session of the user without one. */
    async logout(userId: string, refreshToken: string | undefined): Promise<void> {
      const now = clock.now();
      if (refreshToken) await sessions.revokeFamilyOfToken(userId, hashRefreshToken(refreshToken), now);
      else await sessions.revokeAllOfUser(userId, now);
    },

    async me(userId: string): Promise<PublicUser> {
      const user = await users.findById(userId);
      if (!user) throw new AppError('UNAUTHENTICATED', 'This account no longer exists');
      return publicUser(user);
    },

    async deleteExpiredSessions(): Promise<number> {
      // Keep expired rows a day longer, so a late replay still reads as invalid rather than unknown.
      return sessions.deleteExpired(new Date(clock.now().getTime() - 86_400_000));
    },
  };
}
export type AuthService = ReturnType<typeof createAuthService>;
