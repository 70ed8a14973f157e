import { expect, it } from 'vitest';
import {
  bookAndPay,
  checkInvariants,
  describeDrill,
  expectedClean,
  inParallel,
  say,
  setUpFlights,
  waitSettled,
  waitUntil,
} from './support.js';

describeDrill(
  'drill: kill -9 one bookings instance in the middle of a flash sale',
  'kill-bookings',
  { bookingsInstances: 2, env: { IDEMPOTENCY_LEASE_MS: '3000' } },
  (current) => {
    it('when a bookings instance dies mid-sale, then nothing is oversold, nobody is charged twice and every confirmed booking gets one email', async () => {
      const drill = current();
      const fleet = await setUpFlights(drill, 1, 10);
      const flightId = fleet.flightIds[0]!;
      const customers = await drill.minter.customers(120);
      let finished = 0;
      const sale = inParallel(customers, 24, async (customer) => {
        const outcome = await bookAndPay(drill.gatewayUrl, customer, flightId);
        finished += 1;
        return outcome;
      });
      await waitUntil('a third of the sale', async () => finished >= 30, 90_000, 20);
      const victim = drill.processes().find((entry) => entry.name === 'bookings-1')!;
      process.kill(victim.pid, 'SIGKILL');
      say(`broke: kill -9 bookings-1 (pid ${victim.pid}) after ${finished} of ${customers.length} travellers`);
      const outcomes = await sale;

      const healed = await waitUntil(
        'bookings-1 restarted',
        async () => {
          const back = drill.processes().find((entry) => entry.name === 'bookings-1');
          if (!back || back.pid === victim.pid) return false;
          const health = await fetch(`${back.url}/health`, { signal: AbortSignal.timeout(1000) });
          return health.ok;
        },
        60_000,
      );
      say(`healed: bookings-1 ${healed ? 'restarted by the supervisor' : 'NOT back'}`);
      expect(await waitSettled(drill)).toBe(true);

      const confirmed = outcomes.filter((outcome) => outcome.status === 'confirmed').length;
      const soldOut = outcomes.filter((outcome) => outcome.status === 'sold-out').length;
      const gaveUp = outcomes.filter((outcome) => outcome.status === 'gave-up').length;
      say(`sale: ${confirmed} confirmed, ${soldOut} sold out, ${gaveUp} gave up after retries, ${fleet.seatsPerFlight} seats`);
      const report = await checkInvariants(drill);
      expect(healed).toBe(true);
      expect(report).toMatchObject(expectedClean);
      expect(report.confirmed).toBeLessThanOrEqual(fleet.seatsPerFlight);
      expect(confirmed).toBeLessThanOrEqual(report.confirmed);
      expect(confirmed).toBeGreaterThan(0);
    });
  },
);
