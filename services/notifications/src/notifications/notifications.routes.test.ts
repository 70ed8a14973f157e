import { randomUUID } from 'node:crypto';
import { NotificationPage } from '@aerofly/contracts';
import { createMemoryBus, createMemoryKv, systemClock, type App } from '@aerofly/platform';
import { bearer, mintAdmin, mintUser, silentLogger, type TestDb } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNotificationsDb, testConfig } from '../../test/harness.js';
import { buildApp } from '../app.js';
import { createMailer } from '../emails/mailer.js';
import { createNotificationsRepository } from './notifications.repository.js';

let db: TestDb;
let app: App;
let adminToken: string;

beforeAll(async () => {
  db = await createNotificationsDb();
  const config = testConfig({ smtpUrl: 'smtp://127.0.0.1:9' });
  const mailer = createMailer({ smtpUrl: 'smtp://127.0.0.1:9', from: config.MAIL_FROM, timeoutMs: 1000 });
  app = await buildApp({
    config,
    db,
    kv: createMemoryKv(),
    bus: createMemoryBus({ logger: silentLogger }),
    logger: silentLogger,
    clock: systemClock,
    mailer,
  });
  adminToken = (await mintAdmin()).token;

  // 25 notifications, every fifth failed, created a millisecond apart so the order is known.
  const repository = createNotificationsRepository(db);
  for (let index = 0; index < 25; index += 1) {
    const eventId = randomUUID();
    await repository.insertIfAbsent({
      eventId,
      eventType: 'booking.confirmed',
      type: 'booking_confirmed',
      recipient: `traveller${index}@example.com`,
      subject: `Booking ${index}`,
      messageId: `<${eventId}@aerofly.local>`,
    });
    if (index % 5 === 0) {
      const token = randomUUID();
      await repository.claim(eventId, token, 30);
      await repository.markFailedAttempt(eventId, token, '550 mailbox unavailable', true);
    }
    await new Promise((resolve) => setTimeout(resolve, 2));
  }
});
afterAll(async () => {
  await app?.close();
  await db?.destroy();
});

const list = (query: string, token = adminToken) =>
  app.inject({ method: 'GET', url: `/api/v1/admin/notifications${query}`, headers: bearer(token) });

describe('GET /api/v1/admin/notifications', () => {
  it('when nobody or a customer asks, then 401 and 403', async () => {
    expect((await app.inject({ method: 'GET', url: '/api/v1/admin/notifications' })).statusCode).toBe(401);
    expect((await list('', (await mintUser()).token)).statusCode).toBe(403);
  });

  it('when an admin asks for failed ones, then exactly those come back with their error', async () => {
    const response = await list('?status=failed');
    expect(response.statusCode).toBe(200);
    const page = NotificationPage.parse(response.json());
    expect(page.items.map((item) => item.subject)).toEqual(['Booking 20', 'Booking 15', 'Booking 10', 'Booking 5', 'Booking 0']);
    expect(
      page.items.every((item) => item.status === 'FAILED' && item.lastError === '550 mailbox unavailable' && item.attempts === 1),
    ).toBe(true);
    expect(page.nextCursor).toBeNull();
  });

  it('when an admin pages through everything, then every notification comes once, newest first', async () => {
    const subjects: string[] = [];
    let cursor: string | null = null;
    do {
      const response = await list(`?limit=7${cursor ? `&cursor=${cursor}` : ''}`);
      expect(response.statusCode).toBe(200);
      const page = NotificationPage.parse(response.json());
      expect(page.items.length).toBeLessThanOrEqual(7);
      subjects.push(...page.items.map((item) => item.subject));
      cursor = page.nextCursor;
    } while (cursor);
    expect(subjects).toEqual(Array.from({ length: 25 }, (_, index) => `Booking ${24 - index}`));
  });

  it('when the query is wrong, then 400 VALIDATION_FAILED names the field', async () => {
    for (const query of ['?status=lost', '?limit=0', '?cursor=garbage']) {
      const response = await list(query);
      expect(response.statusCode).toBe(400);
      expect(response.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
    }
  });
});
