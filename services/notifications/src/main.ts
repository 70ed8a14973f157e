import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { migrate, readMigrations, systemClock, type RunningService } from '@aerofly/platform';
import { buildApp, createNotificationsServiceFrom, type NotificationsDeps } from './app.js';
import { createMailer } from './emails/mailer.js';
import { startMailboxSink, type RunningSink } from './mailbox/mailbox.sink.js';
import { createMailboxStore, type MailboxStore } from './mailbox/mailbox.store.js';
import { subscribeEmailConsumer } from './notifications/notifications.consumer.js';

export const schema = 'notifications';
export const migrations = () => readMigrations(join(fileURLToPath(new URL('.', import.meta.url)), '..', 'migrations'));

export type { RunningService };

export type StartDeps = Omit<NotificationsDeps, 'clock' | 'mailer' | 'mailbox'> & Partial<Pick<NotificationsDeps, 'clock'>>;

/**
 * Starts the notifications service: migrations, the mail transport (SMTP_URL, or an SMTP sink in
 * this process that keeps mail under DATA_DIR/mail), the email consumer, HTTP. Used by `server.ts`
 * (one service per process) and by the embedded launcher.
 */
export async function startNotifications(deps: StartDeps): Promise<RunningService> {
  const { config, logger } = deps;
  await migrate(deps.db, { schema, migrations: migrations(), logger });

  let sink: RunningSink | undefined;
  let mailbox: MailboxStore | undefined;
  let smtpUrl = config.SMTP_URL;
  if (!smtpUrl) {
    mailbox = createMailboxStore(join(config.DATA_DIR, 'mail'));
    sink = await startMailboxSink(mailbox, logger);
    smtpUrl = sink.url;
    logger.info({ dir: mailbox.dir, smtp: sink.url }, 'no SMTP_URL: mail goes to the local mailbox');
  }
  const mailer = createMailer({
    smtpUrl,
    from: config.MAIL_FROM,
    timeoutMs: config.SMTP_TIMEOUT_MS,
    maxConnections: config.SMTP_MAX_CONNECTIONS,
  });

  const full: NotificationsDeps = { clock: systemClock, ...deps, mailer, mailbox };
  const service = createNotificationsServiceFrom(full);
  const app = await buildApp(full, service);
  await subscribeEmailConsumer(deps.bus, service, {
    maxAttempts: config.EMAIL_MAX_ATTEMPTS,
    retryDelaysMs: config.EMAIL_RETRY_DELAYS_MS,
    prefetch: config.EMAIL_PREFETCH,
  });
  const url = await app.listen({ host: config.HOST, port: config.NOTIFICATIONS_PORT });
  return {
    app,
    url,
    // The bus is the caller's: it stops consuming when closed. A delivery that still arrives after
    // this fails its send and is retried later, never lost.
    async close() {
      await app.close();
      mailer.close();
      await sink?.close();
    },
  };
}
