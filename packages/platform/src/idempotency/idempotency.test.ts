import { describe, expect, it } from 'vitest';
import { isStoredOutcome } from './plugin.js';
import { canonicalJson } from './store.js';

describe('idempotency rules', () => {
  it('when two bodies differ only in key order or undefined fields, then they hash as the same request', () => {
    expect(canonicalJson({ b: 1, a: { d: [1, { y: 2, x: 1 }], c: undefined } })).toBe(
      canonicalJson({ a: { d: [1, { x: 1, y: 2 }] }, b: 1 }),
    );
    expect(canonicalJson({ a: 1 })).not.toBe(canonicalJson({ a: '1' }));
    expect(canonicalJson(undefined)).toBe('null');
  });

  it.each([
    [201, undefined, false, true],
    [200, undefined, false, true],
    [402, 'PAYMENT_DECLINED', false, true],
    [404, 'NOT_FOUND', false, true],
    [409, 'SEATS_UNAVAILABLE', false, true],
    [409, 'BOOKING_ALREADY_PAID', false, true],
    [422, 'AMOUNT_MISMATCH', false, true],
    [400, 'VALIDATION_FAILED', false, false],
    [401, 'UNAUTHENTICATED', false, false],
    [403, 'FORBIDDEN', false, false],
    [409, 'IDEMPOTENCY_KEY_IN_USE', true, false],
    [409, 'INVALID_BOOKING_STATE', true, false],
    [422, 'IDEMPOTENCY_KEY_MISMATCH', false, false],
    [429, 'RATE_LIMITED', true, false],
    [500, 'INTERNAL_ERROR', false, false],
    [502, 'UPSTREAM_UNAVAILABLE', false, false],
    [504, 'PAYMENT_PROVIDER_TIMEOUT', false, false],
  ])('when a keyed request ends with %i %s (Retry-After: %s), then stored is %s', (status, code, retryAfter, stored) => {
    expect(isStoredOutcome(status, code, retryAfter)).toBe(stored);
  });
});
