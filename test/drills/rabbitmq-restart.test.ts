import { expect, it } from 'vitest';
import { bookAndPay, checkInvariants, describeDrill, expectedClean, inParallel, say, setUpFlights, waitSettled } from './support.js';

describeDrill(
  'drill: RabbitMQ connection lost and back while confirmations flow',
  'rabbitmq-restart',
  { bookingsInstances: 2 },
  (current) => {
    it('when the broker goes away twice mid-stream, then every confirmed booking gets its email exactly once', async () => {
      const drill = current();
      const fleet = await setUpFlights(drill, 2, 10);
      const customers = await drill.minter.customers(60);
      const pidsBefore = new Map(drill.processes().map((entry) => [entry.name, entry.pid]));
      let finished = 0;
      const sale = inParallel(customers, 8, async (customer, index) => {
        const outcome = await bookAndPay(drill.gatewayUrl, customer, fleet.flightIds[index % 2]!);
        finished += 1;
        return outcome;
      });
      // Two cuts: one while confirmations are being relayed, one while consumers work through them.
      for (const [afterFinished, downMs] of [
        [15, 5000],
        [35, 3000],
      ] as const) {
        while (finished < afterFinished) await new Promise((done) => setTimeout(done, 20));
        drill.proxies.rabbitmq.cut();
        say(`broke: RabbitMQ connections cut for ${downMs / 1000} s after ${finished} travellers`);
        await new Promise((done) => setTimeout(done, downMs));
        drill.proxies.rabbitmq.restore();
        say('healed: RabbitMQ reachable again');
      }
      const outcomes = await sale;
      expect(await waitSettled(drill)).toBe(true);
      const confirmed = outcomes.filter((outcome) => outcome.status === 'confirmed').length;
      say(`${confirmed} of ${customers.length} travellers confirmed`);
      const report = await checkInvariants(drill, { emailWaitMs: 60_000 });
      expect(report).toMatchObject(expectedClean);
      expect(report.confirmed).toBeGreaterThanOrEqual(confirmed);
      expect(confirmed).toBeGreaterThan(0);
      expect(new Map(drill.processes().map((entry) => [entry.name, entry.pid]))).toEqual(pidsBefore);
    });
  },
);
