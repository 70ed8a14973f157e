import { randomBytes } from 'node:crypto';
import { mkdir, readdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { simpleParser, type AddressObject } from 'mailparser';

export type MailboxMessage = {
  id: string;
  from: string;
  to: string[];
  subject: string;
  date: string | null;
  text: string;
  html: string;
  attachments: { filename: string; contentType: string; size: number }[];
};

const idPattern = /^[0-9]{13}-[0-9a-f]{8}$/;

const addresses = (value: AddressObject | AddressObject[] | undefined): string[] =>
  (Array.isArray(value) ? value : value ? [value] : []).flatMap((entry) => entry.value.map((address) => address.address ?? ''));

/**
 * The embedded mailbox: one `.eml` file per message under `DATA_DIR/mail/`, named by arrival time,
 * so mail survives a restart and can be opened with any mail client.
 */
export function createMailboxStore(dir: string) {
  // Parsed messages never change, so each file is parsed once per process.
  const parsed = new Map<string, MailboxMessage>();

  const read = async (id: string): Promise<MailboxMessage | undefined> => {
    const cached = parsed.get(id);
    if (cached) return cached;
    let raw: Buffer;
    try {
      raw = await readFile(join(dir, `${id}.eml`));
    } catch {
      return undefined;
    }
    const mail = await simpleParser(raw);
    const message: MailboxMessage = {
      id,
      from: addresses(mail.from)[0] ?? '',
      to: addresses(mail.to),
      subject: mail.subject ?? '',
      date: mail.date?.toISOString() ?? null,
      text: mail.text ?? '',
      html: typeof mail.html === 'string' ? mail.html : '',
      attachments: mail.attachments.map((attachment) => ({
        filename: attachment.filename ?? 'attachment',
        contentType: attachment.contentType,
        size: attachment.size,
      })),
    };
    parsed.set(id, message);
    return message;
  };

  return {
    dir,
    /** Writes to a temporary name first, so a reader never sees half a message. */
    async save(raw: Buffer): Promise<string> {
      await mkdir(dir, { recursive: true });
      const id = `${Date.now()}-${randomBytes(4).toString('hex')}`;
      const temporary = join(dir, `.${id}.tmp`);
      await writeFile(temporary, raw);
      await rename(temporary, join(dir, `${id}.eml`));
      return id;
    },
    /** Newest first. */
    async list(limit = 200): Promise<MailboxMessage[]> {
      let files: string[];
      try {
        files = await readdir(dir);
      } catch {
        return [];
      }
      const ids = files
        .filter((file) => file.endsWith('.eml'))
        .map((file) => file.slice(0, -4))
        .filter((id) => idPattern.test(id))
        .sort()
        .reverse()
        .slice(0, limit);
      const messages = await Promise.all(ids.map(read));
      return messages.filter((message): message is MailboxMessage => message !== undefined);
    },
    async get(id: string): Promise<MailboxMessage | undefined> {
      return idPattern.test(id) ? read(id) : undefined;
    },
    async raw(id: string): Promise<Buffer | undefined> {
      if (!idPattern.test(id)) return undefined;
      return readFile(join(dir, `${id}.eml`)).catch(() => undefined);
    },
  };
}
export type MailboxStore = ReturnType<typeof createMailboxStore>;
