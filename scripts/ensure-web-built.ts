/**
 * Builds the web app (apps/web/dist, served by the gateway) when it is missing or older than its
 * sources. Runs after `npm install` and at the top of `npm start`, so a start after a build is fast.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(fileURLToPath(new URL('..', import.meta.url)));
const web = join(root, 'apps/web');
const builtIndex = join(web, 'dist/index.html');

function newestChange(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = 0;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.endsWith('.test.tsx') || entry.endsWith('.test.ts')) continue;
    newest = Math.max(newest, newestChange(join(path, entry)));
  }
  return newest;
}

export function isWebBuildCurrent(): boolean {
  if (!existsSync(builtIndex)) return false;
  const sources = Math.max(
    newestChange(join(web, 'src')),
    newestChange(join(web, 'index.html')),
    newestChange(join(web, 'vite.config.ts')),
    newestChange(join(root, 'packages/contracts/src')),
  );
  return statSync(builtIndex).mtimeMs >= sources;
}

/** Returns true when a usable build is there afterwards; a failed build is reported, not thrown. */
export function ensureWebBuilt(log: (line: string) => void = (line) => process.stdout.write(`${line}\n`)): boolean {
  if (isWebBuildCurrent()) return true;
  if (!existsSync(join(root, 'node_modules/vite'))) {
    log('  Web app not built: vite is not installed (run npm ci).');
    return existsSync(builtIndex);
  }
  log('  Building the web app (once; later starts reuse apps/web/dist)…');
  const run = spawnSync('npm', ['run', 'build', '-w', '@aerofly/web', '--silent'], {
    cwd: root,
    // A test runner's NODE_ENV=test would give a development build of React.
    env: { ...process.env, NODE_ENV: 'production' },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  if (run.status !== 0) log(`  Web app build failed (exit ${run.status}); the API still works.`);
  return existsSync(builtIndex);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  ensureWebBuilt();
}
