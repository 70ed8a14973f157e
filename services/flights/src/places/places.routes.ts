import {
  Airport,
  AirportInput,
  AirportPage,
  AirportPatch,
  City,
  CityInput,
  CityPage,
  CityPatch,
  ListQuery,
  Uuid,
} from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import { z } from 'zod';
import type { PlacesService } from './places.service.js';

const admin = { config: { auth: 'admin' as const } };
const security = [{ bearerAuth: [] }];
const IdParams = z.strictObject({ id: Uuid });
const AirportParams = z.strictObject({ id: z.union([Uuid, z.string().regex(/^[A-Z]{3}$/)]) });

export async function placesRoutes(app: App, { places }: { places: PlacesService }) {
  app.get(
    '/api/v1/cities',
    { schema: { tags: ['cities'], summary: 'List cities', querystring: ListQuery, response: { 200: CityPage } } },
    (request) => places.listCities(request.query),
  );
  app.get(
    '/api/v1/cities/:id',
    { schema: { tags: ['cities'], summary: 'Get a city', params: IdParams, response: { 200: City } } },
    (request) => places.getCity(request.params.id),
  );
  app.post(
    '/api/v1/cities',
    { ...admin, schema: { tags: ['cities'], summary: 'Create a city', security, body: CityInput, response: { 201: City } } },
    async (request, reply) => reply.status(201).send(await places.createCity(request.body)),
  );
  app.patch(
    '/api/v1/cities/:id',
    {
      ...admin,
      schema: { tags: ['cities'], summary: 'Change a city', security, params: IdParams, body: CityPatch, response: { 200: City } },
    },
    (request) => places.updateCity(request.params.id, request.body),
  );
  app.delete(
    '/api/v1/cities/:id',
    { ...admin, schema: { tags: ['cities'], summary: 'Delete a city without airports', security, params: IdParams } },
    async (request, reply) => {
      await places.deleteCity(request.params.id);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/airports',
    {
      schema: {
        tags: ['airports'],
        summary: 'List airports',
        querystring: ListQuery.extend({ cityId: Uuid.optional() }),
        response: { 200: AirportPage },
      },
    },
    (request) => places.listAirports(request.query),
  );
  app.get(
    '/api/v1/airports/:id',
    { schema: { tags: ['airports'], summary: 'Get an airport by id or IATA code', params: AirportParams, response: { 200: Airport } } },
    (request) => places.getAirport(request.params.id),
  );
  app.post(
    '/api/v1/airports',
    { ...admin, schema: { tags: ['airports'], summary: 'Create an airport', security, body: AirportInput, response: { 201: Airport } } },
    async (request, reply) => reply.status(201).send(await places.createAirport(request.body)),
  );
  app.patch(
    '/api/v1/airports/:id',
    {
      ...admin,
      schema: {
        tags: ['airports'],
        summary: 'Change an airport',
        security,
        params: AirportParams,
        body: AirportPatch,
        response: { 200: Airport },
      },
    },
    (request) => places.updateAirport(request.params.id, request.body),
  );
  app.delete(
    '/api/v1/airports/:id',
    { ...admin, schema: { tags: ['airports'], summary: 'Delete an airport no flight uses', security, params: AirportParams } },
    async (request, reply) => {
      await places.deleteAirport(request.params.id);
      return reply.status(204).send();
    },
  );
}
