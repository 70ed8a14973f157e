/**
 * What every fault drill needs: AeroFly in server mode (scripts/cluster.ts, one process per
 * instance) whose connections to PostgreSQL, Redis and RabbitMQ go through TCP proxies inside the
 * test, so a drill can cut and restore them without touching the machine's shared servers; an SMTP
 * sink that records every delivered email; load (book and pay, retrying as a client would); and the
 * invariant checks. Everything started here is removed in `stop()`.
 */
import { randomUUID } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import pg from 'pg';
import { afterAll, beforeAll, describe } from 'vitest';
import { createSmtpSink, hasServers, startTcpProxy, testServers, type TcpProxy } from '@aerofly/testing';
import { call, createFleet, createTokenMinter, inParallel, inventoryCheck, type Customer } from '../../bench/src/api.js';
import {
  dropDatabase,
  isolatedAmqpUrl,
  readinessOfProcesses,
  recreateDatabase,
  startSystem,
  withDatabase,
  type RunningSystem,
} from '../../bench/src/system.js';

export const servers = {
  postgres: testServers.databaseUrl ?? 'postgres://postgres@127.0.0.1:5432/postgres',
  redis: testServers.redisUrl ?? 'redis://127.0.0.1:6379',
  amqp: testServers.amqpUrl ?? 'amqp://guest:guest@127.0.0.1:5672',
};

export const say = (line: string) => process.stdout.write(`  [drill] ${line}\n`);

const hostPort = (url: string, fallbackPort: number) => {
  const parsed = new URL(url);
  return { host: parsed.hostname, port: Number(parsed.port || fallbackPort) };
};
const throughProxy = (url: string, proxy: TcpProxy) => {
  const parsed = new URL(url);
  parsed.hostname = '127.0.0.1';
  parsed.port = String(proxy.port);
  return parsed.toString();
};

export type Drill = Awaited<ReturnType<typeof startDrill>>;

/**
 * A drill's suite: one system started for it (`startDrill(name, options)`) before its tests and
 * removed after them. Without PostgreSQL, Redis and RabbitMQ it is listed as not run, which fails
 * the run where servers are required.
 */
export function describeDrill(title: string, name: string, options: DrillOptions, tests: (drill: () => Drill) => void) {
  describe.skipIf(!hasServers(`fault drill: ${name}`, ['postgres', 'redis', 'rabbitmq']))(title, () => {
    let drill: Drill | undefined;
    beforeAll(async () => {
      drill = await startDrill(name, options);
    });
    afterAll(async () => drill?.stop());
    tests(() => drill!);
  });
}

export type DrillOptions = { flightsInstances?: number; bookingsInstances?: number; env?: Record<string, string> };

export async function startDrill(name: string, options: DrillOptions = {}) {
  const suffix = `${name.replace(/\W/g, '_')}_${randomUUID().slice(0, 6)}`;
  const databaseName = `aerofly_drill_${suffix}`;
  const databaseUrl = await recreateDatabase(servers.postgres, databaseName);
  const vhost = `aerofly-drill-${suffix}`;
  const amqpUrl = isolatedAmqpUrl(servers.amqp, vhost);
  const proxies = {
    postgres: await startTcpProxy(hostPort(databaseUrl, 5432)),
    redis: await startTcpProxy(hostPort(servers.redis, 6379)),
    rabbitmq: await startTcpProxy(hostPort(amqpUrl, 5672)),
  };
  const mail = await createSmtpSink();
  let system: RunningSystem;
  try {
    system = await startSystem({
      mode: 'cluster',
      flightsInstances: options.flightsInstances ?? 1,
      bookingsInstances: options.bookingsInstances ?? 2,
      databaseUrl: throughProxy(databaseUrl, proxies.postgres),
      redisUrl: throughProxy(servers.redis, proxies.redis),
      amqpUrl: throughProxy(amqpUrl, proxies.rabbitmq),
      basePort: undefined,
      env: {
        SMTP_URL: mail.url,
        // Short enough that a drill sees payments settle and holds expire within its time box.
        PAYMENT_LEASE_SECONDS: '5',
        SWEEPER_INTERVAL_MS: '500',
        EMAIL_RETRY_DELAYS_MS: '500,1000,2000',
        UPSTREAM_TIMEOUT_MS: '5000',
        SHUTDOWN_GRACE_MS: '10000',
        ...options.env,
      },
      // DRILL_KEEP_DATA=1 keeps DATA_DIR (system.log with every process's output) for a post-mortem.
      keepDataDir: process.env['DRILL_KEEP_DATA'] === '1',
    });
  } catch (error) {
    for (const proxy of Object.values(proxies)) await proxy.close();
    await mail.close();
    await dropDatabase(servers.postgres, databaseName).catch(() => undefined);
    throw error;
  }
  const db = new pg.Pool({ connectionString: databaseUrl, max: 2 });
  const minter = await createTokenMinter(system.dataDir);
  const admin = await minter.admin();
  say(`${name}: ${system.label}, ${system.processes().length} processes; PostgreSQL, Redis and RabbitMQ through TCP proxies`);

  return {
    system,
    proxies,
    mail,
    db,
    minter,
    admin,
    gatewayUrl: system.gatewayUrl,
    databaseUrl,
    logFile: system.logFile,
    processes: () => system.processes(),
    async stop() {
      await system.stop();
      await db.end().catch(() => undefined);
      for (const proxy of Object.values(proxies)) await proxy.close();
      await mail.close();
      await dropDatabase(servers.postgres, databaseName).catch(() => undefined);
      if (amqpUrl !== servers.amqp) spawnSync('rabbitmqctl', ['delete_vhost', vhost], { timeout: 30_000 });
    },
  };
}

