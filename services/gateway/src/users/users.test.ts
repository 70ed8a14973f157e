import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { bearer, mintAdmin, mintUser, silentLogger } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPasswords } from '../auth/passwords.js';
import { createGatewayFixture, newAccount, type GatewayFixture } from '../gateway.fixture.js';
import { embeddedAdminEmail, ensureFirstAdmin } from './first-admin.js';
import { createUsersRepository } from './users.repository.js';

let gateway: GatewayFixture;
beforeAll(async () => {
  gateway = await createGatewayFixture();
}, 120_000);
// Guarded: when start-up failed there is nothing to close, and the start-up error is the one to see.
afterAll(() => gateway?.close());

const signup = async (account = newAccount()) =>
  (await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: account })).json();
const login = async (email: string, password: string) =>
  (await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } })).json();

describe('first admin', () => {
  it('when ADMIN_EMAIL and ADMIN_PASSWORD are set, then that admin is created once however many instances start together', async () => {
    const passwords = await createPasswords();
    const users = createUsersRepository(gateway.db);
    const config = { ADMIN_EMAIL: 'Ops@Example.com', ADMIN_PASSWORD: 'a long admin secret', EMBEDDED_MODE: false, DATA_DIR: tmpdir() };
    const results = await Promise.all(
      [1, 2, 3].map(() => ensureFirstAdmin({ users, passwords, clock: gateway.clock, logger: silentLogger, config })),
    );
    expect(results.filter((r) => r.created)).toHaveLength(1);
    const session = await login('ops@example.com', 'a long admin secret');
    expect(session.user.role).toBe('admin');
  });

  it('when ADMIN_EMAIL belongs to a customer who signed up first, then that customer is not promoted', async () => {
    const account = newAccount();
    await signup(account);
    const result = await ensureFirstAdmin({
      users: createUsersRepository(gateway.db),
      passwords: await createPasswords(),
      clock: gateway.clock,
      logger: silentLogger,
      config: { ADMIN_EMAIL: account.email, ADMIN_PASSWORD: 'another long secret', EMBEDDED_MODE: false, DATA_DIR: tmpdir() },
    });
    expect(result.created).toBe(false);
    expect((await login(account.email, account.password)).user.role).toBe('customer');
  });

  it('when embedded mode starts without ADMIN_EMAIL, then a generated admin is printed once and kept in a private file', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'aerofly-admin-'));
    const printed: string[] = [];
    const deps = {
      users: createUsersRepository(gateway.db),
      passwords: await createPasswords(),
      clock: gateway.clock,
      logger: silentLogger,
      config: { EMBEDDED_MODE: true, DATA_DIR: dataDir },
      print: (text: string) => printed.push(text),
    };
    expect((await ensureFirstAdmin(deps)).created).toBe(true);
    expect((await ensureFirstAdmin(deps)).created).toBe(false);
    expect(printed).toHaveLength(1);
    const password = /password\s+(\S+)/.exec(printed[0] ?? '')?.[1] ?? '';
    expect(password.length).toBeGreaterThanOrEqual(16);
    const file = join(dataDir, 'admin-credentials.txt');
    expect(readFileSync(file, 'utf8')).toContain(password);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect((await login(embeddedAdminEmail, password)).user.role).toBe('admin');
  });
});

describe('admin users routes', () => {
  it('when an admin promotes a customer, then their next refresh carries the admin role', async () => {
    const admin = await mintAdmin();
    const customer = await signup();
    const answer = await gateway.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${customer.user.id}`,
      headers: bearer(admin.token),
      payload: { role: 'admin' },
    });
    expect(answer.statusCode).toBe(200);
    expect(answer.json().user).toMatchObject({ id: customer.user.id, role: 'admin' });
    expect(answer.body).not.toContain('argon2');
    const refreshed = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/auth/refresh',
      payload: { refreshToken: customer.refreshToken },
    });
    expect(refreshed.json().user.role).toBe('admin');
    const adminRoute = await gateway.app.inject({
      method: 'GET',
      url: '/api/v1/admin/users',
      headers: bearer(refreshed.json().accessToken),
    });
    expect(adminRoute.statusCode).toBe(200);
  });

  it('when a customer or a stranger calls an admin route, then 403 and 401, and nothing changes', async () => {
    const victim = await signup();
    const customer = await signup();
    const patch = (headers: Record<string, string>) =>
      gateway.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${victim.user.id}`, headers, payload: { role: 'admin' } });
    expect((await patch(bearer(customer.accessToken))).statusCode).toBe(403);
    expect((await patch({})).statusCode).toBe(401);
    expect(
      (await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(customer.accessToken) })).json().code,
    ).toBe('FORBIDDEN');
    const { rows } = await gateway.db.query<{ role: string }>(`SELECT role FROM gateway.users WHERE id = $1`, [victim.user.id]);
    expect(rows[0]?.role).toBe('customer');
  });

  it('when the role is unknown, the id malformed or missing, then 400, 400 and 404', async () => {
    const admin = await mintAdmin();
    const customer = await signup();
    const patch = (id: string, payload: unknown) =>
      gateway.app.inject({ method: 'PATCH', url: `/api/v1/admin/users/${id}`, headers: bearer(admin.token), payload: payload as object });
    expect((await patch(customer.user.id, { role: 'superuser' })).statusCode).toBe(400);
    expect((await patch(customer.user.id, { role: 'admin', email: 'x@y.z' })).statusCode).toBe(400);
    expect((await patch("1' OR '1'='1", { role: 'admin' })).statusCode).toBe(400);
    expect((await patch('00000000-0000-4000-8000-000000000000', { role: 'admin' })).statusCode).toBe(404);
  });

  it('when the last admin would be demoted, then 409 and they stay admin', async () => {
    const users = createUsersRepository(gateway.db);
    await gateway.db.query(`UPDATE gateway.users SET role = 'customer' WHERE role = 'admin'`);
    const only = await signup();
    await gateway.db.query(`UPDATE gateway.users SET role = 'admin' WHERE id = $1`, [only.user.id]);
    const admin = await mintAdmin({ id: only.user.id });
    const answer = await gateway.app.inject({
      method: 'PATCH',
      url: `/api/v1/admin/users/${only.user.id}`,
      headers: bearer(admin.token),
      payload: { role: 'customer' },
    });
    expect(answer.statusCode).toBe(409);
    expect((await users.findById(only.user.id))?.role).toBe('admin');
  });

  it('when an admin lists users, then pages follow each other without overlap and filters apply', async () => {
    const admin = await mintAdmin();
    const tag = `page${Date.now()}`;
    for (let i = 0; i < 5; i += 1) await signup(newAccount({ email: `${tag}-${i}@example.com` }));
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = `limit=2&email=${tag}${cursor ? `&cursor=${cursor}` : ''}`;
      const answer = await gateway.app.inject({ method: 'GET', url: `/api/v1/admin/users?${query}`, headers: bearer(admin.token) });
      expect(answer.statusCode).toBe(200);
      const page = answer.json() as { items: { email: string }[]; nextCursor: string | null };
      expect(page.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.items.map((item) => item.email));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen.sort()).toEqual([0, 1, 2, 3, 4].map((i) => `${tag}-${i}@example.com`));
    const bad = await gateway.app.inject({
      method: 'GET',
      url: '/api/v1/admin/users?cursor=%27%3B%20DROP%20TABLE',
      headers: bearer(admin.token),
    });
    expect(bad.statusCode).toBe(400);
  });

  it('when a customer token is minted for a user that does not exist, then /me answers 401', async () => {
    const ghost = await mintUser();
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(ghost.token) });
    expect(answer.statusCode).toBe(401);
  });
});
