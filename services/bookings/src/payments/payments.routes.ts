import { BookingIdParams, BookingView, PayBookingBody, Problem } from '@aerofly/contracts';
import { requireUser, type App, type Clock } from '@aerofly/platform';
import { toView } from '../bookings/bookings.views.js';
import type { PayBookingFlow } from './pay-booking.flow.js';

const errors = {
  400: Problem,
  401: Problem,
  402: Problem,
  404: Problem,
  409: Problem,
  422: Problem,
  502: Problem,
  503: Problem,
  504: Problem,
};

export async function paymentRoutes(app: App, { flow, clock }: { flow: PayBookingFlow; clock: Clock }) {
  app.post(
    '/api/v1/bookings/:id/payments',
    {
      config: { auth: 'user', idempotency: 'required' },
      schema: {
        tags: ['payments'],
        summary: 'Pay a PENDING booking by card (Idempotency-Key required); charged at most once',
        security: [{ bearerAuth: [] }],
        params: BookingIdParams,
        body: PayBookingBody,
        response: { 201: BookingView, ...errors },
      },
    },
    async (request, reply) => {
      const booking = await flow.payBooking(requireUser(request), request.params.id, request.body);
      return reply.status(201).send(toView(booking, clock.now()));
    },
  );
}
