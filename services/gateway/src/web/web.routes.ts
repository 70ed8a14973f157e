import { existsSync, statSync } from 'node:fs';
import { join, normalize, resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import { AppError, type App } from '@aerofly/platform';

/** Paths that are API or tooling, never the web app: unknown ones there are a problem+json 404. */
const apiPrefixes = ['/api/', '/internal/', '/dev/', '/docs', '/.well-known/'];

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>AeroFly</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem}code{background:#eee;padding:.1rem .3rem}</style></head>
<body><h1>AeroFly is running</h1>
<p>The web app has not been built yet. Build it once with</p>
<p><code>npm run build -w @aerofly/web</code></p>
<p>then reload this page. The API is already up: see the <a href="/docs">API docs</a>.</p>
</body></html>`;

/**
 * Serves the built web app at `/`: files from its dist folder, and index.html for any other
 * GET that is not an API path, so the app's own routes (e.g. /trips/123) survive a reload.
 */
export async function webRoutes(app: App, options: { distDir: string }) {
  const root = resolve(options.distDir);
  const built = existsSync(join(root, 'index.html'));

  if (built) await app.register(fastifyStatic, { root, serve: false });

  const isFile = (relative: string) => {
    const full = normalize(join(root, relative));
    if (full !== root && !full.startsWith(root + sep)) return false;
    try {
      return statSync(full).isFile();
    } catch {
      return false;
    }
  };

  app.route({
    method: ['GET', 'HEAD'],
    url: '/*',
    schema: { hide: true },
    handler: async (request, reply) => {
      const path = decodeURIComponentSafe(request.url.split('?')[0] ?? '/');
      if (apiPrefixes.some((prefix) => path.startsWith(prefix))) throw new AppError('NOT_FOUND', `No route ${request.method} ${path}`);
      if (!built) return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(notBuiltPage);
      const relative = path.replace(/^\/+/, '');
      if (relative && isFile(relative)) {
        // Vite names assets by content hash: they never change under the same name.
        const immutable = relative.startsWith('assets/');
        return reply.sendFile(relative, { maxAge: immutable ? 31_536_000_000 : 0, immutable });
      }
      // A missing asset is a 404, not the app page (a stale tab would otherwise parse HTML as JS).
      if (relative.startsWith('assets/') || /\.[a-z0-9]{1,8}$/i.test(relative)) throw new AppError('NOT_FOUND', `No file ${path}`);
      return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
    },
  });
}

function decodeURIComponentSafe(value: string): string {
  try {
    return decodeURIComponent(value);
  } catch {
    return value;
  }
}
