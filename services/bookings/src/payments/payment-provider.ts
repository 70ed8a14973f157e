import type { Money } from '@aerofly/contracts';

/** Card data as it arrives; it lives only in memory for the length of one charge. */
export type CardDetails = { number: string; expMonth: number; expYear: number; cvc: string };

export type ChargeResult =
  { status: 'succeeded'; reference: string } | { status: 'failed'; code: 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS'; reference: string };

export type AttemptState =
  | { status: 'succeeded'; reference: string; amount: Money }
  | { status: 'failed'; code: string }
  /** The provider never saw this attempt: nothing was charged. */
  | { status: 'not_found' };

/** The provider did not answer in time: the charge may or may not have happened. */
export class PaymentProviderTimeoutError extends Error {
  constructor(message = 'The payment provider did not answer in time') {
    super(message);
    this.name = 'PaymentProviderTimeoutError';
  }
}

/**
 * A card processor. Every call carries our idempotency key, so a retry never charges or
 * refunds twice; a real provider plugs in here without touching the booking flow.
 */
export interface PaymentProvider {
  charge(input: { idempotencyKey: string; amount: Money; card: CardDetails; description: string }): Promise<ChargeResult>;
  getAttempt(idempotencyKey: string): Promise<AttemptState>;
  refund(input: { chargeIdempotencyKey: string; idempotencyKey: string; amount: Money }): Promise<{ reference: string }>;
}
