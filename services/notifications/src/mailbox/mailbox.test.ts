import { mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { createMemoryBus, createMemoryKv } from '@aerofly/platform';
import { silentLogger, waitFor, type TestDb } from '@aerofly/testing';
import { simpleParser } from 'mailparser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { confirmedBooking, createNotificationsDb, eventOf, testConfig } from '../../test/harness.js';
import { startNotifications, type RunningService } from '../main.js';

// One database for the file: what is tested here is the mail path, not storage.
let db: TestDb;
beforeAll(async () => {
  db = await createNotificationsDb();
});
afterAll(async () => {
  await db?.destroy();
});

describe('embedded mode without SMTP_URL', () => {
  let dataDir: string;
  const bus = createMemoryBus({ logger: silentLogger });
  let service: RunningService;

  beforeAll(async () => {
    dataDir = await mkdtemp(join(tmpdir(), 'aerofly-mail-'));
    const config = testConfig({ env: { EMBEDDED_MODE: 'true', DATA_DIR: dataDir, NOTIFICATIONS_PORT: '0' } });
    service = await startNotifications({ config, db, kv: createMemoryKv(), bus, logger: silentLogger });
  });
  afterAll(async () => {
    await service?.close();
    await bus.close();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('when a traveller signs up and books, then both emails are stored as .eml files and shown in the dev mailbox', async () => {
    const booking = confirmedBooking();
    await bus.publish(eventOf('user.registered', { userId: randomUUID(), email: booking.contactEmail, name: 'Ada' }));
    await bus.publish(eventOf('booking.confirmed', booking));

    const files = (await readdir(join(dataDir, 'mail'))).filter((file) => file.endsWith('.eml'));
    expect(files).toHaveLength(2);

    const response = await service.app.inject({ method: 'GET', url: '/dev/mailbox/messages' });
    expect(response.statusCode).toBe(200);
    const { items } = response.json<{ items: { id: string; to: string[]; subject: string; text: string; html: string }[] }>();
    expect(items.map((item) => item.subject).sort()).toEqual(
      [`Welcome to AeroFly, Ada`, `Your AeroFly booking ${booking.reference} is confirmed`].sort(),
    );
    expect(items.every((item) => item.to[0] === booking.contactEmail && item.text.length > 0 && item.html.includes('<html'))).toBe(true);

    const page = await service.app.inject({ method: 'GET', url: '/dev/mailbox' });
    expect(page.headers['content-type']).toContain('text/html');
    expect(page.body).toContain(`Your AeroFly booking ${booking.reference} is confirmed`);

    const confirmation = items.find((item) => item.subject.includes(booking.reference));
    const view = await service.app.inject({ method: 'GET', url: `/dev/mailbox/${confirmation?.id}` });
    expect(view.statusCode).toBe(200);
    expect(view.body).toContain('<iframe sandbox=""');
    expect(view.body).toContain(`${booking.reference}.ics`);

    const raw = await service.app.inject({ method: 'GET', url: `/dev/mailbox/messages/${confirmation?.id}/raw` });
    const parsed = await simpleParser(raw.rawPayload);
    expect(parsed.attachments.map((attachment) => attachment.filename)).toEqual([`${booking.reference}.ics`]);
  });

  it('when a message id is unknown or not an id, then 404 or 400, never a file outside the mailbox', async () => {
    expect((await service.app.inject({ method: 'GET', url: '/dev/mailbox/messages/1700000000000-deadbeef' })).statusCode).toBe(404);
    expect((await service.app.inject({ method: 'GET', url: '/dev/mailbox/messages/..%2F..%2Fetc%2Fpasswd/raw' })).statusCode).toBe(400);
  });
});

describe('server mode', () => {
  it('when EMBEDDED_MODE is not set, then the dev mailbox does not exist even with the local sink', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'aerofly-mail-'));
    const bus = createMemoryBus({ logger: silentLogger });
    const config = testConfig({ env: { DATA_DIR: dataDir, NOTIFICATIONS_PORT: '0' } });
    const service = await startNotifications({ config, db, kv: createMemoryKv(), bus, logger: silentLogger });
    try {
      expect((await service.app.inject({ method: 'GET', url: '/dev/mailbox' })).statusCode).toBe(404);
      expect((await service.app.inject({ method: 'GET', url: '/dev/mailbox/messages' })).statusCode).toBe(404);
      // Mail still goes somewhere a developer can find it.
      await bus.publish(eventOf('user.registered', { userId: randomUUID(), email: 'solo@example.com', name: 'Solo' }));
      await waitFor(async () => (await readdir(join(dataDir, 'mail'))).some((file) => file.endsWith('.eml')));
    } finally {
      await service.close();
      await bus.close();
      await rm(dataDir, { recursive: true, force: true });
    }
  });
});
