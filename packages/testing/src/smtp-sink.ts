import type { AddressInfo } from 'node:net';
import { simpleParser, type AddressObject } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import { waitFor } from './tcp-proxy.js';

export type SinkMessage = {
  /** Order of arrival, from 1. */
  seq: number;
  messageId: string | undefined;
  from: string;
  to: string[];
  subject: string;
  date: Date | undefined;
  text: string;
  html: string;
  attachments: { filename: string | undefined; contentType: string; content: Buffer }[];
  /** The message as received, for tests that parse it themselves. */
  raw: Buffer;
};

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((entry) => entry.value.map((address) => address.address ?? ''));

/**
 * A real SMTP server on a loopback port that keeps every accepted message, parsed. `stop()` and
 * `start()` take it down and bring it back on the same port to simulate an outage; `failWith(451)`
 * keeps it up but refuses messages with that reply.
 */
export async function createSmtpSink(options: { port?: number; parse?: boolean } = {}) {
  // Parsing costs more CPU than the send itself; a benchmark keeps raw messages and the Message-ID only.
  const isParsing = options.parse ?? true;
  const messages: SinkMessage[] = [];
  let port = options.port ?? 0;
  let server: SMTPServer | undefined;
  let failure: { code: number; message: string } | undefined;
  let seq = 0;

  const listen = async () => {
    const instance = new SMTPServer({
      secure: false,
      authOptional: true,
      disabledCommands: ['STARTTLS', 'AUTH'],
      logger: false,
      // An outage in a test should be quick: open connections are cut after this grace period.
      closeTimeout: 50,
      size: 25 * 1024 * 1024,
      onData(stream, _session, callback) {
        const chunks: Buffer[] = [];
        stream.on('data', (chunk: Buffer) => chunks.push(chunk));
        stream.on('error', callback);
        stream.on('end', () => {
          if (failure) {
            callback(Object.assign(new Error(failure.message), { responseCode: failure.code }));
            return;
          }
          const raw = Buffer.concat(chunks);
          if (!isParsing) {
            seq += 1;
            const header = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('utf8');
            const messageId = /^Message-ID:\s*(<[^>]+>)/im.exec(header)?.[1];
            messages.push({ seq, messageId, from: '', to: [], subject: '', date: undefined, text: '', html: '', attachments: [], raw });
            callback();
            return;
          }
          // Accept only once the message is kept: an accepted message is a delivered one.
          simpleParser(raw)
            .then((parsed) => {
              seq += 1;
              messages.push({
                seq,
                messageId: parsed.messageId,
                from: addresses(parsed.from)[0] ?? '',
                to: addresses(parsed.to),
                subject: parsed.subject ?? '',
                date: parsed.date,
                text: parsed.text ?? '',
                html: typeof parsed.html === 'string' ? parsed.html : '',
                attachments: parsed.attachments.map((attachment) => ({
                  filename: attachment.filename,
                  contentType: attachment.contentType,
                  content: attachment.content,
                })),
                raw,
              });
              callback();
            })
            .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      instance.server.once('error', reject);
      instance.listen(port, '127.0.0.1', () => {
        instance.server.off('error', reject);
        resolve();
      });
    });
    port = (instance.server.address() as AddressInfo).port;
    server = instance;
  };

  await listen();

  return {
    messages,
    get port() {
      return port;
    },
    /** `smtp://127.0.0.1:PORT` for SMTP_URL. */
    get url() {
      return `smtp://127.0.0.1:${port}`;
    },
    get isRunning() {
      return server !== undefined;
    },
    /** Messages whose Message-ID is this one (a test of duplicates expects one). */
    byMessageId: (messageId: string) => messages.filter((message) => message.messageId === messageId),
    async waitForCount(count: number, timeoutMs = 10_000) {
      await waitFor(() => messages.length >= count, { timeoutMs, what: `${count} messages in the SMTP sink (have ${messages.length})` });
    },
    /** From now on refuse every message with this SMTP reply (e.g. 451 = try again later); `undefined` accepts again. */
    failWith(code: number | undefined, message = 'Temporary failure, try again later') {
      failure = code === undefined ? undefined : { code, message };
    },
    /** Stops listening and cuts open connections, like a server going down. */
    async stop() {
      const instance = server;
      server = undefined;
      if (instance) await new Promise<void>((resolve) => instance.close(() => resolve()));
    },
    /** Listens again on the same port. */
    async start() {
      if (!server) await listen();
    },
    clear() {
      messages.splice(0);
    },
    async close() {
      await this.stop();
    },
  };
}
export type SmtpSink = Awaited<ReturnType<typeof createSmtpSink>>;
