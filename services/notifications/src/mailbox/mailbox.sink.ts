import type { AddressInfo } from 'node:net';
import type { Logger } from '@aerofly/platform';
import { SMTPServer } from 'smtp-server';
import type { MailboxStore } from './mailbox.store.js';

export type RunningSink = { url: string; close(): Promise<void> };

/**
 * The SMTP server of embedded mode: loopback only, any free port, no auth, every message stored
 * in the mailbox before it is accepted (so "accepted" means "kept", as with a real server).
 */
export async function startMailboxSink(store: MailboxStore, logger: Logger): Promise<RunningSink> {
  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    closeTimeout: 1000,
    size: 25 * 1024 * 1024,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('error', callback);
      stream.on('end', () => {
        store
          .save(Buffer.concat(chunks))
          .then((id) => {
            logger.info({ id, to: session.envelope.rcptTo.map((rcpt) => rcpt.address) }, 'mail stored in the dev mailbox');
            callback();
          })
          .catch((error: unknown) => callback(error instanceof Error ? error : new Error(String(error))));
      });
    },
  });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.server.address() as AddressInfo;
  return {
    url: `smtp://127.0.0.1:${port}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
