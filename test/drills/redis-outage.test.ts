import { randomUUID } from 'node:crypto';
import { expect, it } from 'vitest';
import { call } from '../../bench/src/api.js';
import { bookAndPay, checkInvariants, describeDrill, expectedClean, inParallel, say, setUpFlights, waitSettled } from './support.js';

const outageMs = 10_000;

describeDrill(
  'drill: Redis unavailable for ~10 s during bookings and payments',
  'redis-outage',
  { bookingsInstances: 1, env: { IDEMPOTENCY_LEASE_MS: '3000' } },
  (current) => {
    it('when Redis goes away, then search keeps answering, payments never charge twice, and all is well once it is back', async () => {
      const drill = current();
      const fleet = await setUpFlights(drill, 4, 10);
      const flight = await call<{ departureLocal: string }>(drill.gatewayUrl, 'GET', `/api/v1/flights/${fleet.flightIds[0]}`);
      const date = flight.body.departureLocal.slice(0, 10);
      const pidsBefore = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
      const customers = await drill.minter.customers(80);

      let outage = false;
      const duringOutage = { search: new Map<number, number>(), bookings: new Map<number, number>() };
      const bump = (map: Map<number, number>, status: number) => map.set(status, (map.get(status) ?? 0) + 1);
      // Travellers keep booking and paying through the whole drill; searchers keep searching.
      const started = Date.now();
      const travellers = inParallel(customers, 8, async (customer, index) => {
        await new Promise((done) => setTimeout(done, (index % 10) * 150));
        const outcome = await bookAndPay(drill.gatewayUrl, customer, fleet.flightIds[index % fleet.flightIds.length]!, { attempts: 12 });
        if (outage) for (const status of outcome.answers) bump(duringOutage.bookings, status);
        return outcome;
      });
      const searching = (async () => {
        while (Date.now() - started < outageMs + 8000) {
          const answer = await call(
            drill.gatewayUrl,
            'GET',
            `/api/v1/flights/search?from=${fleet.from}&to=${fleet.to}&date=${date}&passengers=${1 + Math.floor(Math.random() * 3)}`,
            {
              headers: { 'x-request-id': randomUUID() },
            },
          ).catch(() => ({ status: 0 }));
          if (outage) bump(duringOutage.search, answer.status);
          await new Promise((done) => setTimeout(done, 100));
        }
      })();

      await new Promise((done) => setTimeout(done, 2000));
      drill.proxies.redis.cut();
      outage = true;
      say(`broke: Redis connections cut for ${outageMs / 1000} s`);
      await new Promise((done) => setTimeout(done, outageMs));
      drill.proxies.redis.restore();
      outage = false;
      say('healed: Redis reachable again');
      const outcomes = await travellers;
      await searching;
      expect(await waitSettled(drill)).toBe(true);

      say(
        `during the outage: search answers ${JSON.stringify(Object.fromEntries(duringOutage.search))}, booking/payment answers ${JSON.stringify(Object.fromEntries(duringOutage.bookings))}`,
      );
      const confirmed = outcomes.filter((outcome) => outcome.status === 'confirmed').length;
      say(`${confirmed} of ${customers.length} travellers confirmed`);
      const report = await checkInvariants(drill);
      const pidsAfter = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));

      expect(report).toMatchObject(expectedClean);
      // Search answers from PostgreSQL when its cache is gone.
      expect([...duringOutage.search.keys()].filter((status) => status !== 200)).toEqual([]);
      expect(duringOutage.search.size).toBeGreaterThan(0);
      // Nothing fails open into a crash: an idempotency claim that cannot be made is a 503, never a 500.
      expect(duringOutage.bookings.get(500) ?? 0).toBe(0);
      expect(pidsAfter).toEqual(pidsBefore);
      expect(confirmed).toBeGreaterThan(0);
    });
  },
);
