import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createOutboxRelay, migrate, readMigrations, startLoop, systemClock, type RunningService } from '@aerofly/platform';
import { buildApp, userKeys, type GatewayDeps } from './app.js';
import { createPasswords } from './auth/passwords.js';
import { ensureFirstAdmin } from './users/first-admin.js';
import { createUsersRepository } from './users/users.repository.js';

export const schema = 'gateway';
export const migrations = () => readMigrations(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'migrations'));

export type { RunningService };

/**
 * Starts the gateway service on its port with the given dependencies: migrations, the first
 * admin, the outbox relay (user.registered), expired-session cleanup, HTTP. Used by `server.ts`
 * (one service per process) and by the embedded launcher.
 */
export async function startGateway(
  deps: Omit<GatewayDeps, 'clock'> & Partial<Pick<GatewayDeps, 'clock'>> & { print?: (text: string) => void },
): Promise<RunningService> {
  const full: GatewayDeps = { clock: systemClock, ...deps };
  userKeys(full.config); // fail before anything starts when the signing key is missing
  await migrate(full.db, { schema, migrations: migrations(), logger: full.logger });
  const passwords = full.passwords ?? (await createPasswords());
  await ensureFirstAdmin({
    users: createUsersRepository(full.db),
    passwords,
    clock: full.clock,
    logger: full.logger,
    config: full.config,
    ...(deps.print ? { print: deps.print } : {}),
  });

  const relay = createOutboxRelay({ db: full.db, bus: full.bus, schema, logger: full.logger });
  const app = await buildApp({ ...full, passwords, onEventsWritten: () => relay.poke() });
  relay.start();
  const cleanup = startLoop({
    name: 'expired-sessions',
    intervalMs: 3_600_000,
    logger: full.logger,
    task: () => app.auth.deleteExpiredSessions(),
  });
  let url: string;
  try {
    url = await app.listen({ host: full.config.HOST, port: full.config.GATEWAY_PORT });
  } catch (error) {
    await cleanup.stop();
    await relay.stop();
    await app.close();
    throw error;
  }
  return {
    app,
    url,
    async close() {
      await app.close();
      await cleanup.stop();
      await relay.stop();
    },
  };
}
