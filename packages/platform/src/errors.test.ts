import { describe, expect, it } from 'vitest';
import { AppError } from './errors.js';

describe('AppError', () => {
  it('when the code is a 4xx, then no stack trace is captured', () => {
    const error = new AppError('SEATS_UNAVAILABLE', 'No seats left');
    expect(error.status).toBe(409);
    expect(error.stack).toBe('AppError: No seats left');
  });

  it('when the code is a 5xx, then the stack trace is kept to find the fault', () => {
    const error = new AppError('INTERNAL_ERROR', 'flights answered a hold for other flights');
    expect(error.status).toBe(500);
    expect(error.stack).toContain('errors.test.ts');
  });

  it('when an AppError is made, then the process-wide stack trace limit stays as it was', () => {
    const before = Error.stackTraceLimit;
    new AppError('NOT_FOUND');
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error('plain').stack).toContain('errors.test.ts');
  });
});
