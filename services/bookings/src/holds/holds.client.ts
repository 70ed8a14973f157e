import { Hold, ReleaseHoldsResult, type HoldRequest, type ReleaseReason } from '@aerofly/contracts';
import { AppError, createServiceClient, type ServiceTokenSigner } from '@aerofly/platform';

/**
 * The flights service's seat holds as bookings uses them (contracts/holds.ts). Every call is keyed
 * by booking id and idempotent on the flights side, so any of them may be retried.
 */
export type HoldsClient = {
  hold(request: HoldRequest): Promise<Hold>;
  /** Keeps the hold while a payment runs (until the payment lease ends). */
  pin(bookingId: string, until: Date): Promise<Hold>;
  /** Turns the hold into a sale; `SEATS_UNAVAILABLE` when the hold was already released. */
  confirm(bookingId: string): Promise<Hold>;
  /** Gives the seats back; done once whoever calls, and a hold flights never made counts as released. */
  release(bookingId: string): Promise<void>;
  /**
   * `release` for up to 1,000 bookings in one call. Every id comes back in one of the lists, and
   * each of them means the same for bookings: flights holds no seats for it any more.
   */
  releaseMany(bookingIds: string[], reason?: ReleaseReason): Promise<ReleaseHoldsResult>;
};

export function createHoldsClient(options: { baseUrl: string; signer: ServiceTokenSigner; timeoutMs?: number }): HoldsClient {
  const client = createServiceClient({
    baseUrl: options.baseUrl,
    audience: 'flights',
    signer: options.signer,
    ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
  });
  const path = (bookingId: string, action: string) => `/internal/v1/holds/${encodeURIComponent(bookingId)}/${action}`;
  return {
    hold: (request) => client.request('POST', '/internal/v1/holds', { body: request, response: Hold }),
    pin: (bookingId, until) => client.request('POST', path(bookingId, 'pin'), { body: { until: until.toISOString() }, response: Hold }),
    confirm: (bookingId) => client.request('POST', path(bookingId, 'confirm'), { body: {}, response: Hold }),
    async release(bookingId) {
      try {
        await client.request('POST', path(bookingId, 'release'), { body: {}, response: Hold });
      } catch (error) {
        if (error instanceof AppError && error.code === 'NOT_FOUND') return;
        throw error;
      }
    },
    releaseMany: (bookingIds, reason) =>
      client.request('POST', '/internal/v1/holds/release', {
        body: { bookingIds, ...(reason ? { reason } : {}) },
        response: ReleaseHoldsResult,
      }),
  };
}
