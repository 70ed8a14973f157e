import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sparePort } from '@aerofly/testing';

export type RunningSystem = { url: string; dataDir: string; output: () => string; stop: () => Promise<void> };

/**
 * Starts `npm start`'s embedded mode as a child process with its own data directory and spare ports,
 * and waits until the gateway answers /health. Real servers in the environment are left out on
 * purpose: this is the newcomer's one-command system.
 */
export async function startEmbeddedSystem(settings: Record<string, string>, readyTimeoutMs = 240_000): Promise<RunningSystem> {
  // E2E_BASE_URL points the tests at a system that is already running (started with the same settings).
  const existing = process.env['E2E_BASE_URL'];
  if (existing) return { url: existing.replace(/\/$/, ''), dataDir: '', output: () => '', stop: async () => {} };
  const dataDir = mkdtempSync(join(tmpdir(), 'aerofly-e2e-'));
  const [gateway, flights, bookings, notifications, smtp] = await Promise.all([
    sparePort(),
    sparePort(),
    sparePort(),
    sparePort(),
    sparePort(),
  ]);
  const url = `http://127.0.0.1:${gateway}`;
  const environment: Record<string, string> = {};
  const serverSettings = ['DATABASE_URL', 'REDIS_URL', 'REDIS_SENTINELS', 'AMQP_URL', 'SMTP_URL'];
  for (const [key, value] of Object.entries(process.env)) {
    if (value !== undefined && !serverSettings.includes(key)) environment[key] = value;
  }
  Object.assign(environment, {
    DATA_DIR: dataDir,
    HOST: '127.0.0.1',
    GATEWAY_PORT: String(gateway),
    FLIGHTS_PORT: String(flights),
    BOOKINGS_PORT: String(bookings),
    NOTIFICATIONS_PORT: String(notifications),
    SMTP_SINK_PORT: String(smtp),
    GATEWAY_URL: url,
    FLIGHTS_URL: `http://127.0.0.1:${flights}`,
    BOOKINGS_URL: `http://127.0.0.1:${bookings}`,
    NOTIFICATIONS_URL: `http://127.0.0.1:${notifications}`,
    PUBLIC_URL: url,
    RATE_LIMITS: 'off',
    LOG_LEVEL: 'warn',
    ...settings,
  });

  let output = '';
  const child: ChildProcess = spawn('npx', ['tsx', 'scripts/start-embedded.ts'], {
    cwd: process.cwd(),
    env: environment,
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true,
  });
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited = false;
  const exit = new Promise<void>((resolve) => child.once('exit', () => ((exited = true), resolve())));

  const stop = async () => {
    if (!exited && child.pid) {
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => !exited && child.pid && process.kill(-child.pid, 'SIGKILL'), 10_000);
      await exit;
      clearTimeout(timer);
    }
    rmSync(dataDir, { recursive: true, force: true });
  };

  const deadline = Date.now() + readyTimeoutMs;
  while (Date.now() < deadline) {
    if (exited) {
      await stop();
      throw new Error(`the embedded system exited during start-up:\n${output}`);
    }
    try {
      const response = await fetch(`${url}/health`);
      if (response.ok) return { url, dataDir, output: () => output, stop };
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
  await stop();
  throw new Error(`the embedded system did not answer /health within ${readyTimeoutMs} ms:\n${output}`);
}
