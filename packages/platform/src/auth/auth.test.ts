import { bearer, generateKeyPair, mintAdmin, mintServiceToken, mintUser, silentLogger, testKeys } from '@aerofly/testing';
import { SignJWT, importPKCS8 } from 'jose';
import { createPrivateKey, sign as signRaw } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createApp, type App } from '../http/app.js';
import { createServiceTokenSigner, createTokenVerifier, createUserTokenSigner, userAudience } from './tokens.js';

const base64url = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('auth', () => {
  let app: App;
  beforeAll(async () => {
    const verifier = await createTokenVerifier({
      userPublicKeyPem: testKeys.user.publicKeyPem,
      servicePublicKeyPem: testKeys.service.publicKeyPem,
      serviceName: 'flights',
    });
    app = await createApp({ name: 'flights', logger: silentLogger, verifier });
    app.get('/open', async (request) => ({ caller: request.caller ?? null }));
    app.get('/maybe', { config: { auth: 'optional' } }, async (request) => ({ caller: request.caller ?? null }));
    app.get('/mine', { config: { auth: 'user' } }, async (request) => ({ caller: request.caller }));
    app.get('/admin-only', { config: { auth: 'admin' } }, async (request) => ({ caller: request.caller }));
    app.get('/internal/v1/ping', { config: { auth: 'service' } }, async (request) => ({ caller: request.caller }));
    app.post('/mine', { config: { auth: 'user' }, schema: { body: z.object({ name: z.string().min(1) }) } }, async () => ({ ok: true }));
    await app.ready();
  });
  afterAll(() => app.close());

  const get = (url: string, headers: Record<string, string> = {}) => app.inject({ method: 'GET', url, headers });

  it('when a valid access token is sent, then the route sees the caller from its claims', async () => {
    const user = await mintUser();
    const response = await get('/mine', bearer(user.token));
    expect(response.statusCode).toBe(200);
    expect(response.json()).toEqual({ caller: { kind: 'user', id: user.id, email: user.email, role: 'customer' } });
  });

  it('when no token is sent to a signed-in route, then it is 401 UNAUTHENTICATED as problem+json', async () => {
    const response = await get('/mine');
    expect(response.statusCode).toBe(401);
    expect(response.headers['content-type']).toContain('application/problem+json');
    expect(response.json()).toMatchObject({ code: 'UNAUTHENTICATED', status: 401 });
  });

  it('when a stranger sends an invalid body, then the answer is 401 rather than a validation error', async () => {
    const response = await app.inject({ method: 'POST', url: '/mine', payload: { name: '' } });
    expect(response.statusCode).toBe(401);
  });

  it('when the token has expired, then it is 401 saying so', async () => {
    const signer = await createUserTokenSigner({ privateKeyPem: testKeys.user.privateKeyPem, ttlSeconds: 60 });
    const token = await signer.sign({ id: 'u1', email: 'old@example.com', role: 'customer' }, new Date(Date.now() - 5 * 60_000));
    const response = await get('/mine', bearer(token));
    expect(response.statusCode).toBe(401);
    expect(response.json().detail).toMatch(/expired/);
  });

  it('when the claims were tampered with, then the signature no longer matches and it is 401', async () => {
    const user = await mintUser();
    const [header, , signature] = user.token.split('.');
    const forged = `${header}.${base64url({ sub: user.id, email: user.email, role: 'admin', aud: userAudience, iss: 'aerofly-gateway', exp: Math.floor(Date.now() / 1000) + 600 })}.${signature}`;
    expect((await get('/admin-only', bearer(forged))).statusCode).toBe(401);
  });

  it('when the token says alg none, then it is refused', async () => {
    const unsigned = `${base64url({ alg: 'none', typ: 'JWT' })}.${base64url({ sub: 'u1', email: 'x@example.com', role: 'admin', aud: userAudience, iss: 'aerofly-gateway', exp: Math.floor(Date.now() / 1000) + 600 })}.`;
    expect((await get('/mine', bearer(unsigned))).statusCode).toBe(401);
    expect((await get('/admin-only', bearer(unsigned))).statusCode).toBe(401);
  });

  it('when the token is signed by another key, then it is 401', async () => {
    const stranger = await createUserTokenSigner({ privateKeyPem: generateKeyPair().privateKeyPem });
    const token = await stranger.sign({ id: 'u1', email: 'x@example.com', role: 'customer' });
    expect((await get('/mine', bearer(token))).statusCode).toBe(401);
  });

  it('when the token is for another audience, then it is 401', async () => {
    const key = await importPKCS8(testKeys.user.privateKeyPem, 'EdDSA');
    const token = await new SignJWT({ email: 'x@example.com', role: 'customer' })
      .setProtectedHeader({ alg: 'EdDSA' })
      .setSubject('u1')
      .setIssuer('aerofly-gateway')
      .setAudience('some-other-api')
      .setIssuedAt()
      .setExpirationTime('5m')
      .sign(key);
    expect((await get('/mine', bearer(token))).statusCode).toBe(401);
  });

  it('when the Authorization header is not a bearer token, then it is 401', async () => {
    expect((await get('/mine', { authorization: 'Basic dXNlcjpwYXNz' })).statusCode).toBe(401);
    expect((await get('/mine', { authorization: 'Bearer' })).statusCode).toBe(401);
  });

  it('when a customer calls an admin route, then it is 403 FORBIDDEN; an admin passes', async () => {
    const customer = await mintUser();
    const forbidden = await get('/admin-only', bearer(customer.token));
    expect(forbidden.statusCode).toBe(403);
    expect(forbidden.json().code).toBe('FORBIDDEN');
    const admin = await mintAdmin();
    expect((await get('/admin-only', bearer(admin.token))).statusCode).toBe(200);
  });

  it('when a route is optional, then it answers with and without a token but still refuses a bad one', async () => {
    expect((await get('/maybe')).json()).toEqual({ caller: null });
    const user = await mintUser();
    expect((await get('/maybe', bearer(user.token))).json().caller.id).toBe(user.id);
    expect((await get('/maybe', bearer('garbage'))).statusCode).toBe(401);
  });

  it('when a public route gets a token, then it ignores it', async () => {
    expect((await get('/open', bearer('garbage'))).statusCode).toBe(200);
  });

  it('when a service token for this service calls an internal route, then it passes; for another audience it is 401', async () => {
    const ok = await get('/internal/v1/ping', bearer(await mintServiceToken('flights', 'bookings')));
    expect(ok.statusCode).toBe(200);
    expect(ok.json()).toEqual({ caller: { kind: 'service', id: 'bookings' } });
    expect((await get('/internal/v1/ping', bearer(await mintServiceToken('notifications', 'bookings')))).statusCode).toBe(401);
  });

  it('when user and service tokens are swapped, then neither opens the other kind of route', async () => {
    const user = await mintAdmin();
    expect((await get('/internal/v1/ping', bearer(user.token))).statusCode).toBe(401);
    expect((await get('/mine', bearer(await mintServiceToken('flights')))).statusCode).toBe(401);
  });

  it('when a service token is signed by a key other than the services key, then it is 401', async () => {
    const signer = await createServiceTokenSigner({ privateKeyPem: testKeys.user.privateKeyPem, serviceName: 'bookings' });
    expect((await get('/internal/v1/ping', bearer(await signer.tokenFor('flights')))).statusCode).toBe(401);
  });

  it('when a service asks for tokens repeatedly, then it reuses one until it nears expiry', async () => {
    const signer = await createServiceTokenSigner({ privateKeyPem: testKeys.service.privateKeyPem, serviceName: 'bookings' });
    const first = await signer.tokenFor('flights');
    expect(await signer.tokenFor('flights')).toBe(first);
    expect(await signer.tokenFor('notifications')).not.toBe(first);
  });
});

