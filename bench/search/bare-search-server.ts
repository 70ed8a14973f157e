/**
 * The ceiling for the search benchmark: a minimal fastify route running the same candidate SQL
 * as the flights service (no validation, cache, time zones or pagination) straight to JSON.
 * Env: DATABASE_URL, PORT.
 */
import Fastify from 'fastify';
import { createPostgresDb, createLogger } from '@aerofly/platform';
import { searchRepository } from '../../services/flights/src/search/search.repository.js';

const logger = createLogger({ name: 'bare-search', level: 'warn' });
const db = createPostgresDb({ url: process.env['DATABASE_URL'] ?? '', logger, maxConnections: 10 });
const app = Fastify({ logger: false });
const slackMs = 15 * 3600_000;

app.get('/api/v1/flights/search', async (request) => {
  const q = request.query as Record<string, string>;
  const date = q['date'] ?? '';
  const day = Date.parse(`${date}T00:00:00Z`);
  return searchRepository.findCandidates(db, {
    from: q['from'] ?? '',
    to: q['to'] ?? '',
    date,
    windowStart: new Date(day - slackMs),
    windowEnd: new Date(day + 24 * 3600_000 + slackMs),
    cabin: (q['cabin'] ?? 'economy') as 'economy',
    passengers: Number(q['passengers'] ?? 1),
    now: new Date(),
    maxStops: Number(q['maxStops'] ?? 1),
  });
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
