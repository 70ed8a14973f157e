import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, sqlState, type Db } from '@aerofly/platform';
import { decodeCursor, encodeCursor, invalid, isStringTuple } from '../shared/pagination.js';
import type { ReadCache } from '../shared/read-cache.js';
import { isKnownTimeZone } from '../shared/zones.js';
import { placesRepository as repo, type AirportRow, type CityRow } from './places.repository.js';

type AirportInput = {
  code: string;
  name: string;
  cityId: string;
  timeZone: string;
  latitude?: number | undefined;
  longitude?: number | undefined;
};

const cityView = (row: CityRow) => ({ ...row, createdAt: row.createdAt.toISOString() });
const airportView = (row: AirportRow) => ({ ...row, createdAt: row.createdAt.toISOString() });

export function createPlacesService({ db, cache }: { db: Db; cache: ReadCache }) {
  const getCity = async (id: string) => {
    const city = await repo.findCity(db, id);
    if (!city) throw new AppError('NOT_FOUND', `No city ${id}`);
    return cityView(city);
  };
  const getAirport = async (idOrCode: string) => {
    const airport = await repo.findAirport(db, idOrCode);
    if (!airport) throw new AppError('NOT_FOUND', `No airport ${idOrCode}`);
    return airportView(airport);
  };
  const checkAirport = async (input: AirportInput) => {
    if (!isKnownTimeZone(input.timeZone)) throw invalid('timeZone', 'is not an IANA time zone, e.g. Europe/Paris');
    if ((input.latitude === undefined) !== (input.longitude === undefined))
      throw invalid('longitude', 'give both latitude and longitude or neither');
    if (!(await repo.findCity(db, input.cityId))) throw invalid('cityId', 'is not a known city');
  };
  const saveAirport = async (write: () => Promise<unknown>) => {
    try {
      await write();
    } catch (error) {
      if (isUniqueViolation(error, 'airports_code_key')) throw invalid('code', 'is already used by another airport');
      if (sqlState(error) === '23503') throw new AppError('RESOURCE_IN_USE', 'Flights use this airport code');
      throw error;
    }
  };

  return {
    async listCities(query: { limit: number; cursor?: string | undefined }) {
      const after = query.cursor ? (decodeCursor(query.cursor, isStringTuple(2)) as [string, string]) : undefined;
      const rows = await repo.listCities(db, { limit: query.limit, after });
      const last = rows[rows.length - 1];
      return { items: rows.map(cityView), nextCursor: rows.length === query.limit && last ? encodeCursor([last.name, last.id]) : null };
    },
    getCity,
    async createCity(input: { name: string; countryCode: string }) {
      try {
        return cityView(await repo.insertCity(db, { id: randomUUID(), ...input }));
      } catch (error) {
        if (isUniqueViolation(error, 'cities_name_country_key')) throw invalid('name', 'this city already exists in this country');
        throw error;
      }
    },
    async updateCity(id: string, patch: { name?: string | undefined; countryCode?: string | undefined }) {
      try {
        const city = await repo.updateCity(db, id, patch);
        if (!city) throw new AppError('NOT_FOUND', `No city ${id}`);
        await cache.invalidate();
        return cityView(city);
      } catch (error) {
        if (isUniqueViolation(error, 'cities_name_country_key')) throw invalid('name', 'this city already exists in this country');
        throw error;
      }
    },
    async deleteCity(id: string) {
      const result = await repo.deleteCity(db, id);
      if (result.inUse) throw new AppError('RESOURCE_IN_USE', 'Airports are in this city; delete or move them first');
      if (result.deleted === 0) throw new AppError('NOT_FOUND', `No city ${id}`);
    },

    async listAirports(query: { limit: number; cursor?: string | undefined; cityId?: string | undefined }) {
      const after = query.cursor ? decodeCursor(query.cursor, isStringTuple(1))[0] : undefined;
      const rows = await repo.listAirports(db, { limit: query.limit, after, cityId: query.cityId });
      const last = rows[rows.length - 1];
      return { items: rows.map(airportView), nextCursor: rows.length === query.limit && last ? encodeCursor([last.code]) : null };
    },
    getAirport,
    async createAirport(input: AirportInput) {
      await checkAirport(input);
      const id = randomUUID();
      await saveAirport(() =>
        repo.insertAirport(db, { id, ...input, latitude: input.latitude ?? null, longitude: input.longitude ?? null }),
      );
      return getAirport(id);
    },
    async updateAirport(id: string, patch: Partial<AirportInput>) {
      const current = await getAirport(id);
      const next: AirportInput = {
        code: patch.code ?? current.code,
        name: patch.name ?? current.name,
        cityId: patch.cityId ?? current.cityId,
        timeZone: patch.timeZone ?? current.timeZone,
        latitude: patch.latitude ?? current.latitude ?? undefined,
        longitude: patch.longitude ?? current.longitude ?? undefined,
      };
      await checkAirport(next);
      // Flights name airports by code and show local times in the airport's zone: both are fixed once flights use it.
      if ((next.code !== current.code || next.timeZone !== current.timeZone) && (await repo.airportHasFlights(db, current.code))) {
        throw new AppError('RESOURCE_IN_USE', 'Flights use this airport; its code and time zone cannot change');
      }
      await saveAirport(() =>
        repo.updateAirport(db, current.id, { ...next, latitude: next.latitude ?? null, longitude: next.longitude ?? null }),
      );
      await cache.invalidate();
      return getAirport(current.id);
    },
    async deleteAirport(id: string) {
      const current = await getAirport(id);
      try {
        await repo.deleteAirport(db, current.id);
      } catch (error) {
        if (sqlState(error) === '23503') throw new AppError('RESOURCE_IN_USE', 'Flights use this airport');
        throw error;
      }
      await cache.invalidate();
    },
  };
}
export type PlacesService = ReturnType<typeof createPlacesService>;
