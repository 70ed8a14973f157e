import { randomUUID } from 'node:crypto';
import { AppError, isUniqueViolation, sqlState, type Clock, type Db } from '@aerofly/platform';
import { decodeCursor, encodeCursor, invalid, isStringTuple } from '../shared/pagination.js';
import type { ReadCache } from '../shared/read-cache.js';
import { capacityOf, validateSeatMap, type CabinLayout } from '../shared/seat-map.js';
import { airplanesRepository as repo, type AirplaneRow } from './airplanes.repository.js';

type AirplaneInput = { model: string; registration: string; cabins: CabinLayout[] };

export function airplaneView(row: AirplaneRow) {
  const capacity = row.cabins.map(capacityOf);
  return {
    ...row,
    capacity,
    totalCapacity: capacity.reduce((sum, cabin) => sum + cabin.capacity, 0),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

const normalise = (cabins: CabinLayout[]) =>
  cabins
    .map((cabin) => ({
      ...cabin,
      aisleAfter: [...new Set(cabin.aisleAfter ?? [])],
      exitRows: [...new Set(cabin.exitRows ?? [])].sort((a, b) => a - b),
      blockedSeats: cabin.blockedSeats ?? [],
    }))
    .sort((a, b) => a.firstRow - b.firstRow);

export function createAirplanesService({ db, clock, cache }: { db: Db; clock: Clock; cache: ReadCache }) {
  const get = async (id: string) => {
    const row = await repo.find(db, id);
    if (!row) throw new AppError('NOT_FOUND', `No airplane ${id}`);
    return airplaneView(row);
  };
  const checkMap = (cabins: CabinLayout[]) => {
    const errors = validateSeatMap(cabins);
    if (errors.length) throw new AppError('VALIDATION_FAILED', errors.map((e) => `${e.field}: ${e.message}`).join('; '), { errors });
  };
  const save = async <T>(write: () => Promise<T>) => {
    try {
      return await write();
    } catch (error) {
      if (isUniqueViolation(error, 'airplanes_registration_key')) throw invalid('registration', 'is already used by another airplane');
      throw error;
    }
  };

  return {
    async list(query: { limit: number; cursor?: string | undefined }) {
      const after = query.cursor ? decodeCursor(query.cursor, isStringTuple(1))[0] : undefined;
      const rows = await repo.list(db, { limit: query.limit, after });
      const last = rows[rows.length - 1];
      return { items: rows.map(airplaneView), nextCursor: rows.length === query.limit && last ? encodeCursor([last.registration]) : null };
    },
    get,
    async create(input: AirplaneInput) {
      checkMap(input.cabins);
      const id = randomUUID();
      await save(() => repo.insert(db, { id, ...input, cabins: normalise(input.cabins), now: clock.now() }));
      return get(id);
    },
    async update(id: string, patch: Partial<AirplaneInput>) {
      const current = await get(id);
      const cabins = patch.cabins ? normalise(patch.cabins) : current.cabins;
      if (patch.cabins) checkMap(patch.cabins);
      const seatMapChanged = JSON.stringify(cabins) !== JSON.stringify(current.cabins);
      const result = await save(() =>
        repo.update(db, id, {
          model: patch.model ?? current.model,
          registration: patch.registration ?? current.registration,
          cabins,
          seatMapChanged,
          now: clock.now(),
        }),
      );
      if (result.inUse) {
        throw new AppError(
          'RESOURCE_IN_USE',
          'This airplane has flights on sale or seats held or sold; its seat map cannot change (assign another airplane to those flights, or cancel them)',
        );
      }
      if (result.updated === 0) throw new AppError('NOT_FOUND', `No airplane ${id}`);
      await cache.invalidate();
      return get(id);
    },
    async remove(id: string) {
      try {
        if ((await repo.delete(db, id)) === 0) throw new AppError('NOT_FOUND', `No airplane ${id}`);
      } catch (error) {
        if (sqlState(error) === '23503') throw new AppError('RESOURCE_IN_USE', 'Flights use this airplane');
        throw error;
      }
    },
  };
}
export type AirplanesService = ReturnType<typeof createAirplanesService>;
