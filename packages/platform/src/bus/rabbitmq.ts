import { EventEnvelope } from '@aerofly/contracts';
import amqp, { type Channel, type ChannelModel, type ConfirmChannel, type ConsumeMessage } from 'amqplib';
import type { Logger } from '../logger.js';
import {
  type Bus,
  type DeclaredQueue,
  type EventHandler,
  type SubscribeOptions,
  defaultMaxAttempts,
  defaultRetryDelaysMs,
  retryDelay,
  topicMatches,
} from './bus.js';

/** amqplib hands confirm failures over as anything; keep a real Error for the logs. */
const asError = (error: unknown): Error => (error instanceof Error ? error : new Error(JSON.stringify(error)));

type Subscription = {
  options: SubscribeOptions;
  handler: EventHandler;
  channel?: ConfirmChannel;
  consumerTag?: string;
  starting?: Promise<void>;
  /** Handlers running now, awaited on close so a shutdown never cuts one off before its ack. */
  inFlight: Set<Promise<void>>;
};

export type RabbitBusOptions = {
  url: string;
  logger: Logger;
  /** Prefix of every exchange and queue name; tests use a unique one for isolation. */
  namespace?: string;
  publishTimeoutMs?: number;
  /** Consumer queues declared (with their bindings) on every connect, before anything is published. */
  declaredQueues?: readonly DeclaredQueue[];
};

/**
 * RabbitMQ bus: a durable topic exchange, one quorum queue per consumer with a dead-letter queue,
 * per-attempt delay queues for backoff, publisher confirms and manual acks. Reconnects by itself
 * after a broker restart and re-declares its topology and consumers.
 */
export type RabbitBus = Bus & {
  connected(): Promise<void>;
  /** Deletes the exchange and every queue this instance declared (throwaway namespaces in tests). */
  deleteTopology(): Promise<void>;
};

