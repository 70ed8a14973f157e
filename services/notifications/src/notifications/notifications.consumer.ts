import { consumerQueues } from '@aerofly/contracts';
import { isConnectionError, type Bus } from '@aerofly/platform';
import { emailTopics } from '../emails/emails.js';
import { EmailNotSentError, type NotificationsService } from './notifications.service.js';

export const emailQueue = consumerQueues.email.queue;

export type EmailConsumerOptions = { maxAttempts: number; retryDelaysMs: number[]; prefetch: number };

/** Every instance subscribes under the same queue name, so instances share the work. */
export async function subscribeEmailConsumer(bus: Bus, service: NotificationsService, options: EmailConsumerOptions): Promise<void> {
  await bus.subscribe(
    {
      queue: emailQueue,
      topics: [...emailTopics],
      maxAttempts: options.maxAttempts,
      retryDelaysMs: options.retryDelaysMs,
      prefetch: options.prefetch,
      // The database being away is waited out; a failed send spends an attempt, however it failed.
      isOutage: (error) => !(error instanceof EmailNotSentError) && isConnectionError(error),
    },
    (event, delivery) => service.handleEvent(event, delivery),
  );
}
