import {
  AdminListBookingsQuery,
  BookingIdParams,
  BookingPage,
  BookingView,
  CancelBookingBody,
  CreateBookingBody,
  ListBookingsQuery,
  LiveBookingsRequest,
  LiveBookingsResponse,
  Problem,
} from '@aerofly/contracts';
import { requireUser, type App, type Clock } from '@aerofly/platform';
import type { BookingService } from './bookings.service.js';
import { toView } from './bookings.views.js';

const security = [{ bearerAuth: [] }];
const errors = {
  400: Problem,
  401: Problem,
  403: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
  502: Problem,
  503: Problem,
  504: Problem,
};

export async function bookingRoutes(app: App, { service, clock }: { service: BookingService; clock: Clock }) {
  app.post(
    '/api/v1/bookings',
    {
      config: {
        auth: 'user',
        idempotency: 'required',
        refuseBeforeClaim: (request) => service.refuseIfKnownSoldOut(request.body as CreateBookingBody),
      },
      schema: {
        tags: ['bookings'],
        summary: 'Hold seats and create a PENDING booking (Idempotency-Key required)',
        security,
        body: CreateBookingBody,
        response: { 201: BookingView, ...errors },
      },
    },
    async (request, reply) => {
      const claim = request.idempotencyClaim;
      const booking = await service.create(
        requireUser(request),
        request.body,
        claim && { bookingId: claim.resourceId, rerun: claim.rerun },
      );
      return reply.status(201).header('location', `/api/v1/bookings/${booking.id}`).send(toView(booking, clock.now()));
    },
  );

  app.get(
    '/api/v1/bookings',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['bookings'],
        summary: "The caller's bookings, newest first",
        security,
        querystring: ListBookingsQuery,
        response: { 200: BookingPage, ...errors },
      },
    },
    async (request) => {
      const page = await service.list({ userId: requireUser(request).id, limit: request.query.limit, cursor: request.query.cursor });
      const now = clock.now();
      return { items: page.items.map((b) => toView(b, now)), nextCursor: page.nextCursor };
    },
  );

  app.get(
    '/api/v1/bookings/:id',
    {
      config: { auth: 'user' },
      schema: {
        tags: ['bookings'],
        summary: 'One of the caller’s bookings',
        security,
        params: BookingIdParams,
        response: { 200: BookingView, ...errors },
      },
    },
    async (request) => toView(await service.get(requireUser(request), request.params.id), clock.now()),
  );

  app.post(
    '/api/v1/bookings/:id/cancel',
    {
      config: { auth: 'user', idempotency: 'optional' },
      schema: {
        tags: ['bookings'],
        summary: 'Cancel a booking (owner or admin): seats back, refund when paid',
        security,
        params: BookingIdParams,
        body: CancelBookingBody,
        response: { 200: BookingView, ...errors },
      },
    },
    async (request) => toView(await service.cancel(requireUser(request), request.params.id), clock.now()),
  );

  app.get(
    '/api/v1/admin/bookings',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['admin'],
        summary: 'Every booking, filterable by flight, status and user',
        security,
        querystring: AdminListBookingsQuery,
        response: { 200: BookingPage, ...errors },
      },
    },
    async (request) => {
      const { flightId, status, userId, limit, cursor } = request.query;
      const page = await service.list({
        limit,
        cursor,
        ...(flightId ? { flightId } : {}),
        ...(status ? { status } : {}),
        ...(userId ? { userId } : {}),
      });
      const now = clock.now();
      return { items: page.items.map((b) => toView(b, now)), nextCursor: page.nextCursor };
    },
  );

  app.post(
    '/internal/v1/bookings/live',
    {
      config: { auth: 'service' },
      schema: { hide: true, body: LiveBookingsRequest, response: { 200: LiveBookingsResponse, ...errors } },
    },
    async (request) => ({ live: await service.liveIds(request.body.bookingIds) }),
  );
}
