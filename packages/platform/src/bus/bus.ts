import type { EventEnvelope } from '@aerofly/contracts';

export type Delivery = { attempt: number };
/** Throwing means "not done": the message is retried with backoff, then dead-lettered (outages aside: `isOutage`). */
export type EventHandler = (event: EventEnvelope, delivery: Delivery) => Promise<void>;

export type SubscribeOptions = {
  /** Consumer name; instances with the same name share the work. */
  queue: string;
  /** Topic patterns on the event type: `booking.*`, `flight.cancelled`, `#`. */
  topics: string[];
  /** Attempts before the message goes to the dead-letter queue. */
  maxAttempts?: number;
  /** Delay before attempt n+1; the last value repeats. */
  retryDelaysMs?: number[];
  /** How many messages may be in flight at once per instance. */
  prefetch?: number;
  /**
   * Says a failure came from a dependency being away (the database, say) rather than from the work:
   * such a failure is retried on the same backoff without spending an attempt, so an outage longer
   * than the retry schedule never dead-letters a message. Without it every failure counts.
   */
  isOutage?: (error: unknown) => boolean;
};

/** A consumer queue that must exist before anything is published (see `consumerQueues` in contracts). */
export type DeclaredQueue = { queue: string; topics: readonly string[] };

/**
 * Domain events, at least once. RabbitMQ in server mode, in-process in embedded mode; both give
 * topic routing, manual ack, retry with backoff and a dead-letter queue after `maxAttempts`.
 */
export interface Bus {
  readonly kind: 'rabbitmq' | 'memory';
  /** Resolves once the broker confirmed the message (in-process: once every subscriber acked). */
  publish(event: EventEnvelope): Promise<void>;
  subscribe(options: SubscribeOptions, handler: EventHandler): Promise<void>;
  /** Moves dead letters of a consumer back to its queue; returns how many moved. */
  replayDeadLetters(queue: string): Promise<number>;
  /** How many messages wait in a consumer's dead-letter queue (for operators and tests). */
  deadLetterCount(queue: string): Promise<number>;
  isHealthy(): boolean;
  /** Stops consuming and closes the connection. */
  close(): Promise<void>;
}

export const defaultRetryDelaysMs = [1000, 5000, 15_000, 60_000];
export const defaultMaxAttempts = 5;

/** AMQP topic semantics: `*` is exactly one word, `#` zero or more. */
export function topicMatches(pattern: string, routingKey: string): boolean {
  const p = pattern.split('.');
  const k = routingKey.split('.');
  const match = (i: number, j: number): boolean => {
    if (i === p.length) return j === k.length;
    if (p[i] === '#') return match(i + 1, j) || (j < k.length && match(i, j + 1));
    if (j === k.length) return false;
    return (p[i] === '*' || p[i] === k[j]) && match(i + 1, j + 1);
  };
  return match(0, 0);
}

export const retryDelay = (delays: number[], attempt: number): number => delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000;
