/**
 * The ceiling for the search benchmark: a minimal fastify route running the same SQL as the flights
 * service does for a search when its cache is off (`findSearchLegs`: the origin's departures on the
 * local date and the legs that can connect), straight to JSON: no validation, boards, pairing,
 * filters, pagination or cache. Env: DATABASE_URL, PORT.
 */
import Fastify from 'fastify';
import { createPostgresDb, createLogger } from '@aerofly/platform';
import { searchRepository } from '../../services/flights/src/search/search.repository.js';
import { addDays, startOfLocalDate } from '../../services/flights/src/shared/zones.js';

const logger = createLogger({ name: 'bare-search', level: 'warn' });
const db = createPostgresDb({ url: process.env['DATABASE_URL'] ?? '', logger, maxConnections: 10 });
const zones = new Map((await searchRepository.airportZones(db)).map((airport) => [airport.code, airport.timeZone]));
const app = Fastify({ logger: false });

app.get('/api/v1/flights/search', async (request) => {
  const q = request.query as Record<string, string>;
  const date = q['date'] ?? '';
  const zone = zones.get(q['from'] ?? '') ?? 'UTC';
  return searchRepository.findSearchLegs(db, {
    from: q['from'] ?? '',
    to: q['to'] ?? '',
    fromMs: startOfLocalDate(date, zone),
    toMs: startOfLocalDate(addDays(date, 1), zone),
    cabin: (q['cabin'] ?? 'economy') as 'economy',
    maxStops: Number(q['maxStops'] ?? 1),
  });
});
app.get('/health', async () => ({ status: 'ok' }));
await app.listen({ host: '127.0.0.1', port: Number(process.env['PORT'] ?? 0) });
