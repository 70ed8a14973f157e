import { SignJWT, importPKCS8, importSPKI, type CryptoKey, type KeyObject } from 'jose';
import { createPublicKey, randomUUID, verify as verifySignature, type KeyObject as NodeKeyObject } from 'node:crypto';
import { AppError } from '../errors.js';

export type Role = 'customer' | 'admin';
export type UserCaller = { kind: 'user'; id: string; email: string; role: Role };
export type ServiceCaller = { kind: 'service'; id: string };
export type Caller = UserCaller | ServiceCaller;

const algorithm = 'EdDSA';
export const userAudience = 'aerofly-api';
const userIssuer = 'aerofly-gateway';
const serviceIssuer = 'aerofly-service';
type Key = CryptoKey | KeyObject;

export const importPublicKey = (pem: string): Promise<Key> => importSPKI(pem, algorithm);
export const importPrivateKey = (pem: string): Promise<Key> => importPKCS8(pem, algorithm, { extractable: true });

const base64url = /^[A-Za-z0-9_-]+$/;
type Claims = { [claim: string]: unknown; sub?: unknown; exp?: unknown; nbf?: unknown; iat?: unknown; aud?: unknown; iss?: unknown };

const notValid = () => new AppError('UNAUTHENTICATED', 'The access token is not valid');

const decodeJson = (part: string): unknown => {
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
  } catch {
    throw notValid();
  }
};

/**
 * Checks a compact JWS signed with Ed25519 and its registered claims (RFC 7519 §4.1): `alg` must
 * be EdDSA (so `none` and HMAC tokens fail), no `crit` header, `exp` required and in the future,
 * `nbf` reached, `iss` and `aud` as expected. Synchronous node:crypto: about 50 µs, where the
 * WebCrypto path costs several times more and a thread-pool hop per request.
 */
export function verifyJwt(token: string, key: NodeKeyObject, expected: { audience: string; issuer: string }, nowMs = Date.now()): Claims {
  const parts = token.split('.');
  if (parts.length !== 3 || !parts.every((part) => base64url.test(part))) throw notValid();
  const [header, payload, signature] = parts as [string, string, string];
  const protectedHeader = decodeJson(header) as { alg?: unknown; crit?: unknown } | null;
  if (
    typeof protectedHeader !== 'object' ||
    protectedHeader === null ||
    protectedHeader.alg !== algorithm ||
    protectedHeader.crit !== undefined
  ) {
    throw notValid();
  }
  let signed = false;
  try {
    signed = verifySignature(null, Buffer.from(`${header}.${payload}`), key, Buffer.from(signature, 'base64url'));
  } catch {
    signed = false;
  }
  if (!signed) throw notValid();
  const claims = decodeJson(payload) as Claims | null;
  if (typeof claims !== 'object' || claims === null || Array.isArray(claims)) throw notValid();
  const now = Math.floor(nowMs / 1000);
  if (typeof claims.exp !== 'number') throw notValid();
  if (claims.exp <= now) throw new AppError('UNAUTHENTICATED', 'The access token has expired');
  if (claims.nbf !== undefined && (typeof claims.nbf !== 'number' || claims.nbf > now)) throw notValid();
  if (claims.iat !== undefined && typeof claims.iat !== 'number') throw notValid();
  if (claims.iss !== expected.issuer) throw notValid();
  const audience = claims.aud;
  if (audience !== expected.audience && !(Array.isArray(audience) && audience.includes(expected.audience))) throw notValid();
  return claims;
}

/**
 * Remembers tokens already verified until they expire, so a caller that sends the same token
 * again (a service token, a user's next request) costs a map lookup. Bounded; oldest out first.
 */
function verifiedTokens<T>(maxEntries: number) {
  const entries = new Map<string, { caller: T; expiresAtMs: number }>();
  return {
    get(token: string, nowMs: number): T | undefined {
      const entry = entries.get(token);
      if (!entry) return undefined;
      if (entry.expiresAtMs > nowMs) return entry.caller;
      entries.delete(token);
      return undefined;
    },
    set(token: string, caller: T, expiresAtMs: number) {
      if (entries.size >= maxEntries) entries.delete(entries.keys().next().value as string);
      entries.set(token, { caller, expiresAtMs });
    },
  };
}

/**
 * Verifies access tokens (signed by the gateway's key) and service tokens (signed by the services'
 * key, one audience per service). Anything else, including `alg: none`, is `UNAUTHENTICATED`.
 */
