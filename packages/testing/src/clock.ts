import type { Clock } from '@aerofly/platform';

/** A clock that stands still until the test moves it. */
export class FakeClock implements Clock {
  private current: number;

  constructor(start: Date | string = '2030-01-15T10:00:00.000Z') {
    this.current = new Date(start).getTime();
  }

  now(): Date {
    return new Date(this.current);
  }

  advance(ms: number): Date {
    this.current += ms;
    return this.now();
  }

  advanceSeconds(seconds: number): Date {
    return this.advance(seconds * 1000);
  }

  set(at: Date | string): void {
    this.current = new Date(at).getTime();
  }
}
