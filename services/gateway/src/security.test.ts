import { createPrivateKey, sign as signRaw } from 'node:crypto';
import { createUserTokenSigner } from '@aerofly/platform';
import { bearer, createCapturingLogger, generateKeyPair, mintAdmin, mintUser, testKeys } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayFixture, newAccount, type GatewayFixture } from './gateway.fixture.js';

let gateway: GatewayFixture;
beforeAll(async () => {
  gateway = await createGatewayFixture({ env: { BODY_LIMIT_BYTES: '4096' } });
}, 120_000);
// Guarded: when start-up failed there is nothing to close, and the start-up error is the one to see.
afterAll(() => gateway?.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);
const claims = (overrides: Record<string, unknown> = {}) => ({
  sub: '6f1c1b8e-3f3c-4a51-9e59-3c2b1c7d0a11',
  email: 'mallory@example.com',
  role: 'admin',
  aud: 'aerofly-api',
  iss: 'aerofly-gateway',
  iat: now(),
  exp: now() + 600,
  ...overrides,
});
/** Signs header.payload with the given Ed25519 key, as any attacker with a key of their own can. */
const signWith = (privateKeyPem: string, header: unknown, payload: unknown) => {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signRaw(null, Buffer.from(input), createPrivateKey(privateKeyPem)).toString('base64url')}`;
};

describe('tokens that must not get in', () => {
  const cases: [string, () => Promise<string>][] = [
    ['alg none', async () => `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims())}.`],
    ['a key of its own', async () => signWith(generateKeyPair().privateKeyPem, { alg: 'EdDSA', typ: 'JWT' }, claims())],
    [
      'a customer token with its role edited to admin',
      async () => {
        const [header, , signature] = (await mintUser()).token.split('.');
        return `${header}.${b64(claims({ role: 'admin' }))}.${signature}`;
      },
    ],
    [
      'an expired token',
      async () => signWith(testKeys.user.privateKeyPem, { alg: 'EdDSA', typ: 'JWT' }, claims({ iat: now() - 3600, exp: now() - 60 })),
    ],
    ['another audience', async () => signWith(testKeys.user.privateKeyPem, { alg: 'EdDSA', typ: 'JWT' }, claims({ aud: 'bookings' }))],
    ['HS256 keyed with the public key', async () => `${b64({ alg: 'HS256', typ: 'JWT' })}.${b64(claims())}.c2lnbmF0dXJl`],
    ['garbage', async () => 'not.a.jwt'],
    ['a service token', async () => (await import('@aerofly/testing')).mintServiceToken('gateway')],
  ];

  it.each(cases)('when the token is %s, then every protected route answers 401 UNAUTHENTICATED', async (_what, make) => {
    const token = await make();
    for (const [method, url] of [
      ['GET', '/api/v1/auth/me'],
      ['GET', '/api/v1/admin/users'],
      ['PATCH', '/api/v1/admin/users/6f1c1b8e-3f3c-4a51-9e59-3c2b1c7d0a11'],
    ] as const) {
      const answer = await gateway.app.inject({
        method,
        url,
        headers: bearer(token),
        ...(method === 'PATCH' ? { payload: { role: 'admin' } } : {}),
      });
      expect(answer.statusCode, `${method} ${url}`).toBe(401);
      expect(answer.json().code).toBe('UNAUTHENTICATED');
    }
  });

  it.each([
    ['no Authorization header', {}],
    ['a Basic scheme', { authorization: 'Basic YWRtaW46YWRtaW4=' }],
    ['an empty bearer', { authorization: 'Bearer ' }],
  ])('when the request has %s, then 401', async (_what, headers) => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers });
    expect(answer.statusCode).toBe(401);
  });

  it('when a token signed by the gateway key carries the admin role, then the admin route answers (the check is the key, not the route)', async () => {
    const signer = await createUserTokenSigner({ privateKeyPem: testKeys.user.privateKeyPem });
    const token = await signer.sign({ id: '6f1c1b8e-3f3c-4a51-9e59-3c2b1c7d0a11', email: 'ops@example.com', role: 'admin' });
    expect((await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer(token) })).statusCode).toBe(200);
    expect(
      (await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/users', headers: bearer((await mintUser()).token) })).statusCode,
    ).toBe(403);
  });

  it('when the JWKS is fetched, then it holds the public key that verifies access tokens, and nothing private', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/.well-known/jwks.json' });
    expect(answer.statusCode).toBe(200);
    const { keys } = answer.json() as { keys: Record<string, string>[] };
    expect(keys).toHaveLength(1);
    expect(keys[0]).toMatchObject({ kty: 'OKP', crv: 'Ed25519', alg: 'EdDSA', use: 'sig' });
    expect(keys[0]?.['d']).toBeUndefined();
    const { importJWK, jwtVerify } = await import('jose');
    const key = await importJWK(keys[0] as never, 'EdDSA');
    const { payload } = await jwtVerify((await mintUser({ email: 'jwks@example.com' })).token, key, { audience: 'aerofly-api' });
    expect(payload['email']).toBe('jwks@example.com');
  });
});

describe('hostile input', () => {
  const injections = [
    "' OR '1'='1",
    "'; DROP TABLE gateway.users; --",
    '"><script>alert(1)</script>',
    '${jndi:ldap://x}',
    '../../../../etc/passwd',
    '\u0000',
    '%00',
    '{"$ne":null}',
    '𝕬'.repeat(300),
    'a'.repeat(10_000),
  ];

  it('when injection strings fill every field and parameter, then answers are 4xx (or a plain success), never 500, and the tables survive', async () => {
    const admin = await mintAdmin();
    const statuses = new Set<number>();
    for (const evil of injections) {
      const requests = [
        { method: 'POST', url: '/api/v1/auth/signup', payload: { email: evil, password: evil, name: evil } },
        {
          method: 'POST',
          url: '/api/v1/auth/signup',
          payload: { email: `${evil.slice(0, 40)}@example.com`, password: 'long enough pass', name: evil },
        },
        {
          method: 'POST',
          url: '/api/v1/auth/signup',
          payload: { email: 'valid.address@example.com', password: 'long enough pass', name: evil },
        },
        { method: 'POST', url: '/api/v1/auth/login', payload: { email: evil, password: evil } },
        { method: 'POST', url: '/api/v1/auth/login', payload: { email: 'a@example.com', password: evil } },
        { method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: evil } },
        { method: 'POST', url: '/api/v1/auth/refresh', payload: evil },
        {
          method: 'GET',
          url: `/api/v1/admin/users?cursor=${encodeURIComponent(evil)}&email=${encodeURIComponent(evil)}&limit=${encodeURIComponent(evil)}`,
          headers: bearer(admin.token),
        },
        { method: 'GET', url: `/api/v1/admin/users?email=${encodeURIComponent(evil)}`, headers: bearer(admin.token) },
        { method: 'PATCH', url: `/api/v1/admin/users/${encodeURIComponent(evil)}`, payload: { role: evil }, headers: bearer(admin.token) },
        { method: 'GET', url: `/api/v1/auth/me`, headers: { authorization: `Bearer ${evil}` } },
      ] as const;
      for (const request of requests) {
        const answer = await gateway.app.inject({
          method: request.method,
          url: request.url,
          headers: { 'content-type': 'application/json', ...('headers' in request ? request.headers : {}) },
          ...('payload' in request
            ? { payload: typeof request.payload === 'string' ? request.payload : JSON.stringify(request.payload) }
            : {}),
        });
        statuses.add(answer.statusCode);
        expect(answer.statusCode, `${request.method} ${request.url.slice(0, 80)} with ${JSON.stringify(evil).slice(0, 30)}`).toBeLessThan(
          500,
        );
      }
    }
    expect([...statuses].filter((status) => ![200, 201, 400, 401, 404, 409, 413, 414].includes(status))).toEqual([]);
    // 414: a path parameter longer than the router allows (10 000 characters).
    // Names full of SQL were stored as plain text, and the table is still there.
    const { rows } = await gateway.db.query<{ name: string }>(`SELECT name FROM gateway.users WHERE email = 'valid.address@example.com'`);
    expect(rows).toEqual([{ name: "' OR '1'='1" }]);
  });

  it('when a body is over the limit or not JSON at all, then 413 and 400 as problem+json', async () => {
    const big = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/auth/signup',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ ...newAccount(), name: 'x'.repeat(10_000) }),
    });
    expect(big.statusCode).toBe(413);
    expect(big.json().code).toBe('PAYLOAD_TOO_LARGE');
    const broken = await gateway.app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      headers: { 'content-type': 'application/json' },
      payload: '{"email": ',
    });
    expect(broken.statusCode).toBe(400);
    expect(broken.headers['content-type']).toContain('application/problem+json');
  });

  it('when any account route answers, then no password hash or refresh-token hash ever appears in it', async () => {
    const account = newAccount();
    const admin = await mintAdmin();
    const answers = [await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: account })];
    const session = answers[0]!.json();
    answers.push(
      await gateway.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: account.email, password: account.password },
      }),
    );
    answers.push(
      await gateway.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } }),
    );
    answers.push(await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: bearer(session.accessToken) }));
    answers.push(await gateway.app.inject({ method: 'GET', url: '/api/v1/admin/users?limit=100', headers: bearer(admin.token) }));
    answers.push(await gateway.app.inject({ method: 'GET', url: `/api/v1/admin/users/${session.user.id}`, headers: bearer(admin.token) }));
    answers.push(
      await gateway.app.inject({
        method: 'PATCH',
        url: `/api/v1/admin/users/${session.user.id}`,
        headers: bearer(admin.token),
        payload: { role: 'customer' },
      }),
    );

    const secrets = [
      ...(await gateway.db.query<{ h: string }>(`SELECT password_hash AS h FROM gateway.users`)).rows.map((r) => r.h),
      ...(await gateway.db.query<{ h: string }>(`SELECT token_hash AS h FROM gateway.refresh_tokens`)).rows.map((r) => r.h),
    ];
    expect(secrets.length).toBeGreaterThan(2);
    for (const answer of answers) {
      expect(answer.statusCode).toBeLessThan(300);
      for (const secret of secrets) expect(answer.body).not.toContain(secret);
      expect(answer.body).not.toMatch(/argon2|passwordHash|password_hash|tokenHash/i);
    }
  });
});

describe('browser-facing headers', () => {
  it('when any page or API answer is sent, then security headers are set and CORS stays closed to unlisted origins', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { origin: 'https://evil.example' } });
    expect(answer.headers['x-content-type-options']).toBe('nosniff');
    expect(answer.headers['content-security-policy']).toContain("default-src 'self'");
    expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN');
    expect(answer.headers['access-control-allow-origin']).toBeUndefined();
  });

  it('when an origin is on CORS_ORIGINS, then its preflight is allowed with the idempotency and auth headers', async () => {
    const open = await createGatewayFixture({ db: gateway.db, env: { CORS_ORIGINS: 'https://app.example, https://admin.example' } });
    try {
      const preflight = await open.app.inject({
        method: 'OPTIONS',
        url: '/api/v1/bookings',
        headers: {
          origin: 'https://app.example',
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,idempotency-key',
        },
      });
      expect(preflight.statusCode).toBe(204);
      expect(preflight.headers['access-control-allow-origin']).toBe('https://app.example');
      expect(String(preflight.headers['access-control-allow-headers'])).toContain('idempotency-key');
      const stranger = await open.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers: { origin: 'https://evil.example' } });
      expect(stranger.headers['access-control-allow-origin']).toBeUndefined();
    } finally {
      await open.close();
    }
  });
});

describe('logs', () => {
  it('when accounts sign up, fail to log in and replay a refresh token, then no password or token is logged, and the replay is', async () => {
    const { logger, lines } = createCapturingLogger('gateway');
    const logged = await createGatewayFixture({ db: gateway.db, logger, env: { REFRESH_REUSE_GRACE_SECONDS: '0' } });
    try {
      const account = newAccount({ password: 'unique-secret-passphrase-42' });
      const session = (await logged.app.inject({ method: 'POST', url: '/api/v1/auth/signup', payload: account })).json();
      await logged.app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: account.email, password: 'wrong-secret-passphrase-43' },
      });
      await logged.app.inject({ method: 'POST', url: '/api/v1/auth/refresh', payload: { refreshToken: session.refreshToken } });
      logged.clock.advanceSeconds(1);
      const replay = await logged.app.inject({
        method: 'POST',
        url: '/api/v1/auth/refresh',
        payload: { refreshToken: session.refreshToken },
      });
      expect(replay.json().code).toBe('REFRESH_TOKEN_REUSED');

      const all = lines.join('');
      for (const secret of [account.password, 'wrong-secret-passphrase-43', session.refreshToken, session.accessToken]) {
        expect(all).not.toContain(secret);
      }
      expect(lines.some((line) => line.includes('refresh token replayed') && line.includes(session.user.id))).toBe(true);
    } finally {
      await logged.close();
    }
  });
});
