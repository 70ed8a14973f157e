import type { Queryable } from '@aerofly/platform';
import type { CabinLayout } from '../shared/seat-map.js';

export type AirplaneRow = { id: string; model: string; registration: string; cabins: CabinLayout[]; createdAt: Date; updatedAt: Date };

const select = `SELECT id, model, registration, cabins, created_at AS "createdAt", updated_at AS "updatedAt" FROM flights.airplanes`;

export const airplanesRepository = {
  async list(db: Queryable, options: { limit: number; after?: string | undefined }) {
    const { rows } = await db.query<AirplaneRow>(`${select} WHERE ($2::text IS NULL OR registration > $2) ORDER BY registration LIMIT $1`, [
      options.limit,
      options.after ?? null,
    ]);
    return rows;
  },
  async find(db: Queryable, id: string) {
    const { rows } = await db.query<AirplaneRow>(`${select} WHERE id = $1`, [id]);
    return rows[0];
  },
  async insert(db: Queryable, airplane: { id: string; model: string; registration: string; cabins: CabinLayout[]; now: Date }) {
    await db.query(
      `INSERT INTO flights.airplanes (id, model, registration, cabins, created_at, updated_at) VALUES ($1, $2, $3, $4::jsonb, $5, $5)`,
      [airplane.id, airplane.model, airplane.registration, JSON.stringify(airplane.cabins), airplane.now],
    );
  },
  /**
   * Changes the airplane; a seat-map change only while no flight of it is on sale or has seats
   * held or sold (ADR 0101), decided in the same statement as the write.
   */
  async update(
    db: Queryable,
    id: string,
    patch: { model: string; registration: string; cabins: CabinLayout[]; seatMapChanged: boolean; now: Date },
  ) {
    const { rows } = await db.query<{ updated: number; inUse: boolean }>(
      `WITH in_use AS (
         SELECT $5::boolean AND (
           EXISTS (SELECT 1 FROM flights.flights f WHERE f.airplane_id = $1 AND f.status = 'SCHEDULED' AND f.departure_at > $6)
           OR EXISTS (SELECT 1 FROM flights.flights f JOIN flights.hold_seats s ON s.flight_id = f.id
                       WHERE f.airplane_id = $1 AND s.status IN ('HELD', 'SOLD'))) AS value
       ), changed AS (
         UPDATE flights.airplanes SET model = $2, registration = $3, cabins = $4::jsonb, updated_at = $6
          WHERE id = $1 AND NOT (SELECT value FROM in_use) RETURNING id
       )
       SELECT (SELECT count(*) FROM changed)::int AS updated, (SELECT value FROM in_use) AS "inUse"`,
      [id, patch.model, patch.registration, JSON.stringify(patch.cabins), patch.seatMapChanged, patch.now],
    );
    return rows[0] as { updated: number; inUse: boolean };
  },
  async delete(db: Queryable, id: string) {
    const { rowCount } = await db.query(`DELETE FROM flights.airplanes WHERE id = $1`, [id]);
    return rowCount;
  },
};
