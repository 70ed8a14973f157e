import { createUserTokenSigner } from '@aerofly/platform';
import { bearer, testKeys } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayFixture, newAccount, type GatewayFixture } from '../gateway.fixture.js';
import { createUsersRepository } from '../users/users.repository.js';
import { createAuthService, hashRefreshToken } from './auth.service.js';
import { createPasswords, type Passwords } from './passwords.js';
import { createSessionsRepository } from './sessions.repository.js';

let gateway: GatewayFixture;
beforeAll(async () => {
  gateway = await createGatewayFixture({ env: { REFRESH_REUSE_GRACE_SECONDS: '10', REFRESH_TOKEN_TTL_DAYS: '30' } });
}, 120_000);
// Guarded: when start-up failed there is nothing to close, and the start-up error is the one to see.
afterAll(() => gateway?.close());

const post = (url: string, payload: unknown, headers: Record<string, string> = {}) =>
  gateway.app.inject({ method: 'POST', url, payload: payload as object, headers });
const signup = (body = newAccount()) => post('/api/v1/auth/signup', body);
const refresh = (refreshToken: string) => post('/api/v1/auth/refresh', { refreshToken });

describe('sign-up', () => {
  it('when a traveller signs up, then they get a customer account, both tokens, and a user.registered event in the outbox', async () => {
    const account = newAccount({ email: '  Ann.Lee@Example.COM ' });
    const answer = await signup(account);
    expect(answer.statusCode).toBe(201);
    const body = answer.json();
    expect(body.user).toEqual({ id: expect.any(String), email: 'ann.lee@example.com', name: account.name, role: 'customer' });
    expect(body.accessToken.split('.')).toHaveLength(3);
    expect(body.refreshToken.length).toBeGreaterThanOrEqual(40);

    const { rows } = await gateway.db.query<{ type: string; data: { userId: string; email: string } }>(
      `SELECT type, data FROM gateway.outbox WHERE data->>'userId' = $1`,
      [body.user.id],
    );
    expect(rows).toEqual([{ type: 'user.registered', data: { userId: body.user.id, email: 'ann.lee@example.com', name: account.name } }]);

    const me = await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(body.accessToken) });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toEqual({ user: body.user });
  });

  it('when the same email signs up again in another case, then it is refused with 409 EMAIL_TAKEN', async () => {
    const account = newAccount();
    expect((await signup(account)).statusCode).toBe(201);
    const again = await signup({ ...account, email: account.email.toUpperCase() });
    expect(again.statusCode).toBe(409);
    expect(again.headers['content-type']).toContain('application/problem+json');
    expect(again.json().code).toBe('EMAIL_TAKEN');
  });

  it('when ten sign-ups race for one email, then exactly one account is created', async () => {
    const account = newAccount();
    const answers = await Promise.all(Array.from({ length: 10 }, (_, i) => signup({ ...account, name: `Racer ${i}` })));
    expect(answers.filter((a) => a.statusCode === 201)).toHaveLength(1);
    expect(answers.filter((a) => a.statusCode === 409)).toHaveLength(9);
    const { rows } = await gateway.db.query(`SELECT id FROM gateway.users WHERE email = $1`, [account.email]);
    expect(rows).toHaveLength(1);
  });

  it.each([
    ['a role', { role: 'admin' }],
    ['any unknown field', { isAdmin: true }],
  ])('when the body carries %s, then it is refused with 400 and no account exists', async (_what, extra) => {
    const account = newAccount();
    const answer = await signup({ ...account, ...extra } as ReturnType<typeof newAccount>);
    expect(answer.statusCode).toBe(400);
    expect(answer.json().code).toBe('VALIDATION_FAILED');
    const { rows } = await gateway.db.query(`SELECT 1 FROM gateway.users WHERE email = $1`, [account.email]);
    expect(rows).toHaveLength(0);
  });

  it.each([
    ['a password under 10 characters', { password: 'short1234' }, 'password'],
    ['an invalid email', { email: 'not-an-email' }, 'email'],
    ['an empty name', { name: '   ' }, 'name'],
  ])('when the body has %s, then 400 names the field', async (_what, override, field) => {
    const answer = await signup(newAccount(override));
    expect(answer.statusCode).toBe(400);
    expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
  });

  it('when a password is stored, then only an argon2id hash of it is kept and no answer ever shows it', async () => {
    const account = newAccount();
    const answer = await signup(account);
    const { rows } = await gateway.db.query<{ passwordHash: string }>(
      `SELECT password_hash AS "passwordHash" FROM gateway.users WHERE email = $1`,
      [account.email],
    );
    expect(rows[0]?.passwordHash).toMatch(/^\$argon2id\$/);
    expect(rows[0]?.passwordHash).not.toContain(account.password);
    expect(answer.body).not.toContain('argon2');
    expect(answer.body).not.toContain(rows[0]?.passwordHash);
  });
});

