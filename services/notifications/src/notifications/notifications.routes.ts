import { NotificationListQuery, NotificationPage, NotificationStatus, type NotificationView } from '@aerofly/contracts';
import { AppError, type App } from '@aerofly/platform';
import type { Notification } from './notifications.repository.js';
import type { NotificationsService } from './notifications.service.js';

const toView = (notification: Notification): NotificationView => ({
  ...notification,
  sentAt: notification.sentAt ? new Date(notification.sentAt).toISOString() : null,
  createdAt: new Date(notification.createdAt).toISOString(),
  updatedAt: new Date(notification.updatedAt).toISOString(),
});

const encodeCursor = (notification: Notification) =>
  Buffer.from(JSON.stringify([new Date(notification.createdAt).toISOString(), notification.id])).toString('base64url');

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [createdAt, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt: date, id };
  } catch {
    throw new AppError('VALIDATION_FAILED', 'cursor is not valid', {
      errors: [{ field: 'cursor', message: 'not a cursor from this list' }],
    });
  }
}

export async function notificationRoutes(app: App, options: { service: NotificationsService }) {
  app.get(
    '/api/v1/admin/notifications',
    {
      config: { auth: 'admin' },
      schema: {
        tags: ['notifications'],
        summary: 'Emails the system owes or sent, newest first; `status=failed` lists those that gave up after every retry',
        security: [{ bearerAuth: [] }],
        querystring: NotificationListQuery,
        response: { 200: NotificationPage },
      },
    },
    async (request) => {
      const { status, limit, cursor } = request.query;
      const rows = await options.service.list({
        ...(status ? { status: NotificationStatus.parse(status.toUpperCase()) } : {}),
        limit: limit + 1,
        ...(cursor ? { after: decodeCursor(cursor) } : {}),
      });
      const items = rows.slice(0, limit);
      const last = items.at(-1);
      return { items: items.map(toView), nextCursor: rows.length > limit && last ? encodeCursor(last) : null };
    },
  );
}
