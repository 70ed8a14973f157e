import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify from 'fastify';
import type { App } from '@aerofly/platform';
import { sparePort } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { registerProxy } from './proxy.js';

async function instance(name: string): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'application/json');
    response.end(JSON.stringify({ instance: name }));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

describe('proxy over several instances of a service', () => {
  let a: Awaited<ReturnType<typeof instance>>;
  let b: Awaited<ReturnType<typeof instance>>;
  let deadUrl: string;
  beforeAll(async () => {
    a = await instance('a');
    b = await instance('b');
    deadUrl = `http://127.0.0.1:${await sparePort()}`;
  });
  afterAll(async () => {
    for (const { server } of [a, b]) await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('when the upstream setting lists two instances, then requests alternate between them', async () => {
    const app = Fastify();
    await registerProxy(app as unknown as App, {
      routes: [{ prefix: '/api/v1/flights', upstream: `${a.url},${b.url}`, service: 'flights' }],
      timeoutMs: 2000,
      bodyLimitBytes: 1024,
    });
    const seen = [];
    for (let i = 0; i < 4; i += 1) seen.push((await app.inject({ url: '/api/v1/flights' })).json<{ instance: string }>().instance);
    expect(seen.sort()).toEqual(['a', 'a', 'b', 'b']);
    await app.close();
  });

  it('when one listed instance is down, then after its first refusal the live one takes every request', async () => {
    const app = Fastify();
    await registerProxy(app as unknown as App, {
      routes: [{ prefix: '/api/v1/bookings', upstream: `${deadUrl},${a.url}`, service: 'bookings' }],
      timeoutMs: 2000,
      bodyLimitBytes: 1024,
    });
    const statuses = [];
    for (let i = 0; i < 6; i += 1) statuses.push((await app.inject({ url: '/api/v1/bookings' })).statusCode);
    expect(statuses.filter((status) => status === 502).length).toBeLessThanOrEqual(1);
    expect(statuses.slice(2)).toEqual([200, 200, 200, 200]);
    await app.close();
  });
});
