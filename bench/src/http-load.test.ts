import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLoadClient, parseResponse } from './http-load.js';

describe('parseResponse', () => {
  it('when a response has a Content-Length, then it waits for the whole body and keeps what follows', () => {
    const full = Buffer.from('HTTP/1.1 409 Conflict\r\nContent-Length: 5\r\n\r\nhelloHTTP/1.1');
    expect(parseResponse(full.subarray(0, 40))).toBeUndefined();
    const parsed = parseResponse(full)!;
    expect(parsed.answer).toEqual({ statusCode: 409, body: 'hello' });
    expect(parsed.rest.toString()).toBe('HTTP/1.1');
    expect(parsed.close).toBe(false);
  });

  it('when a response is chunked, then its chunks are joined once the last one has arrived', () => {
    const full = Buffer.from('HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\nconnection: close\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n');
    expect(parseResponse(full.subarray(0, full.length - 2))).toBeUndefined();
    expect(parseResponse(full)).toMatchObject({ answer: { statusCode: 200, body: 'abcde' }, close: true });
  });

  it('when a response has neither length nor chunks, then it is refused rather than misread', () => {
    expect(() => parseResponse(Buffer.from('HTTP/1.1 200 OK\r\n\r\nbody'))).toThrow(/without a length/);
  });
});

describe('createLoadClient', () => {
  let server: http.Server;
  let url: string;
  let sockets = 0;
  beforeAll(async () => {
    server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        if (request.url === '/never') return;
        if (request.url === '/chunked') {
          response.write('a');
          response.end('b');
          return;
        }
        response.writeHead(201, { 'content-type': 'application/json' });
        response.end(JSON.stringify({ method: request.method, body, key: request.headers['idempotency-key'] }));
      });
    });
    server.on('connection', () => (sockets += 1));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  it('when many requests are made at once, then each gets its own answer over at most `connections` sockets', async () => {
    const client = createLoadClient(url, { connections: 4 });
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) => client.request('POST', '/x', { 'idempotency-key': `k${i}` }, `{"n":${i}}`)),
    );
    client.close();
    expect(answers.map((a) => a.statusCode)).toEqual(Array(50).fill(201));
    expect(answers.map((a) => JSON.parse(a.body))).toEqual(
      Array.from({ length: 50 }, (_, i) => ({ method: 'POST', body: `{"n":${i}}`, key: `k${i}` })),
    );
    expect(sockets).toBeLessThanOrEqual(4);
  });

  it('when the server streams its answer in chunks, then the body arrives whole', async () => {
    const client = createLoadClient(url, { connections: 1 });
    expect(await client.request('GET', '/chunked', {})).toEqual({ statusCode: 200, body: 'ab' });
    client.close();
  });

  it('when no answer comes within the timeout, then the request fails with that reason', async () => {
    const client = createLoadClient(url, { connections: 1, timeoutMs: 50 });
    await expect(client.request('GET', '/never', {})).rejects.toThrow(/no answer in 50 ms/);
    client.close();
  });

  it('when nothing listens, then the request fails instead of hanging', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = createLoadClient(`http://127.0.0.1:${port}`, { connections: 1 });
    await expect(client.request('GET', '/', {})).rejects.toThrow(/ECONNREFUSED/);
    client.close();
  });
});
