import { AppError } from '@aerofly/platform';

/** Opaque cursors: base64url JSON of the last item's sort key. */
export const encodeCursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

export function decodeCursor<T>(cursor: string, isValid: (value: unknown) => value is T): T {
  try {
    const value: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (isValid(value)) return value;
  } catch {
    // fall through to the validation error
  }
  throw new AppError('VALIDATION_FAILED', 'cursor: is not a cursor this list gave out', {
    errors: [{ field: 'cursor', message: 'is not a cursor this list gave out' }],
  });
}

export const isStringTuple =
  (length: number) =>
  (value: unknown): value is string[] =>
    Array.isArray(value) && value.length === length && value.every((v) => typeof v === 'string');

export const invalid = (field: string, message: string) =>
  new AppError('VALIDATION_FAILED', `${field}: ${message}`, { errors: [{ field, message }] });
