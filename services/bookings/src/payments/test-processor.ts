import { randomBytes } from 'node:crypto';
import type { Db } from '@aerofly/platform';
import { cardBrand } from './card.js';
import { PaymentProviderTimeoutError, type AttemptState, type ChargeResult, type PaymentProvider } from './payment-provider.js';

/** DESIGN.md §5 test cards. */
export const testCards = {
  succeeds: '4242424242424242',
  declined: '4000000000000002',
  insufficientFunds: '4000000000009995',
  timesOut: '4000000000000119',
} as const;

type ChargeRow = { reference: string; status: 'SUCCEEDED' | 'FAILED'; failureCode: string | null; amount: number; currency: string };

/**
 * A card processor in test mode, as real ones offer: its ledger is durable (its own table) and
 * keyed by the idempotency key we send, so a retried charge answers the first result. The
 * timeout card is charged, then the answer is lost, as with a real network timeout.
 */
export function createTestProcessor(options: { db: Db; timeoutDelayMs?: number }): PaymentProvider & { chargeCount(): Promise<number> } {
  const table = 'bookings.test_processor_charges';
  const read = async (key: string) =>
    (
      await options.db.query<ChargeRow>(
        `SELECT reference, status, failure_code AS "failureCode", amount, currency FROM ${table} WHERE idempotency_key = $1`,
        [key],
      )
    ).rows[0];

  return {
    async charge({ idempotencyKey, amount, card }) {
      const outcome =
        card.number === testCards.declined
          ? { status: 'FAILED', code: 'PAYMENT_DECLINED' }
          : card.number === testCards.insufficientFunds
            ? { status: 'FAILED', code: 'INSUFFICIENT_FUNDS' }
            : { status: 'SUCCEEDED', code: null };
      await options.db.query(
        `INSERT INTO ${table} (idempotency_key, reference, amount, currency, brand, last4, status, failure_code)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT (idempotency_key) DO NOTHING`,
        [
          idempotencyKey,
          `ch_${randomBytes(10).toString('hex')}`,
          amount.amount,
          amount.currency,
          cardBrand(card.number),
          card.number.slice(-4),
          outcome.status,
          outcome.code,
        ],
      );
      if (card.number === testCards.timesOut) {
        if (options.timeoutDelayMs) await new Promise((resolve) => setTimeout(resolve, options.timeoutDelayMs));
        throw new PaymentProviderTimeoutError();
      }
      const row = await read(idempotencyKey);
      if (!row) throw new Error('test processor lost a charge');
      return row.status === 'SUCCEEDED'
        ? ({ status: 'succeeded', reference: row.reference } satisfies ChargeResult)
        : ({
            status: 'failed',
            code: row.failureCode as 'PAYMENT_DECLINED' | 'INSUFFICIENT_FUNDS',
            reference: row.reference,
          } satisfies ChargeResult);
    },

    async getAttempt(idempotencyKey): Promise<AttemptState> {
      const row = await read(idempotencyKey);
      if (!row) return { status: 'not_found' };
      if (row.status === 'FAILED') return { status: 'failed', code: row.failureCode ?? 'PAYMENT_DECLINED' };
      return { status: 'succeeded', reference: row.reference, amount: { amount: Number(row.amount), currency: row.currency } };
    },

    async refund({ chargeIdempotencyKey, idempotencyKey, amount }) {
      // The refund key makes a retried refund a no-op; a charge is refunded at most once.
      await options.db.query(
        `UPDATE ${table} SET refunded_amount = $3, refund_key = $2, refunded_at = now()
          WHERE idempotency_key = $1 AND status = 'SUCCEEDED' AND refund_key IS NULL AND amount >= $3`,
        [chargeIdempotencyKey, idempotencyKey, amount.amount],
      );
      const { rows } = await options.db.query<{ refundKey: string | null }>(
        `SELECT refund_key AS "refundKey" FROM ${table} WHERE idempotency_key = $1`,
        [chargeIdempotencyKey],
      );
      if (rows[0]?.refundKey !== idempotencyKey) throw new Error('refund refused by the test processor');
      return { reference: `re_${idempotencyKey}` };
    },

    async chargeCount() {
      const { rows } = await options.db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE status = 'SUCCEEDED'`);
      return rows[0]?.n ?? 0;
    },
  };
}
