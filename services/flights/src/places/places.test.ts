import { bearer, mintUser } from '@aerofly/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFlightsTestApp, fixtures, type FlightsTestApp } from '../testing/flights-test-app.js';

let t: FlightsTestApp;
let f: ReturnType<typeof fixtures>;

beforeAll(async () => {
  t = await createFlightsTestApp();
  f = fixtures(t);
}, 180_000);
afterAll(() => t.close());

const send = (method: 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object, headers = t.admin) =>
  t.app.inject({ method, url, headers, ...(payload ? { payload } : {}) });
const fieldsOf = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('cities and airports', () => {
  it('when an admin creates a city and an airport, then anyone can read them, by id or IATA code', async () => {
    const city = await f.post('/api/v1/cities', { name: 'Lisbon', countryCode: 'PT' });
    const airport = await f.post('/api/v1/airports', {
      code: 'LIS',
      name: 'Humberto Delgado',
      cityId: city.id,
      timeZone: 'Europe/Lisbon',
      latitude: 38.77,
      longitude: -9.13,
    });
    expect(airport).toMatchObject({ code: 'LIS', cityName: 'Lisbon', countryCode: 'PT', timeZone: 'Europe/Lisbon' });
    expect((await t.app.inject({ url: '/api/v1/airports/LIS' })).json().id).toBe(airport.id);
    expect((await t.app.inject({ url: `/api/v1/airports/${airport.id}` })).json().code).toBe('LIS');
    expect((await t.app.inject({ url: '/api/v1/airports' })).json().items.map((a: { code: string }) => a.code)).toContain('LIS');
    expect((await t.app.inject({ url: `/api/v1/cities/${city.id}` })).json().name).toBe('Lisbon');
  });

  it('when reference data is wrong, then it is refused with 400 and the field, never 500', async () => {
    const city = await f.post('/api/v1/cities', { name: 'Oslo', countryCode: 'NO' });
    const cases: [string, object, string][] = [
      ['/api/v1/cities', { name: '', countryCode: 'NO' }, 'name'],
      ['/api/v1/cities', { name: 'Bergen', countryCode: 'norway' }, 'countryCode'],
      ['/api/v1/cities', { name: 'Oslo', countryCode: 'NO' }, 'name'],
      ['/api/v1/cities', { name: 'Bergen', countryCode: 'NO', extra: 1 }, '(body)'],
      ['/api/v1/airports', { code: 'osl', name: 'Gardermoen', cityId: city.id, timeZone: 'Europe/Oslo' }, 'code'],
      ['/api/v1/airports', { code: 'OSL', name: 'Gardermoen', cityId: city.id, timeZone: 'Europe/Atlantis' }, 'timeZone'],
      [
        '/api/v1/airports',
        { code: 'OSL', name: 'Gardermoen', cityId: '00000000-0000-4000-8000-000000000000', timeZone: 'Europe/Oslo' },
        'cityId',
      ],
      [
        '/api/v1/airports',
        { code: 'OSL', name: 'Gardermoen', cityId: city.id, timeZone: 'Europe/Oslo', latitude: 91, longitude: 0 },
        'latitude',
      ],
    ];
    for (const [url, payload, field] of cases) {
      const answer = await send('POST', url, payload);
      expect({ url, payload, status: answer.statusCode }).toEqual({ url, payload, status: 400 });
      expect(fieldsOf(answer.json()).join(',')).toContain(field === '(body)' ? '' : field);
    }
    await f.post('/api/v1/airports', { code: 'OSL', name: 'Gardermoen', cityId: city.id, timeZone: 'Europe/Oslo' });
    const duplicate = await send('POST', '/api/v1/airports', { code: 'OSL', name: 'Again', cityId: city.id, timeZone: 'Europe/Oslo' });
    expect([duplicate.statusCode, fieldsOf(duplicate.json())]).toEqual([400, ['code']]);
    expect((await send('POST', '/api/v1/cities', undefined)).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/airports/nope' })).statusCode).toBe(400);
    expect((await t.app.inject({ url: '/api/v1/airports/ZZZ' })).statusCode).toBe(404);
  });

  it('when an airport is used by flights, then its code, zone and deletion are refused but its name may change', async () => {
    await f.airport('AAA', 'Europe/Madrid');
    await f.airport('BBB', 'Europe/Rome');
    await f.flight({ from: 'AAA', to: 'BBB', departureAt: '2030-04-01T10:00:00Z', arrivalAt: '2030-04-01T12:00:00Z' });
    expect((await send('PATCH', '/api/v1/airports/AAA', { timeZone: 'Europe/Paris' })).json().code).toBe('RESOURCE_IN_USE');
    expect((await send('PATCH', '/api/v1/airports/AAA', { code: 'AAB' })).json().code).toBe('RESOURCE_IN_USE');
    expect((await send('DELETE', '/api/v1/airports/AAA')).json().code).toBe('RESOURCE_IN_USE');
    const renamed = await send('PATCH', '/api/v1/airports/AAA', { name: 'Renamed' });
    expect([renamed.statusCode, renamed.json().name]).toEqual([200, 'Renamed']);
    const city = (await t.app.inject({ url: '/api/v1/airports/AAA' })).json().cityId;
    expect((await send('DELETE', `/api/v1/cities/${city}`)).json().code).toBe('RESOURCE_IN_USE');
  });

  it('when a city is unused, then an admin can rename and delete it (204), and a traveller cannot', async () => {
    const city = await f.post('/api/v1/cities', { name: 'Porto', countryCode: 'PT' });
    const traveller = bearer((await mintUser()).token);
    expect((await send('PATCH', `/api/v1/cities/${city.id}`, { name: 'Oporto' }, traveller)).statusCode).toBe(403);
    expect((await send('POST', '/api/v1/cities', { name: 'Faro', countryCode: 'PT' }, {})).statusCode).toBe(401);
    const renamed = await send('PATCH', `/api/v1/cities/${city.id}`, { name: 'Oporto' });
    expect([renamed.statusCode, renamed.json().name]).toEqual([200, 'Oporto']);
    expect((await send('DELETE', `/api/v1/cities/${city.id}`)).statusCode).toBe(204);
    expect((await t.app.inject({ url: `/api/v1/cities/${city.id}` })).statusCode).toBe(404);
  });

  it('when listing cities page by page, then every city appears once', async () => {
    for (const name of ['Aa', 'Bb', 'Cc', 'Dd', 'Ee']) await f.post('/api/v1/cities', { name, countryCode: 'ZZ' });
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { items: { id: string }[]; nextCursor: string | null } = (
        await t.app.inject({ url: `/api/v1/cities?limit=2${cursor ? `&cursor=${cursor}` : ''}` })
      ).json();
      seen.push(...page.items.map((c: { id: string }) => c.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(new Set(seen).size).toBe(seen.length);
    const all = (await t.app.inject({ url: '/api/v1/cities?limit=100' })).json().items;
    expect(seen.length).toBe(all.length);
  });
});
