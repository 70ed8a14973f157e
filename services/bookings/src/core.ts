import {
  createIdempotencyStore,
  createServiceTokenSigner,
  type Bus,
  type Clock,
  type Db,
  type IdempotencyStore,
  type Kv,
  type Logger,
} from '@aerofly/platform';
import type { BookingsConfig } from './config.js';
import { createBookingService, type BookingService } from './bookings/bookings.service.js';
import { createSettlement } from './bookings/settlement.js';
import { createFlightCancelledHandler } from './events/flight-cancelled.consumer.js';
import { createHoldsClient, type HoldsClient } from './holds/holds.client.js';
import { createPayBookingFlow, type PayBookingFlow } from './payments/pay-booking.flow.js';
import type { PaymentProvider } from './payments/payment-provider.js';
import { createTestProcessor } from './payments/test-processor.js';
import { createSweeper, type Sweeper } from './sweeper/sweeper.js';

export type BookingsDeps = {
  config: Readonly<BookingsConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  /** Defaults to the flights service over HTTP; tests pass an in-memory one. */
  holds?: HoldsClient;
  /** Defaults to the built-in test processor. */
  paymentProvider?: PaymentProvider;
  /** Called after a commit that wrote events (pokes the outbox relay). */
  afterCommit?: () => void;
};

export type BookingsCore = {
  bookings: BookingService;
  payments: PayBookingFlow;
  sweeper: Sweeper;
  idempotency: IdempotencyStore;
  onFlightCancelled: ReturnType<typeof createFlightCancelledHandler>;
  holds: HoldsClient;
  provider: PaymentProvider;
};

/** Wires the bookings feature objects from the service's dependencies (shared by the app, workers and tests). */
export async function createBookingsCore(deps: BookingsDeps): Promise<BookingsCore> {
  const { db, clock, logger, config } = deps;
  const holds = deps.holds ?? (await realHolds(deps));
  const provider = deps.paymentProvider ?? createTestProcessor({ db, timeoutDelayMs: config.TEST_PAYMENT_TIMEOUT_MS });
  const afterCommit = () => deps.afterCommit?.();
  const settlement = createSettlement({ db, holds, provider, clock, logger });
  const idempotency = createIdempotencyStore({ db, kv: deps.kv, schema: 'bookings', logger, leaseMs: config.IDEMPOTENCY_LEASE_MS });
  const bookings = createBookingService({
    db,
    holds,
    settlement,
    clock,
    logger,
    holdSeconds: config.BOOKING_HOLD_SECONDS,
    currency: config.CURRENCY,
    afterCommit,
  });
  const payments = createPayBookingFlow({
    db,
    holds,
    provider,
    settlement,
    clock,
    logger,
    leaseSeconds: config.PAYMENT_LEASE_SECONDS,
    afterCommit,
  });
  const sweeper = createSweeper({ db, clock, logger, settlement, flow: payments, idempotency, afterCommit });
  const onFlightCancelled = createFlightCancelledHandler({ db, clock, logger, settlement, afterCommit });
  return { bookings, payments, sweeper, idempotency, onFlightCancelled, holds, provider };
}

async function realHolds(deps: BookingsDeps): Promise<HoldsClient> {
  const privateKeyPem = deps.config.SERVICE_PRIVATE_KEY;
  if (!privateKeyPem) throw new Error('SERVICE_PRIVATE_KEY is required: bookings calls flights with a service token');
  const signer = await createServiceTokenSigner({ privateKeyPem, serviceName: 'bookings' });
  return createHoldsClient({ baseUrl: deps.config.FLIGHTS_URL, signer, timeoutMs: deps.config.UPSTREAM_TIMEOUT_MS });
}
