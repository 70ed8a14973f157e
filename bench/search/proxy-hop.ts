/** One Node proxy hop (@fastify/http-proxy, keep-alive), the same kind the gateway adds. Env: UPSTREAM, PORT. */
import proxy from '@fastify/http-proxy';
import Fastify from 'fastify';

const app = Fastify({ logger: false });
await app.register(proxy, { upstream: process.env['UPSTREAM'] ?? '' });
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