export async function createTokenVerifier(options: {
  userPublicKeyPem?: string | undefined;
  servicePublicKeyPem?: string | undefined;
  serviceName: string;
  /** Verified tokens remembered until they expire (default 10,000). */
  cacheSize?: number;
}) {
  const userKey = options.userPublicKeyPem ? createPublicKey(options.userPublicKeyPem) : undefined;
  const serviceKey = options.servicePublicKeyPem ? createPublicKey(options.servicePublicKeyPem) : undefined;
  for (const key of [userKey, serviceKey]) {
    if (key && key.asymmetricKeyType !== 'ed25519') throw new Error('token keys must be Ed25519 public keys');
  }
  const users = verifiedTokens<UserCaller>(options.cacheSize ?? 10_000);
  const services = verifiedTokens<ServiceCaller>(100);

  return {
    async verifyUser(token: string): Promise<UserCaller> {
      if (!userKey) throw new AppError('UNAUTHENTICATED', 'User tokens are not accepted here');
      const nowMs = Date.now();
      const known = users.get(token, nowMs);
      if (known) return known;
      const payload = verifyJwt(token, userKey, { audience: userAudience, issuer: userIssuer }, nowMs);
      const role = payload['role'];
      const email = payload['email'];
      if (typeof payload.sub !== 'string' || typeof email !== 'string' || (role !== 'customer' && role !== 'admin')) {
        throw notValid();
      }
      const caller: UserCaller = { kind: 'user', id: payload.sub, email, role };
      users.set(token, caller, (payload.exp as number) * 1000);
      return caller;
    },
    async verifyService(token: string): Promise<ServiceCaller> {
      if (!serviceKey) throw new AppError('UNAUTHENTICATED', 'Service tokens are not accepted here');
      const nowMs = Date.now();
      const known = services.get(token, nowMs);
      if (known) return known;
      const payload = verifyJwt(token, serviceKey, { audience: options.serviceName, issuer: serviceIssuer }, nowMs);
      if (typeof payload.sub !== 'string' || payload['role'] !== 'service') throw new AppError('UNAUTHENTICATED', 'Not a service token');
      const caller: ServiceCaller = { kind: 'service', id: payload.sub };
      services.set(token, caller, (payload.exp as number) * 1000);
      return caller;
    },
  };
}
export type TokenVerifier = Awaited<ReturnType<typeof createTokenVerifier>>;

/** Signs access tokens for users (gateway) with the user key. */
export async function createUserTokenSigner(options: { privateKeyPem: string; ttlSeconds?: number }) {
  const key = await importPrivateKey(options.privateKeyPem);
  const ttlSeconds = options.ttlSeconds ?? 15 * 60;
  return {
    ttlSeconds,
    sign(user: { id: string; email: string; role: Role }, now = new Date()): Promise<string> {
      const iat = Math.floor(now.getTime() / 1000);
      return new SignJWT({ email: user.email, role: user.role })
        .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
        .setSubject(user.id)
        .setIssuer(userIssuer)
        .setAudience(userAudience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .setJti(randomUUID())
        .sign(key);
    },
  };
}
export type UserTokenSigner = Awaited<ReturnType<typeof createUserTokenSigner>>;

/** Mints short-lived service tokens (one audience per target service), cached until near expiry. */
export async function createServiceTokenSigner(options: { privateKeyPem: string; serviceName: string; ttlSeconds?: number }) {
  const key = await importPrivateKey(options.privateKeyPem);
  const ttlSeconds = options.ttlSeconds ?? 120;
  const cache = new Map<string, { token: string; refreshAtMs: number }>();
  return {
    async tokenFor(audience: string): Promise<string> {
      const cached = cache.get(audience);
      if (cached && cached.refreshAtMs > Date.now()) return cached.token;
      const iat = Math.floor(Date.now() / 1000);
      const token = await new SignJWT({ role: 'service' })
        .setProtectedHeader({ alg: algorithm, typ: 'JWT' })
        .setSubject(options.serviceName)
        .setIssuer(serviceIssuer)
        .setAudience(audience)
        .setIssuedAt(iat)
        .setExpirationTime(iat + ttlSeconds)
        .sign(key);
      cache.set(audience, { token, refreshAtMs: Date.now() + (ttlSeconds * 1000) / 2 });
      return token;
    },
  };
}
export type ServiceTokenSigner = Awaited<ReturnType<typeof createServiceTokenSigner>>;
