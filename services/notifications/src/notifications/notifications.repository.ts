import { randomUUID } from 'node:crypto';
import type { Queryable } from '@aerofly/platform';

export type NotificationStatus = 'PENDING' | 'SENT' | 'FAILED';

export type Notification = {
  id: string;
  eventId: string;
  eventType: string;
  type: string;
  recipient: string;
  subject: string;
  status: NotificationStatus;
  attempts: number;
  lastError: string | null;
  messageId: string;
  sentAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
};

const columns = `id, event_id AS "eventId", event_type AS "eventType", type, recipient, subject, status, attempts,
  last_error AS "lastError", message_id AS "messageId", sent_at AS "sentAt", created_at AS "createdAt", updated_at AS "updatedAt"`;

export type NewNotification = Pick<Notification, 'eventId' | 'eventType' | 'type' | 'recipient' | 'subject' | 'messageId'>;

export type NotificationsRepository = ReturnType<typeof createNotificationsRepository>;

export function createNotificationsRepository(db: Queryable) {
  return {
    /** Records the notification once per event; a redelivered event finds the row already there. */
    async insertIfAbsent(notification: NewNotification): Promise<void> {
      await db.query(
        `INSERT INTO notifications.notifications (id, event_id, event_type, type, recipient, subject, message_id)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (event_id) DO NOTHING`,
        [
          randomUUID(),
          notification.eventId,
          notification.eventType,
          notification.type,
          notification.recipient,
          notification.subject,
          notification.messageId,
        ],
      );
    },

    /**
     * Takes the send for `leaseSeconds` unless it is sent or someone else holds a live lease. One
     * conditional statement, so of two instances handling the same event at once exactly one wins.
     */
    async claim(eventId: string, token: string, leaseSeconds: number): Promise<Notification | undefined> {
      const { rows } = await db.query<Notification>(
        `UPDATE notifications.notifications
            SET claim_token = $2, claimed_until = now() + make_interval(secs => $3), attempts = attempts + 1, updated_at = now()
          WHERE event_id = $1 AND status <> 'SENT' AND (claimed_until IS NULL OR claimed_until < now())
          RETURNING ${columns}`,
        [eventId, token, leaseSeconds],
      );
      return rows[0];
    },

    async findByEventId(eventId: string): Promise<Notification | undefined> {
      const { rows } = await db.query<Notification>(`SELECT ${columns} FROM notifications.notifications WHERE event_id = $1`, [eventId]);
      return rows[0];
    },

    /** Marks the email sent; false when the lease was lost to another instance meanwhile. */
    async markSent(eventId: string, token: string): Promise<boolean> {
      const { rowCount } = await db.query(
        `UPDATE notifications.notifications
            SET status = 'SENT', sent_at = now(), last_error = NULL, claim_token = NULL, claimed_until = NULL, updated_at = now()
          WHERE event_id = $1 AND claim_token = $2 AND status <> 'SENT'`,
        [eventId, token],
      );
      return rowCount === 1;
    },

    /** Records a failed send and gives the lease back so the next attempt can claim at once. */
    async markFailedAttempt(eventId: string, token: string, error: string, isFinal: boolean): Promise<void> {
      await db.query(
        `UPDATE notifications.notifications
            SET status = CASE WHEN $4::boolean THEN 'FAILED' ELSE 'PENDING' END, last_error = $3,
                claim_token = NULL, claimed_until = NULL, updated_at = now()
          WHERE event_id = $1 AND claim_token = $2 AND status <> 'SENT'`,
        [eventId, token, error.slice(0, 2000), isFinal],
      );
    },

    /** Newest first; the cursor is the last row's (createdAt, id). */
    async list(filter: { status?: NotificationStatus; limit: number; after?: { createdAt: Date; id: string } }): Promise<Notification[]> {
      const params: unknown[] = [filter.limit];
      const where: string[] = [];
      if (filter.status) {
        params.push(filter.status);
        where.push(`status = $${params.length}`);
      }
      if (filter.after) {
        params.push(filter.after.createdAt, filter.after.id);
        where.push(`(created_at, id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`);
      }
      const { rows } = await db.query<Notification>(
        `SELECT ${columns} FROM notifications.notifications
          ${where.length > 0 ? `WHERE ${where.join(' AND ')}` : ''}
          ORDER BY created_at DESC, id DESC
          LIMIT $1`,
        params,
      );
      return rows;
    },
  };
}
