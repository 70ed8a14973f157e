import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createServiceTokenSigner, createUserTokenSigner, type Role } from '@aerofly/platform';

export type KeyPairPem = { publicKeyPem: string; privateKeyPem: string };

/** A fresh Ed25519 key pair in PEM (SPKI / PKCS#8), as the services read from configuration. */
export function generateKeyPair(): KeyPairPem {
  const { publicKey, privateKey } = generateKeyPairSync('ed25519');
  return {
    publicKeyPem: publicKey.export({ type: 'spki', format: 'pem' }).toString(),
    privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}

/** Keys for one test process: the gateway's user key and the services' key. */
export const testKeys = { user: generateKeyPair(), service: generateKeyPair() };

const userSigner = createUserTokenSigner({ privateKeyPem: testKeys.user.privateKeyPem });

export type TestUser = { id: string; email: string; role: Role; token: string };

/** Mints an access token as the gateway would, for a user that need not exist anywhere. */
export async function mintUser(overrides: Partial<Omit<TestUser, 'token'>> = {}): Promise<TestUser> {
  const id = overrides.id ?? randomUUID();
  const user = { id, email: overrides.email ?? `traveller-${id.slice(0, 8)}@example.com`, role: overrides.role ?? 'customer' };
  return { ...user, token: await (await userSigner).sign(user) };
}

export const mintAdmin = (overrides: Partial<Omit<TestUser, 'token' | 'role'>> = {}) => mintUser({ ...overrides, role: 'admin' });

/** A service token as `caller` would send it to `audience`. */
export async function mintServiceToken(audience: string, caller = 'test'): Promise<string> {
  const signer = await createServiceTokenSigner({ privateKeyPem: testKeys.service.privateKeyPem, serviceName: caller });
  return signer.tokenFor(audience);
}

export const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