describe('token verification', () => {
  const sign = async (claims: Record<string, unknown>, header: Record<string, unknown> = { alg: 'EdDSA', typ: 'JWT' }) =>
    new SignJWT(claims).setProtectedHeader(header as { alg: string }).sign(await importPKCS8(testKeys.user.privateKeyPem, 'EdDSA'));
  const now = () => Math.floor(Date.now() / 1000);
  const valid = () => ({
    sub: 'u-1',
    email: 'a@example.com',
    role: 'customer',
    aud: userAudience,
    iss: 'aerofly-gateway',
    exp: now() + 60,
  });

  it('when a verified token comes again, then it is answered from memory until it expires, and refused after', async () => {
    const verifier = await createTokenVerifier({ userPublicKeyPem: testKeys.user.publicKeyPem, serviceName: 'bookings' });
    const token = await sign({ ...valid(), exp: now() + 2 });
    const first = await verifier.verifyUser(token);
    expect(await verifier.verifyUser(token)).toBe(first);
    await new Promise((resolve) => setTimeout(resolve, 2100));
    await expect(verifier.verifyUser(token)).rejects.toMatchObject({ code: 'UNAUTHENTICATED', message: 'The access token has expired' });
  });

  it.each([
    ['no exp', () => ({ ...valid(), exp: undefined })],
    ['a future nbf', () => ({ ...valid(), nbf: now() + 60 })],
    ['another issuer', () => ({ ...valid(), iss: 'someone-else' })],
    ['an audience list without ours', () => ({ ...valid(), aud: ['other'] })],
    ['a text exp', () => ({ ...valid(), exp: String(now() + 60) })],
  ])('when the token has %s, then it is refused', async (_what, claims) => {
    const verifier = await createTokenVerifier({ userPublicKeyPem: testKeys.user.publicKeyPem, serviceName: 'bookings' });
    await expect(verifier.verifyUser(await sign(claims()))).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });

  it('when the audience is a list that holds ours, then it passes; a crit header never does', async () => {
    const verifier = await createTokenVerifier({ userPublicKeyPem: testKeys.user.publicKeyPem, serviceName: 'bookings' });
    expect(await verifier.verifyUser(await sign({ ...valid(), aud: ['other', userAudience] }))).toMatchObject({ id: 'u-1' });
    const input = `${base64url({ alg: 'EdDSA', crit: ['exp'] })}.${base64url(valid())}`;
    const signature = signRaw(null, Buffer.from(input), createPrivateKey(testKeys.user.privateKeyPem)).toString('base64url');
    await expect(verifier.verifyUser(`${input}.${signature}`)).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
  });
});
