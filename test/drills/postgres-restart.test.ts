import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { bookingBody, call } from '../../bench/src/api.js';
import {
  bookAndPay,
  checkInvariants,
  describeDrill,
  expectedClean,
  inParallel,
  readiness,
  say,
  setUpFlights,
  waitSettled,
  waitUntil,
} from './support.js';

const outageMs = 6000;

// Short holds: a hold whose booking could not be stored during the outage must come back by itself, within the drill.
describeDrill(
  'drill: PostgreSQL goes away and comes back',
  'postgres-restart',
  {
    bookingsInstances: 1,
    env: { IDEMPOTENCY_LEASE_MS: '3000', BOOKING_HOLD_SECONDS: '15', HOLD_GRACE_SECONDS: '5' },
  },
  (current) => {
    it('when the database drops every connection, then /ready reports it, services reconnect by themselves and no 500 storm follows', async () => {
      const drill = current();
      const fleet = await setUpFlights(drill, 2, 10);
      const customers = await drill.minter.customers(40);
      const pidsBefore = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
      const travellers = inParallel(customers, 6, async (customer, index) => {
        await new Promise((done) => setTimeout(done, (index % 8) * 200));
        return bookAndPay(drill.gatewayUrl, customer, fleet.flightIds[index % 2]!, { attempts: 12 });
      });

      await new Promise((done) => setTimeout(done, 1500));
      drill.proxies.postgres.cut();
      say(`broke: every PostgreSQL connection dropped, new ones refused for ${outageMs / 1000} s`);
      let reportedDown: string[] = [];
      await waitUntil(
        '/ready to report the outage',
        async () => {
          const states = await readiness(drill);
          reportedDown = states
            .filter((state) => state.status === 503 && JSON.stringify(state.body).includes('postgres'))
            .map((state) => state.name);
          return reportedDown.length === states.length;
        },
        outageMs - 500,
        250,
      );
      say(`/ready during the outage: 503 naming postgres from ${reportedDown.join(', ') || 'none'}`);
      await new Promise((done) => setTimeout(done, 1000));
      drill.proxies.postgres.restore();
      say('healed: PostgreSQL reachable again');

      const recovered = await waitUntil(
        'every process ready again',
        async () => (await readiness(drill)).every((state) => state.status === 200),
        30_000,
      );
      const outcomes = await travellers;

      // After recovery: a burst of ordinary traffic, none of it may fail with a 5xx.
      const burstCustomers = await drill.minter.customers(30);
      const statuses = await inParallel(burstCustomers, 10, async (customer, index) => {
        const read = await call(drill.gatewayUrl, 'GET', `/api/v1/flights/${fleet.flightIds[index % 2]}`);
        const write = await call(drill.gatewayUrl, 'POST', '/api/v1/bookings', {
          token: customer.token,
          headers: { 'idempotency-key': randomUUID() },
          body: bookingBody(fleet.flightIds[index % 2]!),
        });
        return [read.status, write.status];
      });
      const serverErrorsAfter = statuses.flat().filter((status) => status >= 500).length;
      say(`after recovery: ${statuses.length * 2} requests, ${serverErrorsAfter} answered 5xx`);
      expect(await waitSettled(drill)).toBe(true);
      const report = await checkInvariants(drill, { inventoryWaitMs: 60_000 });
      const pidsAfter = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
      say(
        `processes restarted: ${
          [...pidsAfter]
            .filter(([name, pid]) => pidsBefore.get(name) !== pid)
            .map(([name]) => name)
            .join(', ') || 'none'
        }`,
      );

      expect(reportedDown.sort()).toEqual([...pidsBefore.keys()].sort());
      expect(recovered).toBe(true);
      expect(serverErrorsAfter).toBe(0);
      expect(pidsAfter).toEqual(pidsBefore);
      expect(report).toMatchObject(expectedClean);
      expect(outcomes.some((outcome) => outcome.status === 'confirmed')).toBe(true);
    });
  },
);
