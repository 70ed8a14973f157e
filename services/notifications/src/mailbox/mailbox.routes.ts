import { AppError, type App } from '@aerofly/platform';
import { z } from 'zod';
import type { MailboxMessage, MailboxStore } from './mailbox.store.js';

const escapeHtml = (text: string) =>
  text.replace(/[&<>"']/g, (char) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[char] ?? char);

const MessageJson = z.object({
  id: z.string(),
  from: z.string(),
  to: z.array(z.string()),
  subject: z.string(),
  date: z.string().nullable(),
  text: z.string(),
  html: z.string(),
  attachments: z.array(z.object({ filename: z.string(), contentType: z.string(), size: z.number() })),
});
const IdParams = z.object({ id: z.string().regex(/^[0-9]{13}-[0-9a-f]{8}$/, 'unknown message id') });

const page = (title: string, body: string) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>
body{font-family:system-ui,sans-serif;margin:0;background:#f3f5f8;color:#1c2430}
header{background:#0b4f8a;color:#fff;padding:12px 24px}header a{color:#fff;text-decoration:none;font-weight:bold}
main{padding:16px 24px;max-width:1000px}table{width:100%;border-collapse:collapse;background:#fff}
td,th{padding:8px 10px;border-bottom:1px solid #e4e8ee;text-align:left;font-size:14px}a{color:#0b4f8a}
iframe{width:100%;height:70vh;border:1px solid #e4e8ee;background:#fff}pre{white-space:pre-wrap;background:#fff;padding:12px;border:1px solid #e4e8ee}
.meta{font-size:14px;margin:0 0 12px}.empty{background:#fff;padding:24px}
</style></head><body><header><a href="/dev/mailbox">AeroFly dev mailbox</a> <small>(embedded mode only: every email sent lands here)</small></header>
<main>${body}</main></body></html>`;

const listPage = (messages: MailboxMessage[]) =>
  page(
    `Mailbox (${messages.length})`,
    messages.length === 0
      ? '<p class="empty">No mail yet. Sign up or book a flight and the emails show up here.</p>'
      : `<table><thead><tr><th>Received</th><th>To</th><th>Subject</th></tr></thead><tbody>${messages
          .map(
            (message) =>
              `<tr><td>${escapeHtml(message.date ?? '')}</td><td>${escapeHtml(message.to.join(', '))}</td><td><a href="/dev/mailbox/${encodeURIComponent(message.id)}">${escapeHtml(message.subject || '(no subject)')}</a></td></tr>`,
          )
          .join('')}</tbody></table><p><a href="/dev/mailbox/messages">JSON</a></p>`,
  );

const messagePage = (message: MailboxMessage) =>
  page(
    message.subject,
    `<p class="meta"><a href="/dev/mailbox">&larr; All messages</a></p>
<p class="meta"><strong>${escapeHtml(message.subject)}</strong><br>From ${escapeHtml(message.from)} to ${escapeHtml(message.to.join(', '))}<br>${escapeHtml(message.date ?? '')}</p>
${message.attachments.length > 0 ? `<p class="meta">Attachments: ${message.attachments.map((a) => `${escapeHtml(a.filename)} (${escapeHtml(a.contentType)}, ${a.size} bytes)`).join(', ')} · <a href="/dev/mailbox/messages/${encodeURIComponent(message.id)}/raw">download .eml</a></p>` : ''}
${message.html ? `<iframe sandbox="" srcdoc="${escapeHtml(message.html)}" title="HTML part"></iframe>` : ''}
<h3>Plain text</h3><pre>${escapeHtml(message.text)}</pre>`,
  );

/**
 * The dev mailbox of embedded mode, so a newcomer sees the emails the system sends. Only
 * registered when the process runs its own SMTP sink; never in server mode. The HTML of a message
 * is shown in a sandboxed frame (no scripts, no same-origin access).
 */
export async function mailboxRoutes(app: App, options: { store: MailboxStore }) {
  const { store } = options;
  const hide = { hide: true };

  app.get('/dev/mailbox', { schema: hide }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').send(listPage(await store.list())),
  );

  app.get(
    '/dev/mailbox/messages',
    {
      schema: {
        ...hide,
        querystring: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(200) }),
        response: { 200: z.object({ items: z.array(MessageJson) }) },
      },
    },
    async (request) => ({ items: await store.list(request.query.limit) }),
  );

  app.get('/dev/mailbox/messages/:id', { schema: { ...hide, params: IdParams, response: { 200: MessageJson } } }, async (request) => {
    const message = await store.get(request.params.id);
    if (!message) throw new AppError('NOT_FOUND', 'No such message');
    return message;
  });

  app.get('/dev/mailbox/messages/:id/raw', { schema: { ...hide, params: IdParams } }, async (request, reply) => {
    const raw = await store.raw(request.params.id);
    if (!raw) throw new AppError('NOT_FOUND', 'No such message');
    return reply.type('message/rfc822').header('content-disposition', `attachment; filename="${request.params.id}.eml"`).send(raw);
  });

  app.get('/dev/mailbox/:id', { schema: { ...hide, params: IdParams } }, async (request, reply) => {
    const message = await store.get(request.params.id);
    if (!message) throw new AppError('NOT_FOUND', 'No such message');
    return reply.type('text/html; charset=utf-8').send(messagePage(message));
  });
}
