import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPairSync } from 'node:crypto';
import { pathToFileURL } from 'node:url';

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

/**
 * `npx tsx scripts/keys.ts [DIR]`: prints the four key settings as one-line env entries (PEM with
 * `\n` escapes), generating the pairs under DIR/keys (default ./data) when missing, for an `.env`
 * file of a container deployment.
 */
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const environment: Record<string, string | undefined> = {};
  ensureKeys(environment, process.argv[2] ?? './data');
  for (const key of ['JWT_PRIVATE_KEY', 'JWT_PUBLIC_KEY', 'SERVICE_PRIVATE_KEY', 'SERVICE_PUBLIC_KEY']) {
    process.stdout.write(`${key}="${(environment[key] ?? '').trim().replace(/\n/g, '\\n')}"\n`);
  }
}
