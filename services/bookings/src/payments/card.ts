import { AppError, type FieldError } from '@aerofly/platform';
import type { CardDetails } from './payment-provider.js';

export function passesLuhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i += 1) {
    let digit = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  return digits.length > 0 && sum % 10 === 0;
}

export function cardBrand(digits: string): string {
  if (/^4/.test(digits)) return 'visa';
  if (/^(5[1-5]|2(2[2-9][1-9]|[3-6]\d\d|7[01]\d|720))/.test(digits)) return 'mastercard';
  if (/^3[47]/.test(digits)) return 'amex';
  if (/^6(011|5)/.test(digits)) return 'discover';
  return 'card';
}

/** Luhn, an expiry month that has not ended yet, and a CVC of the brand's length: 400 naming the field. */
export function assertValidCard(card: CardDetails, now: Date): { brand: string; last4: string } {
  const errors: FieldError[] = [];
  const brand = cardBrand(card.number);
  if (!passesLuhn(card.number)) errors.push({ field: 'card.number', message: 'is not a valid card number' });
  // A card is valid through the last day of its expiry month.
  const endOfMonth = Date.UTC(card.expYear, card.expMonth, 1);
  if (endOfMonth <= now.getTime()) errors.push({ field: 'card.expYear', message: 'the card has expired' });
  const cvcLength = brand === 'amex' ? 4 : 3;
  if (card.cvc.length !== cvcLength) errors.push({ field: 'card.cvc', message: `must be ${cvcLength} digits` });
  if (errors.length > 0) {
    throw new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  }
  return { brand, last4: card.number.slice(-4) };
}
