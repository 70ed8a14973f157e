import { randomBytes, randomUUID } from 'node:crypto';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Email } from '@aerofly/contracts';
import type { Clock, Logger } from '@aerofly/platform';
import type { Passwords } from '../auth/passwords.js';
import type { UsersRepository } from './users.repository.js';

export const embeddedAdminEmail = 'admin@aerofly.local';

/**
 * Creates the first admin at start when missing. With ADMIN_EMAIL/ADMIN_PASSWORD that account;
 * in embedded mode without them, admin@aerofly.local with a generated password that is printed
 * once and kept in DATA_DIR/admin-credentials.txt (mode 0600) for whoever runs the demo.
 * An existing account with the configured email is never promoted: someone could have signed up
 * with it first. Safe to run on every instance at once (the insert is ON CONFLICT DO NOTHING).
 */
export async function ensureFirstAdmin(deps: {
  users: UsersRepository;
  passwords: Passwords;
  clock: Clock;
  logger: Logger;
  config: { ADMIN_EMAIL?: string | undefined; ADMIN_PASSWORD?: string | undefined; EMBEDDED_MODE: boolean; DATA_DIR: string };
  print?: (text: string) => void;
}): Promise<{ created: boolean; email?: string }> {
  const { users, passwords, clock, logger, config } = deps;
  const print = deps.print ?? ((text: string) => process.stdout.write(text));

  if (config.ADMIN_EMAIL) {
    const email = Email.parse(config.ADMIN_EMAIL);
    const existing = await users.findByEmail(email);
    if (existing) {
      if (existing.role !== 'admin') logger.warn({ email }, 'ADMIN_EMAIL belongs to an account that is not admin; it was not promoted');
      return { created: false, email };
    }
    if (!config.ADMIN_PASSWORD) {
      logger.warn('ADMIN_EMAIL is set without ADMIN_PASSWORD (at least 10 characters); no admin was created');
      return { created: false, email };
    }
    const created = await users.insert({
      id: randomUUID(),
      email,
      name: 'Administrator',
      passwordHash: await passwords.hash(config.ADMIN_PASSWORD),
      role: 'admin',
      now: clock.now(),
    });
    if (created) logger.info({ email }, 'first admin created from ADMIN_EMAIL');
    return { created: Boolean(created), email };
  }

  if (!config.EMBEDDED_MODE) {
    if (!(await users.hasAdmin())) logger.warn('no admin account exists; set ADMIN_EMAIL and ADMIN_PASSWORD to create one at start');
    return { created: false };
  }

  if (await users.findByEmail(embeddedAdminEmail)) return { created: false, email: embeddedAdminEmail };
  const password = randomBytes(12).toString('base64url');
  const created = await users.insert({
    id: randomUUID(),
    email: embeddedAdminEmail,
    name: 'Administrator',
    passwordHash: await passwords.hash(password),
    role: 'admin',
    now: clock.now(),
  });
  if (!created) return { created: false, email: embeddedAdminEmail };
  const file = join(config.DATA_DIR, 'admin-credentials.txt');
  try {
    writeFileSync(file, `email: ${embeddedAdminEmail}\npassword: ${password}\n`, { mode: 0o600 });
    chmodSync(file, 0o600);
  } catch (error) {
    logger.warn({ err: error }, 'could not keep the admin credentials file');
  }
  print(
    [
      '',
      '  First admin created (shown only this once):',
      `    email     ${embeddedAdminEmail}`,
      `    password  ${password}`,
      `  Also kept in ${file} (readable by you only); delete it once noted.`,
      '',
    ].join('\n') + '\n',
  );
  return { created: true, email: embeddedAdminEmail };
}