export const card = { number: '4242424242424242', expMonth: 12, expYear: new Date().getUTCFullYear() + 3, cvc: '123' };

export type Outcome = {
  customer: Customer;
  bookingId?: string;
  reference?: string;
  status: 'confirmed' | 'sold-out' | 'gave-up' | 'pending';
  answers: number[];
};

const retriable = (status: number) => status === 0 || status === 502 || status === 503 || status === 504 || status === 409;

/**
 * One traveller booking and paying the way a careful client does: each step keeps its
 * Idempotency-Key across retries, and a 5xx, a network error or "key in use" is retried.
 */
export async function bookAndPay(
  gatewayUrl: string,
  customer: Customer,
  flightId: string,
  options: { attempts?: number; pay?: boolean } = {},
): Promise<Outcome> {
  const attempts = options.attempts ?? 8;
  const answers: number[] = [];
  const attempt = async (method: string, path: string, key: string, body: unknown) => {
    for (let i = 0; i < attempts; i += 1) {
      let status = 0;
      let answerBody: unknown;
      try {
        const answer = await call(gatewayUrl, method, path, {
          token: customer.token,
          headers: { 'idempotency-key': key },
          body,
          timeoutMs: 15_000,
        });
        status = answer.status;
        answerBody = answer.body;
      } catch {
        status = 0;
      }
      answers.push(status);
      const code = (answerBody as { code?: string } | undefined)?.code;
      const retry = retriable(status) && (status !== 409 || code === 'IDEMPOTENCY_KEY_IN_USE');
      if (!retry) return { status, body: answerBody };
      await new Promise((done) => setTimeout(done, 250 * (i + 1)));
    }
    return { status: answers.at(-1) ?? 0, body: undefined };
  };
  const created = await attempt('POST', '/api/v1/bookings', randomUUID(), {
    flightIds: [flightId],
    cabin: 'economy',
    passengers: [{ firstName: 'Grace', lastName: 'Hopper' }],
  });
  if (created.status === 409) return { customer, status: 'sold-out', answers };
  if (created.status !== 201) return { customer, status: 'gave-up', answers };
  const booking = created.body as { id: string; reference: string; totalPrice: { amount: number; currency: string } };
  if (options.pay === false) return { customer, bookingId: booking.id, reference: booking.reference, status: 'pending', answers };
  const paid = await attempt('POST', `/api/v1/bookings/${booking.id}/payments`, randomUUID(), { card, amount: booking.totalPrice });
  return {
    customer,
    bookingId: booking.id,
    reference: booking.reference,
    status: paid.status === 201 || paid.status === 200 ? 'confirmed' : 'gave-up',
    answers,
  };
}

export async function setUpFlights(drill: Drill, count: number, rows: number) {
  return createFleet(drill.gatewayUrl, drill.admin, { count, rows, concurrency: 4 });
}

export async function waitUntil(what: string, check: () => Promise<boolean>, timeoutMs: number, intervalMs = 250) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await check().catch(() => false)) return true;
    if (Date.now() > deadline) {
      say(`gave up waiting for ${what} after ${timeoutMs} ms`);
      return false;
    }
    await new Promise((done) => setTimeout(done, intervalMs));
  }
}

/** Waits until no booking is mid-payment and no release is owed, so the checks see a settled system. */
export async function waitSettled(drill: Drill, timeoutMs = 60_000) {
  return waitUntil(
    'bookings to settle',
    async () => {
      const { rows } = await drill.db.query<{ unsettled: number }>(
        `SELECT count(*)::int AS unsettled FROM bookings.bookings WHERE status = 'PAYING' OR release_pending`,
      );
      return rows[0]!.unsettled === 0;
    },
    timeoutMs,
  );
}