export function createRabbitBus(options: RabbitBusOptions): RabbitBus {
  const ns = options.namespace ?? 'aerofly';
  const exchange = `${ns}.events`;
  const logger = options.logger;
  const subscriptions: Subscription[] = [];
  let connection: ChannelModel | undefined;
  let publishChannel: ConfirmChannel | undefined;
  let connecting: Promise<void> | undefined;
  let closed = false;
  let reconnectDelayMs = 200;
  let reconnectTimer: NodeJS.Timeout | undefined;

  const queueName = (queue: string) => `${ns}.${queue}`;
  const mainQueueOptions = { durable: true, arguments: { 'x-queue-type': 'quorum' } };
  const dlqName = (queue: string) => `${ns}.${queue}.dlq`;
  const retryQueueName = (queue: string, attempt: number) => `${ns}.${queue}.retry.${attempt}`;

  const connect = async () => {
    const url = new URL(options.url);
    if (!url.searchParams.has('heartbeat')) url.searchParams.set('heartbeat', '10');
    const conn = await amqp.connect(url.toString());
    conn.on('error', (error: Error) => logger.warn({ err: error }, 'rabbitmq connection error'));
    conn.on('close', () => {
      if (connection === conn) {
        connection = undefined;
        publishChannel = undefined;
        for (const subscription of subscriptions) delete subscription.channel;
      }
      if (!closed) scheduleReconnect();
    });
    try {
      const channel = await conn.createConfirmChannel();
      channel.on('error', (error: Error) => logger.warn({ err: error }, 'rabbitmq publish channel error'));
      // A publish channel closed by the broker (while the connection lives) would leave the bus
      // looking healthy but unable to publish: start over with a fresh connection instead.
      channel.on('close', () => {
        if (publishChannel === channel && !closed) {
          publishChannel = undefined;
          conn.close().catch(() => undefined);
        }
      });
      await channel.assertExchange(exchange, 'topic', { durable: true });
      // A consumer that has never run yet still gets what is published from now on: its queue exists.
      // The arguments match its own declaration (assertTopology), so either may come first.
      for (const declared of options.declaredQueues ?? []) {
        await channel.assertQueue(queueName(declared.queue), mainQueueOptions);
        for (const topic of declared.topics) await channel.bindQueue(queueName(declared.queue), exchange, topic);
      }
      connection = conn;
      publishChannel = channel;
      for (const subscription of subscriptions) await startConsumer(subscription);
    } catch (error) {
      // Half-built connections would leak; closing one schedules the next attempt.
      await conn.close().catch(() => undefined);
      throw error;
    }
    reconnectDelayMs = 200;
    logger.info({ exchange }, 'rabbitmq connected');
  };

  const ensureConnected = async () => {
    if (publishChannel) return;
    connecting ??= connect().finally(() => {
      connecting = undefined;
    });
    await connecting;
  };

  const scheduleReconnect = () => {
    if (reconnectTimer || closed) return;
    logger.warn({ inMs: reconnectDelayMs }, 'rabbitmq disconnected; reconnecting');
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      ensureConnected().catch((error: unknown) => {
        logger.warn({ err: error }, 'rabbitmq reconnect failed');
        reconnectDelayMs = Math.min(reconnectDelayMs * 2, 5000);
        scheduleReconnect();
      });
    }, reconnectDelayMs);
    reconnectTimer.unref();
  };

  const assertTopology = async (channel: Channel, subscription: SubscribeOptions) => {
    const queue = queueName(subscription.queue);
    const delays = subscription.retryDelaysMs ?? defaultRetryDelaysMs;
    await channel.assertExchange(exchange, 'topic', { durable: true });
    await channel.assertQueue(dlqName(subscription.queue), { durable: true, arguments: { 'x-queue-type': 'quorum' } });
    await channel.assertQueue(queue, mainQueueOptions);
    for (const topic of subscription.topics) await channel.bindQueue(queue, exchange, topic);
    // One delay queue per attempt: a fixed TTL per queue avoids head-of-line blocking.
    const maxAttempts = subscription.maxAttempts ?? defaultMaxAttempts;
    for (let attempt = 1; attempt < maxAttempts; attempt += 1) {
      await channel.assertQueue(retryQueueName(subscription.queue, attempt), {
        durable: true,
        arguments: {
          'x-message-ttl': delays[Math.min(attempt - 1, delays.length - 1)] ?? 1000,
          'x-dead-letter-exchange': '',
          'x-dead-letter-routing-key': queue,
        },
      });
    }
  };

  const sendConfirmed = (channel: ConfirmChannel, queue: string, content: Buffer, headers: Record<string, unknown>, messageId?: string) =>
    new Promise<void>((resolve, reject) => {
      channel.sendToQueue(
        queue,
        content,
        { persistent: true, contentType: 'application/json', headers, ...(messageId ? { messageId } : {}) },
        (error: unknown) => (error ? reject(asError(error)) : resolve()),
      );
    });

  /** Starts one consumer per subscription and connection; concurrent callers share the start. */
  const startConsumer = (subscription: Subscription): Promise<void> => {
    if (subscription.channel || !connection) return Promise.resolve();
    subscription.starting ??= consume(subscription, connection).finally(() => {
      delete subscription.starting;
    });
    return subscription.starting;
  };

  const consume = async (subscription: Subscription, conn: ChannelModel) => {
    const { options: sub, handler } = subscription;
    const channel = await conn.createConfirmChannel();
    channel.on('error', (error: Error) => logger.warn({ err: error, queue: sub.queue }, 'rabbitmq consumer channel error'));
    channel.on('close', () => {
      if (subscription.channel !== channel) return;
      delete subscription.channel;
      // The broker closed only this channel (e.g. a protocol error): consume again on the same connection.
      if (!closed && connection === conn) {
        setTimeout(() => {
          startConsumer(subscription).catch((error: unknown) =>
            logger.warn({ err: error, queue: sub.queue }, 'rabbitmq consumer restart failed'),
          );
        }, 200).unref();
      }
    });
    await assertTopology(channel, sub);
    await channel.prefetch(sub.prefetch ?? 16);
    subscription.channel = channel;
    const maxAttempts = sub.maxAttempts ?? defaultMaxAttempts;

    const onMessage = async (message: ConsumeMessage | null) => {
      if (!message) return; // consumer cancelled by the broker; the reconnect re-creates it
      // A foreign or damaged header must not send the message to a retry queue that does not exist
      // (the default exchange would drop it silently): anything but a positive integer is attempt 1.
      const header = Number(message.properties.headers?.['x-attempt'] ?? 1);
      const attempt = Number.isInteger(header) && header >= 1 ? Math.min(header, maxAttempts) : 1;
      let event: EventEnvelope;
      try {
        event = EventEnvelope.parse(JSON.parse(message.content.toString('utf8')));
      } catch (error) {
        await deadLetter(channel, sub.queue, message, error);
        return;
      }
      if (!sub.topics.some((topic) => topicMatches(topic, event.type)) && message.fields.routingKey !== queueName(sub.queue)) {
        safeAck(channel, message);
        return;
      }
      try {
        await handler(event, { attempt });
        safeAck(channel, message);
      } catch (error) {
        const outage = sub.isOutage?.(error) ?? false;
        if (attempt >= maxAttempts && !outage) {
          await deadLetter(channel, sub.queue, message, error);
          return;
        }
        logger.warn({ err: error, queue: sub.queue, eventId: event.id, attempt, outage }, 'event handler failed; retrying');
        if (maxAttempts === 1) {
          // No delay queue exists for a single attempt: an outage waits here, then goes back to the queue.
          await new Promise((resolve) => setTimeout(resolve, retryDelay(sub.retryDelaysMs ?? defaultRetryDelaysMs, 1)));
          safeNack(channel, message);
          return;
        }
        try {
          // An outage keeps its attempt number and waits on the delay of the attempt it is at.
          await sendConfirmed(
            channel,
            retryQueueName(sub.queue, Math.min(attempt, maxAttempts - 1)),
            message.content,
            {
              ...message.properties.headers,
              'x-attempt': outage ? attempt : attempt + 1,
            },
            event.id,
          );
          safeAck(channel, message);
        } catch (publishError) {
          logger.warn({ err: publishError }, 'could not schedule retry; requeueing');
          safeNack(channel, message);
        }
      }
    };
    const { consumerTag } = await channel.consume(
      queueName(sub.queue),
      (message) => {
        const running = onMessage(message).catch((error: unknown) => {
          // Never let a lost channel turn into an unhandled rejection: the broker redelivers unacked messages.
          logger.warn({ err: error, queue: sub.queue }, 'rabbitmq message handling failed');
        });
        subscription.inFlight.add(running);
        void running.finally(() => subscription.inFlight.delete(running));
      },
      { noAck: false },
    );
    subscription.consumerTag = consumerTag;
  };

  /**
   * amqplib re-throws a channel's 'error' event when nobody listens, and that takes the whole
   * connection down (every consumer and the publisher): a 404 on a side channel must close only it.
   */
  const listenForErrors = <C extends Channel>(channel: C): C => {
    channel.on('error', (error: Error) => logger.debug({ err: error }, 'rabbitmq side channel closed'));
    return channel;
  };

  const safeAck = (channel: Channel, message: ConsumeMessage) => {
    try {
      channel.ack(message);
    } catch (error) {
      // The channel went away after the work was stored: the broker redelivers and the consumer dedupes.
      logger.warn({ err: error }, 'rabbitmq ack failed; message will be redelivered');
    }
  };

  const safeNack = (channel: Channel, message: ConsumeMessage) => {
    try {
      channel.nack(message, false, true);
    } catch {
      // channel already gone: the broker redelivers unacked messages anyway
    }
  };

  const deadLetter = async (channel: ConfirmChannel, queue: string, message: ConsumeMessage, error: unknown) => {
    logger.error({ err: error, queue }, 'message dead-lettered');
    try {
      await sendConfirmed(channel, dlqName(queue), message.content, {
        ...message.properties.headers,
        'x-error': error instanceof Error ? error.message.slice(0, 500) : String(error),
      });
      safeAck(channel, message);
    } catch (publishError) {
      logger.warn({ err: publishError }, 'could not dead-letter; requeueing');
      safeNack(channel, message);
    }
  };

  // Connect at once so readiness reflects the broker; failures retry in the background.
  ensureConnected().catch((error: unknown) => {
    logger.warn({ err: error }, 'rabbitmq not reachable yet');
    scheduleReconnect();
  });

  return {
    kind: 'rabbitmq',
    connected: ensureConnected,
    async publish(event) {
      if (closed) throw new Error('bus closed');
      await ensureConnected();
      const channel = publishChannel;
      if (!channel) throw new Error('rabbitmq not connected');
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error('rabbitmq publish confirm timed out')), options.publishTimeoutMs ?? 5000);
        try {
          channel.publish(
            exchange,
            event.type,
            Buffer.from(JSON.stringify(event)),
            { persistent: true, contentType: 'application/json', messageId: event.id, type: event.type, headers: { 'x-attempt': 1 } },
            (error: unknown) => {
              clearTimeout(timer);
              if (error) reject(asError(error));
              else resolve();
            },
          );
        } catch (error) {
          // The channel closed between the check and the publish: fail now, not after the timeout.
          clearTimeout(timer);
          reject(asError(error));
        }
      });
    },
    async subscribe(subscribeOptions, handler) {
      const subscription: Subscription = { options: subscribeOptions, handler, inFlight: new Set() };
      subscriptions.push(subscription);
      await ensureConnected();
      await startConsumer(subscription);
    },
    async replayDeadLetters(queue) {
      await ensureConnected();
      if (!connection) return 0;
      const channel = listenForErrors(await connection.createConfirmChannel());
      let moved = 0;
      try {
        // Only what is dead now: a letter that fails again on replay must not loop here forever.
        const messageCount = await channel.checkQueue(dlqName(queue)).then(
          (info) => info.messageCount,
          (error: unknown) => {
            if ((error as { code?: unknown }).code === 404) return 0; // nobody ever subscribed under this name
            throw error;
          },
        );
        for (let i = 0; i < messageCount; i += 1) {
          const message = await channel.get(dlqName(queue), { noAck: false });
          if (!message) break;
          await sendConfirmed(channel, queueName(queue), message.content, { ...message.properties.headers, 'x-attempt': 1 });
          channel.ack(message);
          moved += 1;
        }
      } finally {
        await channel.close().catch(() => undefined);
      }
      return moved;
    },
    async deleteTopology() {
      await ensureConnected();
      if (!connection) return;
      const channel = listenForErrors(await connection.createChannel());
      try {
        for (const { options: sub } of subscriptions) {
          const maxAttempts = sub.maxAttempts ?? defaultMaxAttempts;
          const names = [queueName(sub.queue), dlqName(sub.queue)];
          for (let attempt = 1; attempt < maxAttempts; attempt += 1) names.push(retryQueueName(sub.queue, attempt));
          for (const name of names) await channel.deleteQueue(name);
        }
        await channel.deleteExchange(exchange);
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
    async deadLetterCount(queue) {
      await ensureConnected();
      if (!connection) return 0;
      const channel = listenForErrors(await connection.createChannel());
      try {
        return (await channel.checkQueue(dlqName(queue))).messageCount;
      } catch (error) {
        if ((error as { code?: unknown }).code === 404) return 0; // nobody ever subscribed under this name
        throw error;
      } finally {
        await channel.close().catch(() => undefined);
      }
    },
    isHealthy: () => publishChannel !== undefined,
    async close() {
      closed = true;
      clearTimeout(reconnectTimer);
      // Stop taking messages, let the handlers in flight finish and ack, then close.
      for (const subscription of subscriptions) {
        if (subscription.channel && subscription.consumerTag)
          await subscription.channel.cancel(subscription.consumerTag).catch(() => undefined);
      }
      await Promise.allSettled(subscriptions.flatMap((subscription) => [...subscription.inFlight]));
      for (const subscription of subscriptions) await subscription.channel?.close().catch(() => undefined);
      await connection?.close().catch(() => undefined);
      connection = undefined;
      publishChannel = undefined;
    },
  };
}