describe('login', () => {
  it('when the password is right, then a new session starts; when wrong or the email unknown, then the same 401 INVALID_CREDENTIALS', async () => {
    const account = newAccount();
    await signup(account);
    const ok = await post('/api/v1/auth/login', { email: account.email.toUpperCase(), password: account.password });
    expect(ok.statusCode).toBe(200);
    expect(ok.json().user.email).toBe(account.email);

    const wrong = await post('/api/v1/auth/login', { email: account.email, password: 'wrong password!' });
    const unknown = await post('/api/v1/auth/login', { email: `nobody-${account.email}`, password: account.password });
    for (const answer of [wrong, unknown]) {
      expect(answer.statusCode).toBe(401);
      expect(answer.json()).toMatchObject({ code: 'INVALID_CREDENTIALS', detail: 'Email or password is wrong' });
    }
  });

  it('when the email is unknown, then a password hash is still verified, so the answer takes as long as a wrong password', async () => {
    const real = await createPasswords();
    let dummyChecks = 0;
    const passwords: Passwords = {
      ...real,
      async verifyAgainstDummy(password) {
        dummyChecks += 1;
        await real.verifyAgainstDummy(password);
      },
    };
    const auth = createAuthService({
      db: gateway.db,
      clock: gateway.clock,
      users: createUsersRepository(gateway.db),
      sessions: createSessionsRepository(gateway.db),
      passwords,
      signer: await createUserTokenSigner({ privateKeyPem: testKeys.user.privateKeyPem }),
      refreshTtlDays: 30,
      reuseGraceSeconds: 10,
    });
    await expect(auth.login({ email: 'ghost@example.com', password: 'whatever-it-is' })).rejects.toMatchObject({
      code: 'INVALID_CREDENTIALS',
    });
    expect(dummyChecks).toBe(1);
  });
});

