import { Flight, FlightInput, FlightListQuery, FlightPage, FlightPatch, SeatMap, Uuid } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import { z } from 'zod';
import type { FlightsService } from './flights.service.js';

const admin = { config: { auth: 'admin' as const } };
const security = [{ bearerAuth: [] }];
const IdParams = z.strictObject({ id: Uuid });
const tags = ['flights'];

export async function flightsRoutes(app: App, { flights }: { flights: FlightsService }) {
  app.get(
    '/api/v1/flights',
    { schema: { tags, summary: 'List flights by departure', querystring: FlightListQuery, response: { 200: FlightPage } } },
    (request) => flights.list(request.query),
  );
  app.get(
    '/api/v1/flights/:id',
    {
      schema: { tags, summary: 'A flight with its cabins, fares and (advisory) availability', params: IdParams, response: { 200: Flight } },
    },
    // JSON text from the read cache (or just rendered): sent as is.
    async (request, reply) =>
      reply.type('application/json; charset=utf-8').send((await flights.getCached(request.params.id)) as unknown as Flight),
  );
  app.get(
    '/api/v1/flights/:id/seats',
    { schema: { tags, summary: 'The seat map with each seat status for this flight', params: IdParams, response: { 200: SeatMap } } },
    (request) => flights.seatMap(request.params.id),
  );
  app.post(
    '/api/v1/flights',
    {
      ...admin,
      schema: { tags, summary: 'Schedule a flight (creates its seat inventory)', security, body: FlightInput, response: { 201: Flight } },
    },
    async (request, reply) => reply.status(201).send(await flights.create(request.body)),
  );
  app.patch(
    '/api/v1/flights/:id',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Change fares, or schedule and airplane while no seat is held',
        security,
        params: IdParams,
        body: FlightPatch,
        response: { 200: Flight },
      },
    },
    (request) => flights.update(request.params.id, request.body),
  );
  app.delete(
    '/api/v1/flights/:id',
    { ...admin, schema: { tags, summary: 'Delete a flight that never had a hold', security, params: IdParams } },
    async (request, reply) => {
      await flights.remove(request.params.id);
      return reply.status(204).send();
    },
  );
  app.post(
    '/api/v1/flights/:id/cancel',
    {
      ...admin,
      schema: {
        tags,
        summary: 'Cancel a flight: no new holds; its bookings are cancelled and refunded',
        security,
        params: IdParams,
        response: { 200: Flight },
      },
    },
    (request) => flights.cancel(request.params.id),
  );
}
