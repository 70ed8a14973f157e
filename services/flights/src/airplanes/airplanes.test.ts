import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, narrowbody, type FlightsTestApp } from '../testing/flights-test-app.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
  await f.airport('MAD', 'Europe/Madrid');
  await f.airport('FCO', 'Europe/Rome');
}, 180_000);
afterAll(() => t.close());

const post = (payload: object) => t.app.inject({ method: 'POST', url: '/api/v1/airplanes', headers: t.admin, payload });
const patch = (id: string, payload: object) => t.app.inject({ method: 'PATCH', url: `/api/v1/airplanes/${id}`, headers: t.admin, payload });

describe('airplanes', () => {
  it('when an admin creates an airplane, then its capacity per cabin is derived from the seat map', async () => {
    const answer = await post({ model: 'Airbus A320neo', registration: 'F-HXYZ', cabins: narrowbody });
    expect(answer.statusCode).toBe(201);
    expect(answer.json().capacity).toEqual([
      { cabin: 'business', seats: 8, blocked: 0, capacity: 8 },
      { cabin: 'economy', seats: 60, blocked: 1, capacity: 59 },
    ]);
    expect(answer.json().totalCapacity).toBe(67);
  });

  it('when a seat map is nonsense, then it is refused with 400 and the field', async () => {
    const economy = narrowbody[1]!;
    const cases: [object, string][] = [
      [{ model: 'X', registration: 'N1', cabins: [] }, 'cabins'],
      [{ model: 'X', registration: 'N2', cabins: [{ ...economy, lastRow: 2 }] }, 'cabins[0].lastRow'],
      [{ model: 'X', registration: 'N3', cabins: [economy, { ...economy, cabin: 'business' }] }, 'cabins[1].firstRow'],
      [{ model: 'X', registration: 'N4', cabins: [economy, economy] }, 'cabins[1].cabin'],
      [{ model: 'X', registration: 'N5', cabins: [{ ...economy, seatLetters: 'AAB' }] }, 'cabins[0].seatLetters'],
      [{ model: 'X', registration: 'N6', cabins: [{ ...economy, blockedSeats: ['99A'] }] }, 'cabins[0].blockedSeats[0]'],
      [{ model: 'X', registration: 'N7', cabins: [{ ...economy, aisleAfter: ['Z'] }] }, 'cabins[0].aisleAfter[0]'],
      [{ model: 'X', registration: 'N8', cabins: [{ ...economy, exitRows: [1] }] }, 'cabins[0].exitRows[0]'],
      [{ model: 'X', registration: 'N9', cabins: [{ ...economy, cabin: 'cargo' }] }, 'cabins[0].cabin'],
      [{ model: 'X', registration: 'not a registration', cabins: [economy] }, 'registration'],
      [
        {
          model: 'X',
          registration: 'N10',
          cabins: [{ cabin: 'economy', firstRow: 1, lastRow: 1, seatLetters: 'A', blockedSeats: ['1A'] }],
        },
        'cabins[0].blockedSeats',
      ],
    ];
    for (const [payload, field] of cases) {
      const answer = await post(payload);
      expect({ payload, status: answer.statusCode }).toEqual({ payload, status: 400 });
      expect(answer.json().errors.map((e: { field: string }) => e.field)).toContain(field);
    }
    await post({ model: 'X', registration: 'N11AB', cabins: [economy] });
    const duplicate = await post({ model: 'X', registration: 'N11AB', cabins: [economy] });
    expect([duplicate.statusCode, duplicate.json().errors[0].field]).toEqual([400, 'registration']);
  });

  it('when an airplane has a flight on sale, then its seat map cannot change but its model can, and it cannot be deleted', async () => {
    const airplane = await f.airplane();
    await f.flight({
      from: 'MAD',
      to: 'FCO',
      departureAt: '2030-04-01T10:00:00Z',
      arrivalAt: '2030-04-01T12:20:00Z',
      airplaneId: airplane.id,
    });
    const changed = await patch(airplane.id, { cabins: [{ ...narrowbody[1]!, lastRow: 20 }] });
    expect([changed.statusCode, changed.json().code]).toEqual([409, 'RESOURCE_IN_USE']);
    const renamed = await patch(airplane.id, { model: 'Airbus A321neo' });
    expect([renamed.statusCode, renamed.json().model]).toEqual([200, 'Airbus A321neo']);
    const deleted = await t.app.inject({ method: 'DELETE', url: `/api/v1/airplanes/${airplane.id}`, headers: t.admin });
    expect(deleted.json().code).toBe('RESOURCE_IN_USE');
  });

  it('when an airplane has no flights, then its seat map can change and it can be deleted', async () => {
    const airplane = await f.airplane();
    const changed = await patch(airplane.id, {
      cabins: [{ cabin: 'economy', firstRow: 1, lastRow: 30, seatLetters: 'ABCDEF', aisleAfter: ['C'] }],
    });
    expect([changed.statusCode, changed.json().totalCapacity]).toEqual([200, 180]);
    expect((await t.app.inject({ method: 'DELETE', url: `/api/v1/airplanes/${airplane.id}`, headers: t.admin })).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/airplanes/${airplane.id}` })).statusCode).toBe(404);
  });
});