describe('refresh tokens', () => {
  it('when a refresh token is used, then a new pair comes back and only a hash of the tokens is stored', async () => {
    const first = (await signup()).json();
    const answer = await refresh(first.refreshToken);
    expect(answer.statusCode).toBe(200);
    const second = answer.json();
    expect(second.refreshToken).not.toBe(first.refreshToken);
    expect(second.user).toEqual(first.user);

    const { rows } = await gateway.db.query<{ tokenHash: string }>(
      `SELECT token_hash AS "tokenHash" FROM gateway.refresh_tokens WHERE user_id = $1`,
      [first.user.id],
    );
    const stored = rows.map((row) => row.tokenHash);
    expect(stored).toContain(hashRefreshToken(second.refreshToken));
    expect(stored).not.toContain(second.refreshToken);
    expect(answer.body).not.toContain(hashRefreshToken(second.refreshToken));
  });

  it('when two tabs refresh with the same token at once, then both get a working pair', async () => {
    const first = (await signup()).json();
    const answers = await Promise.all([refresh(first.refreshToken), refresh(first.refreshToken)]);
    expect(answers.map((a) => a.statusCode)).toEqual([200, 200]);
    for (const answer of answers) expect((await refresh(answer.json().refreshToken)).statusCode).toBe(200);
  });

  it('when a rotated token is replayed after the grace, then the whole family is revoked with REFRESH_TOKEN_REUSED', async () => {
    const stolen = (await signup()).json();
    const account = stolen.user.email as string;
    const legit = (await refresh(stolen.refreshToken)).json();
    gateway.clock.advanceSeconds(11);

    const replay = await refresh(stolen.refreshToken);
    expect(replay.statusCode).toBe(401);
    expect(replay.json().code).toBe('REFRESH_TOKEN_REUSED');
    // The legitimate holder's newer token dies with the family.
    const after = await refresh(legit.refreshToken);
    expect(after.statusCode).toBe(401);
    expect(after.json().code).toBe('REFRESH_TOKEN_REUSED');
    const { rows } = await gateway.db.query<{ reason: string }>(
      `SELECT f.revoked_reason AS reason FROM gateway.refresh_families f JOIN gateway.users u ON u.id = f.user_id WHERE u.email = $1`,
      [account],
    );
    expect(rows).toEqual([{ reason: 'reuse' }]);
  });

  it('when one session is revoked for reuse, then the same user signed in elsewhere keeps their session', async () => {
    const account = newAccount();
    const phone = (await signup(account)).json();
    const laptop = (await post('/api/v1/auth/login', { email: account.email, password: account.password })).json();
    await refresh(phone.refreshToken);
    gateway.clock.advanceSeconds(11);
    expect((await refresh(phone.refreshToken)).statusCode).toBe(401);
    expect((await refresh(laptop.refreshToken)).statusCode).toBe(200);
  });

  it('when a refresh token is unknown or past its 30 days, then 401 REFRESH_TOKEN_INVALID', async () => {
    expect((await refresh('x'.repeat(43))).json().code).toBe('REFRESH_TOKEN_INVALID');
    const session = (await signup()).json();
    gateway.clock.advanceSeconds(31 * 86_400);
    const late = await refresh(session.refreshToken);
    expect(late.statusCode).toBe(401);
    expect(late.json().code).toBe('REFRESH_TOKEN_INVALID');
  });

  it('when the user logs out, then that refresh token no longer works but another session does', async () => {
    const account = newAccount();
    const a = (await signup(account)).json();
    const b = (await post('/api/v1/auth/login', { email: account.email, password: account.password })).json();
    const out = await post('/api/v1/auth/logout', { refreshToken: a.refreshToken }, bearer(a.accessToken));
    expect(out.statusCode).toBe(204);
    expect((await refresh(a.refreshToken)).json().code).toBe('REFRESH_TOKEN_INVALID');
    expect((await refresh(b.refreshToken)).statusCode).toBe(200);
  });

  it("when someone logs out with another user's refresh token, then that other session is untouched", async () => {
    const victim = (await signup()).json();
    const attacker = (await signup()).json();
    expect((await post('/api/v1/auth/logout', { refreshToken: victim.refreshToken }, bearer(attacker.accessToken))).statusCode).toBe(204);
    expect((await refresh(victim.refreshToken)).statusCode).toBe(200);
  });

  it('when the user logs out without a token, then every session ends; anonymous logout is 401', async () => {
    const account = newAccount();
    const a = (await signup(account)).json();
    const b = (await post('/api/v1/auth/login', { email: account.email, password: account.password })).json();
    expect((await post('/api/v1/auth/logout', {}, bearer(a.accessToken))).statusCode).toBe(204);
    expect((await refresh(a.refreshToken)).statusCode).toBe(401);
    expect((await refresh(b.refreshToken)).statusCode).toBe(401);
    expect((await post('/api/v1/auth/logout', {})).statusCode).toBe(401);
  });
});
