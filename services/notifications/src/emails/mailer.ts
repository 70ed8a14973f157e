import nodemailer from 'nodemailer';
import type { Email } from './emails.js';

export type Mailer = {
  /** Resolves once the SMTP server accepted the message for the recipient; throws otherwise. */
  send(email: Email, messageId: string): Promise<void>;
  close(): void;
};

/**
 * Nodemailer over SMTP with pooled connections. Timeouts are short and bounded so a hung server
 * fails the attempt (the bus retries it) well within the send lease.
 */
export function createMailer(options: { smtpUrl: string; from: string; timeoutMs: number; maxConnections?: number }): Mailer {
  const url = new URL(options.smtpUrl);
  const transport = nodemailer.createTransport({
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 587)),
    secure: url.protocol === 'smtps:',
    ...(url.username ? { auth: { user: decodeURIComponent(url.username), pass: decodeURIComponent(url.password) } } : {}),
    // A plain smtp:// URL to localhost (sinks, relays on the same host) must not insist on STARTTLS.
    ignoreTLS: url.searchParams.get('ignoreTLS') === 'true',
    pool: true,
    maxConnections: options.maxConnections ?? 5,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    async send(email, messageId) {
      const info = await transport.sendMail({
        from: options.from,
        to: email.to,
        subject: email.subject,
        html: email.html,
        text: email.text,
        messageId,
        attachments: email.attachments,
      });
      if (info.rejected.length > 0 || info.accepted.length === 0) {
        throw new Error(`SMTP server did not accept the recipient: ${info.response}`);
      }
    },
    close: () => transport.close(),
  };
}
