/** Time source. Inject it wherever "now" decides an outcome, so tests can move time. */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };
