import { Hold, HoldRequest, PinHoldRequest, ReleaseHoldsRequest, ReleaseHoldsResult, Uuid } from '@aerofly/contracts';
import type { App } from '@aerofly/platform';
import { z } from 'zod';
import type { HoldsService } from './holds.service.js';

const service = { config: { auth: 'service' as const } };
const security = [{ bearerAuth: [] }];
const tags = ['internal'];
const Params = z.strictObject({ bookingId: Uuid });
const Empty = z.object({}).passthrough().optional();

/** Internal holds API used by bookings (contracts/holds.ts); every route is keyed by booking id and idempotent. */
export async function holdsRoutes(app: App, { holds }: { holds: HoldsService }) {
  app.post(
    '/internal/v1/holds',
    {
      ...service,
      schema: {
        tags,
        summary: 'Hold seats on every flight of an itinerary, or none',
        security,
        body: HoldRequest,
        response: { 201: Hold },
      },
    },
    async (request, reply) => reply.status(201).send(await holds.hold(request.body)),
  );
  app.get(
    '/internal/v1/holds/:bookingId',
    { ...service, schema: { tags, summary: 'A booking hold', security, params: Params, response: { 200: Hold } } },
    (request) => holds.get(request.params.bookingId),
  );
  app.post(
    '/internal/v1/holds/:bookingId/pin',
    {
      ...service,
      schema: {
        tags,
        summary: 'Keep a hold while a payment runs',
        security,
        params: Params,
        body: PinHoldRequest,
        response: { 200: Hold },
      },
    },
    (request) => holds.pin(request.params.bookingId, new Date(request.body.until)),
  );
  app.post(
    '/internal/v1/holds/:bookingId/confirm',
    { ...service, schema: { tags, summary: 'Turn a hold into a sale', security, params: Params, body: Empty, response: { 200: Hold } } },
    (request) => holds.confirm(request.params.bookingId),
  );
  app.post(
    '/internal/v1/holds/:bookingId/release',
    {
      ...service,
      schema: {
        tags,
        summary: 'Give the seats back (once, whoever calls)',
        security,
        params: Params,
        body: Empty,
        response: { 200: Hold },
      },
    },
    (request) => holds.release(request.params.bookingId),
  );
  app.post(
    '/internal/v1/holds/release',
    {
      ...service,
      schema: {
        tags,
        summary: 'Give the seats of many bookings back (each once, whoever calls)',
        security,
        body: ReleaseHoldsRequest,
        response: { 200: ReleaseHoldsResult },
      },
    },
    (request) => holds.releaseMany(request.body.bookingIds, request.body.reason),
  );
}
