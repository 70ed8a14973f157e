import { SignJWT, errors as joseErrors, importPKCS8, importSPKI, jwtVerify, type CryptoKey, type KeyObject } from 'jose';
import { randomUUID } from 'node:crypto';
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

/**
 * Verifies access tokens (signed by the gateway's key) and service tokens (signed by the services'
 * key, one audience per service). Anything else, including `alg: none`, is `UNAUTHENTICATED`.
 */
export async function createTokenVerifier(options: {
  userPublicKeyPem?: string | undefined;
  servicePublicKeyPem?: string | undefined;
  serviceName: string;
}) {
  const userKey = options.userPublicKeyPem ? await importPublicKey(options.userPublicKeyPem) : undefined;
  const serviceKey = options.servicePublicKeyPem ? await importPublicKey(options.servicePublicKeyPem) : undefined;

  const fail = (error: unknown): never => {
    const detail = error instanceof joseErrors.JWTExpired ? 'The access token has expired' : 'The access token is not valid';
    throw new AppError('UNAUTHENTICATED', detail, { cause: error });
  };

  return {
    async verifyUser(token: string): Promise<UserCaller> {
      if (!userKey) throw new AppError('UNAUTHENTICATED', 'User tokens are not accepted here');
      const { payload } = await jwtVerify(token, userKey, { algorithms: [algorithm], audience: userAudience, issuer: userIssuer }).catch(
        fail,
      );
      const role = payload['role'];
      const email = payload['email'];
      if (typeof payload.sub !== 'string' || typeof email !== 'string' || (role !== 'customer' && role !== 'admin')) {
        throw new AppError('UNAUTHENTICATED', 'The access token is not valid');
      }
      return { kind: 'user', id: payload.sub, email, role };
    },
    async verifyService(token: string): Promise<ServiceCaller> {
      if (!serviceKey) throw new AppError('UNAUTHENTICATED', 'Service tokens are not accepted here');
      const { payload } = await jwtVerify(token, serviceKey, {
        algorithms: [algorithm],
        audience: options.serviceName,
        issuer: serviceIssuer,
      }).catch(fail);
      if (typeof payload.sub !== 'string' || payload['role'] !== 'service') throw new AppError('UNAUTHENTICATED', 'Not a service token');
      return { kind: 'service', id: payload.sub };
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
