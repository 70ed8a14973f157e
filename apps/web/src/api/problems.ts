import type { ErrorCode } from '@aerofly/contracts';

/** Plain sentences for the API's problem codes; the screen may add what to do next. */
const sentences: Record<ErrorCode, string> = {
  VALIDATION_FAILED: 'Some details are not valid. Please check the highlighted fields.',
  IDEMPOTENCY_KEY_REQUIRED: 'The request could not be sent safely. Please try again.',
  UNAUTHENTICATED: 'Please log in to continue.',
  FORBIDDEN: 'You do not have access to this page.',
  INVALID_CREDENTIALS: 'That email and password do not match an account.',
  REFRESH_TOKEN_REUSED: 'Your session ended for safety. Please log in again.',
  REFRESH_TOKEN_INVALID: 'Your session has ended. Please log in again.',
  NOT_FOUND: 'We could not find that. It may have been removed.',
  PAYLOAD_TOO_LARGE: 'That is too much data to send at once.',
  URI_TOO_LONG: 'That address is too long. Please go back and try again.',
  HEADERS_TOO_LARGE: 'Your browser sent too much data. Clearing this site’s cookies usually helps.',
  REQUEST_TIMEOUT: 'The connection was too slow. Please try again.',
  EMAIL_TAKEN: 'An account with this email already exists. Try logging in instead.',
  RESOURCE_IN_USE: 'This is still in use and cannot be changed or removed.',
  SEATS_UNAVAILABLE: 'Sorry, there are not enough seats left on this flight. Try another flight or fewer passengers.',
  SEAT_TAKEN: 'One of the seats you picked was just taken. Please pick another seat.',
  FLIGHT_NOT_BOOKABLE: 'This flight can no longer be booked (it was cancelled or has departed).',
  INVALID_BOOKING_STATE: 'This booking cannot be changed in its current state.',
  BOOKING_EXPIRED: 'Your seat hold expired and the seats were released. Nothing was charged.',
  BOOKING_ALREADY_PAID: 'This booking is already paid.',
  IDEMPOTENCY_KEY_IN_USE: 'Your previous attempt is still being processed. Please wait a moment.',
  PAYMENT_DECLINED: 'Your card was declined. Nothing was charged; try another card.',
  INSUFFICIENT_FUNDS: 'Your card has insufficient funds. Nothing was charged; try another card.',
  AMOUNT_MISMATCH: 'The price changed. Please review the total and try again.',
  IDEMPOTENCY_KEY_MISMATCH: 'This request conflicts with an earlier one. Please try again.',
  RATE_LIMITED: 'Too many attempts. Please wait a moment and try again.',
  UPSTREAM_UNAVAILABLE: 'Part of AeroFly is unavailable right now. Please try again shortly.',
  DEPENDENCY_UNAVAILABLE: 'AeroFly is having trouble right now. Please try again shortly.',
  UPSTREAM_TIMEOUT: 'AeroFly took too long to answer. Please try again.',
  PAYMENT_PROVIDER_TIMEOUT:
    'The card processor did not answer in time. We are checking the payment; you will not be charged twice. Check this booking again in a minute.',
  INTERNAL_ERROR: 'Something went wrong on our side. Please try again.',
};

export function sentenceFor(code: string | undefined, status?: number): string {
  if (code && code in sentences) return sentences[code as ErrorCode];
  if (status === 0) return 'Could not reach AeroFly. Check your connection and try again.';
  if (status && status >= 500) return sentences.INTERNAL_ERROR;
  return 'Something went wrong. Please try again.';
}
