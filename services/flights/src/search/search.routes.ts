import { SearchAnswer, SearchQuery } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import type { SearchService } from './search.service.js';

export async function searchRoutes(app: App, { search }: { search: SearchService }) {
  app.get(
    '/api/v1/flights/search',
    {
      schema: {
        tags: ['search'],
        summary: 'Search direct flights and one-stop connections on a local departure date',
        querystring: SearchQuery,
        response: { 200: SearchAnswer },
      },
    },
    // The answer is JSON text already (cached or fresh): sent as is, without serialising it again.
    async (request, reply) =>
      reply.type('application/json; charset=utf-8').send((await search.search(request.query)) as unknown as SearchAnswer),
  );
}
