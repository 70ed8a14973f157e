import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sparePort } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createServiceTokenSigner } from '../auth/tokens.js';
import { commonConfigShape, parseConfig } from '../config.js';
import { createServiceClient } from './service-client.js';
import { createUpstreamBalancer } from './upstreams.js';
import { generateKeyPairSync } from 'node:crypto';

describe('upstream balancer', () => {
  it('when several instances are listed, then they are handed out round-robin', () => {
    const balancer = createUpstreamBalancer('http://a:1, http://b:2/');
    expect([balancer.next(), balancer.next(), balancer.next()]).toEqual(['http://a:1', 'http://b:2', 'http://a:1']);
  });

  it('when an instance refused a connection, then it is skipped until its pause ends', () => {
    let now = 0;
    const balancer = createUpstreamBalancer(['http://a:1', 'http://b:2'], { downForMs: 100, now: () => now });
    balancer.markDown('http://a:1');
    expect([balancer.next(), balancer.next()]).toEqual(['http://b:2', 'http://b:2']);
    now = 101;
    expect(new Set([balancer.next(), balancer.next()])).toEqual(new Set(['http://a:1', 'http://b:2']));
  });

  it('when every instance is down, then one is still tried rather than none', () => {
    const balancer = createUpstreamBalancer('http://a:1');
    balancer.markDown('http://a:1');
    expect(balancer.next()).toBe('http://a:1');
  });

  it('when a service URL setting lists several instances, then config accepts it and refuses a bad entry', () => {
    const schema = z.object(commonConfigShape);
    expect(parseConfig(schema, { FLIGHTS_URL: 'http://127.0.0.1:3010, http://127.0.0.1:3011' }).FLIGHTS_URL).toBe(
      'http://127.0.0.1:3010,http://127.0.0.1:3011',
    );
    expect(parseConfig(schema, {}).FLIGHTS_URL).toBe('http://127.0.0.1:3001');
    expect(() => parseConfig(schema, { FLIGHTS_URL: 'http://127.0.0.1:3010,not a url' })).toThrow(/FLIGHTS_URL/);
  });
});

describe('service client over several instances', () => {
  let server: Server;
  let port: number;
  beforeAll(async () => {
    server = createServer((_request, response) => {
      response.setHeader('content-type', 'application/json');
      response.end(JSON.stringify({ ok: true }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when one listed instance is down, then every call still reaches the live one', async () => {
    const deadPort = await sparePort();
    const { privateKey } = generateKeyPairSync('ed25519');
    const signer = await createServiceTokenSigner({
      privateKeyPem: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
      serviceName: 'test',
    });
    const client = createServiceClient({
      baseUrl: `http://127.0.0.1:${deadPort},http://127.0.0.1:${port}`,
      audience: 'flights',
      signer,
    });
    const answers = await Promise.all(
      Array.from({ length: 6 }, () => client.request('GET', '/internal/v1/ping', { response: z.object({ ok: z.boolean() }) })),
    );
    expect(answers).toEqual(Array.from({ length: 6 }, () => ({ ok: true })));
  });
});
