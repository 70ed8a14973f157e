import { createServiceApp, type App, type Bus, type Clock, type Db, type Kv, type Logger } from '@aerofly/platform';
import type { NotificationsConfig } from './config.js';
import type { EmailSettings } from './emails/emails.js';
import type { Mailer } from './emails/mailer.js';
import { mailboxRoutes } from './mailbox/mailbox.routes.js';
import type { MailboxStore } from './mailbox/mailbox.store.js';
import { createNotificationsRepository } from './notifications/notifications.repository.js';
import { notificationRoutes } from './notifications/notifications.routes.js';
import { createNotificationsService, type NotificationsService } from './notifications/notifications.service.js';

export type NotificationsDeps = {
  config: Readonly<NotificationsConfig>;
  db: Db;
  kv: Kv;
  bus: Bus;
  logger: Logger;
  clock: Clock;
  mailer: Mailer;
  /** The embedded SMTP sink's mailbox; its pages are served only in embedded mode. */
  mailbox?: MailboxStore | undefined;
};

/** `AeroFly <no-reply@aerofly.local>` → brand `AeroFly`, domain `aerofly.local`. */
export function emailSettings(config: Readonly<NotificationsConfig>): EmailSettings {
  const address = /<([^>]+)>/.exec(config.MAIL_FROM)?.[1] ?? config.MAIL_FROM;
  const name = /^\s*"?([^"<]+?)"?\s*</.exec(config.MAIL_FROM)?.[1];
  return { brand: name ?? 'AeroFly', publicUrl: config.PUBLIC_URL, senderDomain: address.split('@')[1]?.trim() || 'aerofly.local' };
}

/** SMTP timeouts apply per phase (connect, greeting, each command): a lease of several covers a whole send. */
export const sendLeaseSeconds = (config: Readonly<NotificationsConfig>) => Math.ceil((config.SMTP_TIMEOUT_MS * 4) / 1000) + 10;

export function createNotificationsServiceFrom(deps: NotificationsDeps): NotificationsService {
  return createNotificationsService({
    repository: createNotificationsRepository(deps.db),
    mailer: deps.mailer,
    settings: emailSettings(deps.config),
    logger: deps.logger,
    maxAttempts: deps.config.EMAIL_MAX_ATTEMPTS,
    leaseSeconds: sendLeaseSeconds(deps.config),
  });
}

/** Builds the notifications app, unstarted; tests drive it with `app.inject`. */
export async function buildApp(
  deps: NotificationsDeps,
  service: NotificationsService = createNotificationsServiceFrom(deps),
): Promise<App> {
  const app = await createServiceApp('notifications', deps, {
    title: 'AeroFly notifications',
    description: 'Emails sent on booking and account events, and their delivery status',
  });
  await app.register(notificationRoutes, { service });
  if (deps.config.EMBEDDED_MODE && deps.mailbox) await app.register(mailboxRoutes, { store: deps.mailbox });
  return app;
}
