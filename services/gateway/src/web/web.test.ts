import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createGatewayFixture, type GatewayFixture } from '../gateway.fixture.js';

let gateway: GatewayFixture;
beforeAll(async () => {
  const dist = mkdtempSync(join(tmpdir(), 'aerofly-web-'));
  mkdirSync(join(dist, 'assets'));
  writeFileSync(join(dist, 'index.html'), '<!doctype html><div id="root"></div><script type="module" src="/assets/app-3f2a.js"></script>');
  writeFileSync(join(dist, 'assets', 'app-3f2a.js'), 'console.log("app")');
  writeFileSync(join(dist, 'favicon.svg'), '<svg xmlns="http://www.w3.org/2000/svg"/>');
  gateway = await createGatewayFixture({ env: { WEB_DIST_DIR: dist } });
}, 120_000);
// Guarded: when start-up failed there is nothing to close, and the start-up error is the one to see.
afterAll(() => gateway?.close());

describe('web app', () => {
  it('when / or an app route is opened, then index.html is served and never cached', async () => {
    for (const url of ['/', '/trips/8b7e11a2', '/admin/flights?tab=new']) {
      const answer = await gateway.app.inject({ method: 'GET', url });
      expect(answer.statusCode, url).toBe(200);
      expect(answer.headers['content-type']).toContain('text/html');
      expect(answer.body).toContain('<div id="root">');
      expect(answer.headers['cache-control']).toContain('no-cache');
    }
  });

  it('when a hashed asset is asked, then it is served with a long immutable cache; a missing one is 404, not the page', async () => {
    const asset = await gateway.app.inject({ method: 'GET', url: '/assets/app-3f2a.js' });
    expect(asset.statusCode).toBe(200);
    expect(asset.headers['content-type']).toContain('javascript');
    expect(asset.headers['cache-control']).toContain('immutable');
    expect((await gateway.app.inject({ method: 'GET', url: '/favicon.svg' })).statusCode).toBe(200);
    expect((await gateway.app.inject({ method: 'GET', url: '/assets/app-old.js' })).statusCode).toBe(404);
  });

  it('when a path tries to climb out of the web folder, then no file outside it is served', async () => {
    for (const url of ['/..%2f..%2f..%2fetc%2fpasswd', '/assets/..%2f..%2fpackage.json', '/%2e%2e/%2e%2e/etc/passwd']) {
      const answer = await gateway.app.inject({ method: 'GET', url });
      expect(answer.body, url).not.toContain('root:x:0:0');
      expect(answer.body, url).not.toContain('"workspaces"');
    }
  });

  it('when an unknown API path is asked, then a problem+json 404 comes back rather than the web page', async () => {
    const answer = await gateway.app.inject({ method: 'GET', url: '/api/v1/nope' });
    expect(answer.statusCode).toBe(404);
    expect(answer.headers['content-type']).toContain('application/problem+json');
  });

  it('when the web app was never built, then / explains how to build it', async () => {
    const bare = await createGatewayFixture({ db: gateway.db, env: { WEB_DIST_DIR: join(tmpdir(), 'aerofly-no-such-dist') } });
    try {
      const answer = await bare.app.inject({ method: 'GET', url: '/' });
      expect(answer.statusCode).toBe(200);
      expect(answer.body).toContain('npm run build -w @aerofly/web');
    } finally {
      await bare.close();
    }
  });
});
