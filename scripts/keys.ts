import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';

export type KeyPairPem = { publicKeyPem: string; privateKeyPem: string };

/** An Ed25519 key pair generated once and kept under `DATA_DIR/keys`, so tokens survive a restart. */
export function ensureKeyPair(dataDir: string, name: string): KeyPairPem {
  const dir = join(dataDir, 'keys');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const publicPath = join(dir, `${name}.public.pem`);
  const privatePath = join(dir, `${name}.private.pem`);
  if (!existsSync(privatePath)) {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    writeFileSync(publicPath, publicKey.export({ type: 'spki', format: 'pem' }));
    writeFileSync(privatePath, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  }
  return { publicKeyPem: readFileSync(publicPath, 'utf8'), privateKeyPem: readFileSync(privatePath, 'utf8') };
}

/**
 * Fills the JWT and service key settings that are not set with the kept key pairs under DATA_DIR.
 * Keys given in the environment always win (a real deployment injects them from its secret store).
 */
export function ensureKeys(environment: Record<string, string | undefined>, dataDir: string): void {
  if (!environment['JWT_PRIVATE_KEY']) {
    const keys = ensureKeyPair(dataDir, 'jwt');
    environment['JWT_PRIVATE_KEY'] = keys.privateKeyPem;
    environment['JWT_PUBLIC_KEY'] = keys.publicKeyPem;
  }
  if (!environment['SERVICE_PRIVATE_KEY']) {
    const keys = ensureKeyPair(dataDir, 'service');
    environment['SERVICE_PRIVATE_KEY'] = keys.privateKeyPem;
    environment['SERVICE_PUBLIC_KEY'] = keys.publicKeyPem;
  }
}
