import { randomUUID } from 'node:crypto';
import type { EventEnvelope } from '@aerofly/contracts';
import type { Delivery, Logger } from '@aerofly/platform';
import { composeEmail, type EmailSettings } from '../emails/emails.js';
import type { Mailer } from '../emails/mailer.js';
import type { Notification, NotificationStatus, NotificationsRepository } from './notifications.repository.js';

/** Another instance holds the send right now; retrying later finds it sent or the lease expired. */
export class NotificationBusyError extends Error {
  constructor(eventId: string) {
    super(`notification for event ${eventId} is being sent by another consumer`);
    this.name = 'NotificationBusyError';
  }
}

/** The SMTP server did not take the message: this counts as an attempt, even when it was a connection failure. */
export class EmailNotSentError extends Error {
  constructor(cause: unknown) {
    super(`email not sent: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = 'EmailNotSentError';
  }
}

/** Deterministic, so a resend after a crash carries the same Message-ID and mail systems can drop the copy. */
export const messageIdFor = (eventId: string, domain: string) => `<${eventId}@${domain}>`;

export type NotificationsService = ReturnType<typeof createNotificationsService>;

export function createNotificationsService(deps: {
  repository: NotificationsRepository;
  mailer: Mailer;
  settings: EmailSettings;
  logger: Logger;
  /** The bus's attempt budget: the last failed attempt marks the notification FAILED. */
  maxAttempts: number;
  /** Longer than the worst SMTP send (its timeouts), so a live send never loses its claim. */
  leaseSeconds: number;
}) {
  const { repository, mailer, settings, logger } = deps;

  /**
   * Handles one delivery of an event: stores the notification once per event id, claims the send,
   * sends, records the outcome. Returns normally only when the email is sent (now or before), so
   * the bus acks only after the effect is stored; every failure throws and the bus retries.
   */
  async function handleEvent(event: EventEnvelope, delivery: Delivery): Promise<void> {
    const email = composeEmail(event, settings);
    const messageId = messageIdFor(event.id, settings.senderDomain);
    await repository.insertIfAbsent({
      eventId: event.id,
      eventType: event.type,
      type: email.kind,
      recipient: email.to,
      subject: email.subject,
      messageId,
    });

    const token = randomUUID();
    if (!(await claimOrWait(event.id, token))) return; // a redelivery of something already done

    try {
      await mailer.send(email, messageId);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      const isFinal = delivery.attempt >= deps.maxAttempts;
      await repository.markFailedAttempt(event.id, token, message, isFinal);
      logger.warn({ eventId: event.id, attempt: delivery.attempt, isFinal, err: error }, 'email send failed');
      throw new EmailNotSentError(error);
    }

    if (!(await markSentPersistently(event.id, token))) {
      // Our lease ran out mid-send and someone else claimed it: they may send a second copy, with
      // the same Message-ID. Keep the lease longer than the SMTP timeouts so this stays theoretical.
      logger.error({ eventId: event.id }, 'email sent after its claim expired');
    }
    logger.info({ eventId: event.id, type: email.kind, messageId }, 'email sent');
  }

  /**
   * Claims the send. When another delivery of the same event holds it (a duplicate being handled
   * right now, or the stale claim of a consumer that died mid-send), waits until that one is sent
   * (false: nothing left to do) or its lease runs out and the claim can be taken over (true).
   * Waiting here rather than failing keeps a duplicate from burning retries into the DLQ.
   */
  async function claimOrWait(eventId: string, token: string): Promise<boolean> {
    const deadline = Date.now() + (deps.leaseSeconds + 5) * 1000;
    for (let pauseMs = 25; ; pauseMs = Math.min(pauseMs * 2, 500)) {
      if (await repository.claim(eventId, token, deps.leaseSeconds)) return true;
      const current = await repository.findByEventId(eventId);
      if (current?.status === 'SENT') return false;
      if (Date.now() > deadline) throw new NotificationBusyError(eventId);
      await new Promise((resolve) => setTimeout(resolve, pauseMs));
    }
  }

  /**
   * The SMTP server has the message: recording that is what keeps it from being sent twice, so a
   * short database hiccup is retried here before giving up (and letting the bus redeliver).
   */
  async function markSentPersistently(eventId: string, token: string): Promise<boolean> {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await repository.markSent(eventId, token);
      } catch (error) {
        if (attempt >= 5) throw error;
        logger.warn({ eventId, err: error }, 'could not record a sent email yet; retrying');
        await new Promise((resolve) => setTimeout(resolve, 100 * 2 ** attempt));
      }
    }
  }

  return {
    handleEvent,
    list: (filter: { status?: NotificationStatus; limit: number; after?: { createdAt: Date; id: string } }): Promise<Notification[]> =>
      repository.list(filter),
  };
}
