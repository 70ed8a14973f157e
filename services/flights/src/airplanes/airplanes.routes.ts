import { Airplane, AirplaneInput, AirplanePage, AirplanePatch, ListQuery, Uuid } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import { z } from 'zod';
import type { AirplanesService } from './airplanes.service.js';

const admin = { config: { auth: 'admin' as const } };
const security = [{ bearerAuth: [] }];
const IdParams = z.strictObject({ id: Uuid });
const tags = ['airplanes'];

export async function airplanesRoutes(app: App, { airplanes }: { airplanes: AirplanesService }) {
  app.get(
    '/api/v1/airplanes',
    { schema: { tags, summary: 'List airplanes', querystring: ListQuery, response: { 200: AirplanePage } } },
    (request) => airplanes.list(request.query),
  );
  app.get(
    '/api/v1/airplanes/:id',
    { schema: { tags, summary: 'Get an airplane with its seat map', params: IdParams, response: { 200: Airplane } } },
    (request) => airplanes.get(request.params.id),
  );
  app.post(
    '/api/v1/airplanes',
    {
      ...admin,
      schema: { tags, summary: 'Create an airplane with its seat map', security, body: AirplaneInput, response: { 201: Airplane } },
    },
    async (request, reply) => reply.status(201).send(await airplanes.create(request.body)),
  );
  app.patch(
    '/api/v1/airplanes/:id',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Change an airplane (seat map only while none of its flights is on sale)',
        security,
        params: IdParams,
        body: AirplanePatch,
        response: { 200: Airplane },
      },
    },
    (request) => airplanes.update(request.params.id, request.body),
  );
  app.delete(
    '/api/v1/airplanes/:id',
    { ...admin, schema: { tags, summary: 'Delete an airplane no flight uses', security, params: IdParams } },
    async (request, reply) => {
      await airplanes.remove(request.params.id);
      return reply.status(204).send();
    },
  );
}
