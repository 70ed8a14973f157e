import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, readMigrations, systemClock, type App } from '@aerofly/platform';
import { buildApp, type GatewayDeps } from './app.js';

export const schema = 'gateway';
export const migrations = () => readMigrations(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'migrations'));

export type RunningService = { app: App; url: string; close(): Promise<void> };

/**
 * Starts the gateway service on its port with the given dependencies: migrations, background
 * workers, HTTP. Used by `server.ts` (one service per process) and by the embedded launcher.
 */
export async function startGateway(deps: Omit<GatewayDeps, 'clock'> & Partial<Pick<GatewayDeps, 'clock'>>): Promise<RunningService> {
  const full: GatewayDeps = { clock: systemClock, ...deps };
  await migrate(full.db, { schema, migrations: migrations(), logger: full.logger });
  const app = await buildApp(full);
  const url = await app.listen({ host: full.config.HOST, port: full.config.GATEWAY_PORT });
  return {
    app,
    url,
    async close() {
      await app.close();
    },
  };
}