export type InvariantReport = {
  inventoryOk: boolean;
  inventoryViolations: unknown[];
  confirmed: number;
  bookingsChargedTwice: number;
  confirmedWithoutCharge: number;
  confirmationEmails: { missing: number; duplicated: number };
  duplicateMessageIds: number;
};

/**
 * The three promises every drill ends on: the inventory adds up, every booking is charged at most
 * once (and a confirmed one exactly once), and every confirmed booking got exactly one confirmation
 * email (none twice, even across broker restarts).
 */
export async function checkInvariants(
  drill: Drill,
  options: { emailWaitMs?: number; inventoryWaitMs?: number } = {},
): Promise<InvariantReport> {
  let inventory = await inventoryCheck(drill.gatewayUrl, drill.admin);
  // Holds whose booking could never be stored (the database was away) go back by themselves at
  // their own expiry; a drill that causes them waits for that, bounded.
  if (!inventory.ok && options.inventoryWaitMs) {
    say(
      `inventory not clean yet (${inventory.violations.length} violations); waiting up to ${options.inventoryWaitMs / 1000} s for holds to expire by themselves`,
    );
    await waitUntil(
      'a clean inventory',
      async () => {
        inventory = await inventoryCheck(drill.gatewayUrl, drill.admin);
        return inventory.ok;
      },
      options.inventoryWaitMs,
      2000,
    );
  }
  const charged = await drill.db.query<{ booking_id: string; charges: number }>(
    `SELECT p.booking_id, count(*)::int AS charges
       FROM bookings.test_processor_charges c JOIN bookings.payments p ON c.idempotency_key = p.id::text
      WHERE c.status = 'SUCCEEDED'
      GROUP BY p.booking_id`,
  );
  const chargesByBooking = new Map(charged.rows.map((row) => [row.booking_id, row.charges]));
  const confirmed = await drill.db.query<{ id: string; reference: string }>(
    `SELECT id, reference FROM bookings.bookings WHERE status = 'CONFIRMED'`,
  );
  const confirmedWithoutCharge = confirmed.rows.filter((booking) => (chargesByBooking.get(booking.id) ?? 0) !== 1).length;
  const bookingsChargedTwice = charged.rows.filter((row) => row.charges > 1).length;

  const confirmationsFor = (reference: string) =>
    drill.mail.messages.filter((message) => message.subject.includes(reference) && /confirm/i.test(message.subject)).length;
  await waitUntil(
    'every confirmation email',
    async () => confirmed.rows.every((booking) => confirmationsFor(booking.reference) >= 1),
    options.emailWaitMs ?? 30_000,
    500,
  );
  // A copy sent twice would arrive shortly after the first: give it the chance to show up.
  await new Promise((done) => setTimeout(done, 1500));
  const counts = confirmed.rows.map((booking) => confirmationsFor(booking.reference));
  const messageIds = drill.mail.messages.map((message) => message.messageId).filter(Boolean);
  const report: InvariantReport = {
    inventoryOk: inventory.ok,
    inventoryViolations: inventory.violations.slice(0, 5),
    confirmed: confirmed.rows.length,
    bookingsChargedTwice,
    confirmedWithoutCharge,
    confirmationEmails: { missing: counts.filter((n) => n === 0).length, duplicated: counts.filter((n) => n > 1).length },
    duplicateMessageIds: messageIds.length - new Set(messageIds).size,
  };
  say(
    `invariants: inventory ${report.inventoryOk ? 'ok' : `BROKEN ${JSON.stringify(report.inventoryViolations)}`}; ` +
      `${report.confirmed} confirmed, charged twice ${report.bookingsChargedTwice}, confirmed without exactly one charge ${report.confirmedWithoutCharge}; ` +
      `confirmation emails missing ${report.confirmationEmails.missing}, duplicated ${report.confirmationEmails.duplicated}, duplicate Message-IDs ${report.duplicateMessageIds}`,
  );
  return report;
}

export const expectedClean = {
  inventoryOk: true,
  bookingsChargedTwice: 0,
  confirmedWithoutCharge: 0,
  confirmationEmails: { missing: 0, duplicated: 0 },
  duplicateMessageIds: 0,
};

/** Readiness of every process, by name: which dependency each one reports down. */
export const readiness = (drill: Drill) => readinessOfProcesses(drill.processes(), 3000);

export { inParallel, withDatabase };
