import { z } from 'zod';
import { pageOf } from './common.js';

export const NotificationStatus = z.enum(['PENDING', 'SENT', 'FAILED']);
export type NotificationStatus = z.infer<typeof NotificationStatus>;

/** One email the system owes or sent, keyed by the event that asked for it. */
export const NotificationView = z.object({
  id: z.uuid(),
  eventId: z.uuid(),
  eventType: z.string(),
  type: z.string(),
  recipient: z.string(),
  subject: z.string(),
  status: NotificationStatus,
  attempts: z.number().int(),
  lastError: z.string().nullable(),
  messageId: z.string(),
  sentAt: z.iso.datetime().nullable(),
  createdAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
});
export type NotificationView = z.infer<typeof NotificationView>;

/** `GET /api/v1/admin/notifications?status=failed&limit=50&cursor=…` (status in any case). */
export const NotificationListQuery = z.object({
  status: z.enum(['PENDING', 'SENT', 'FAILED', 'pending', 'sent', 'failed']).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(200).optional(),
});
export type NotificationListQuery = z.infer<typeof NotificationListQuery>;

export const NotificationPage = pageOf(NotificationView);
export type NotificationPage = z.infer<typeof NotificationPage>;
