import type { Queryable } from '@aerofly/platform';

export type CityRow = { id: string; name: string; countryCode: string; createdAt: Date };
export type AirportRow = {
  id: string;
  code: string;
  name: string;
  cityId: string;
  cityName: string;
  countryCode: string;
  timeZone: string;
  latitude: number | null;
  longitude: number | null;
  createdAt: Date;
};

const citySelect = `SELECT id, name, country_code AS "countryCode", created_at AS "createdAt" FROM flights.cities`;
const airportSelect = `SELECT a.id, a.code, a.name, a.city_id AS "cityId", c.name AS "cityName", c.country_code AS "countryCode",
  a.time_zone AS "timeZone", a.latitude, a.longitude, a.created_at AS "createdAt"
  FROM flights.airports a JOIN flights.cities c ON c.id = a.city_id`;

export const placesRepository = {
  async listCities(db: Queryable, options: { limit: number; after?: [string, string] | undefined }) {
    const { rows } = await db.query<CityRow>(
      `${citySelect} WHERE ($2::text IS NULL OR (name, id::text) > ($2, $3)) ORDER BY name, id::text LIMIT $1`,
      [options.limit, options.after?.[0] ?? null, options.after?.[1] ?? null],
    );
    return rows;
  },
  async findCity(db: Queryable, id: string) {
    const { rows } = await db.query<CityRow>(`${citySelect} WHERE id = $1`, [id]);
    return rows[0];
  },
  async insertCity(db: Queryable, city: { id: string; name: string; countryCode: string }) {
    const { rows } = await db.query<CityRow>(
      `INSERT INTO flights.cities (id, name, country_code) VALUES ($1, $2, $3)
       RETURNING id, name, country_code AS "countryCode", created_at AS "createdAt"`,
      [city.id, city.name, city.countryCode],
    );
    return rows[0] as CityRow;
  },
  async updateCity(db: Queryable, id: string, patch: { name?: string | undefined; countryCode?: string | undefined }) {
    const { rows } = await db.query<CityRow>(
      `UPDATE flights.cities SET name = COALESCE($2, name), country_code = COALESCE($3, country_code) WHERE id = $1
       RETURNING id, name, country_code AS "countryCode", created_at AS "createdAt"`,
      [id, patch.name ?? null, patch.countryCode ?? null],
    );
    return rows[0];
  },
  /** Deletes the city unless an airport names it; `inUse` tells which. */
  async deleteCity(db: Queryable, id: string) {
    const { rows } = await db.query<{ deleted: number; inUse: boolean }>(
      `WITH used AS (SELECT EXISTS (SELECT 1 FROM flights.airports WHERE city_id = $1) AS in_use),
            gone AS (DELETE FROM flights.cities WHERE id = $1 AND NOT (SELECT in_use FROM used) RETURNING id)
       SELECT (SELECT count(*) FROM gone)::int AS deleted, (SELECT in_use FROM used) AS "inUse"`,
      [id],
    );
    return rows[0] as { deleted: number; inUse: boolean };
  },

  async listAirports(db: Queryable, options: { limit: number; after?: string | undefined; cityId?: string | undefined }) {
    const { rows } = await db.query<AirportRow>(
      `${airportSelect} WHERE ($2::text IS NULL OR a.code > $2) AND ($3::uuid IS NULL OR a.city_id = $3) ORDER BY a.code LIMIT $1`,
      [options.limit, options.after ?? null, options.cityId ?? null],
    );
    return rows;
  },
  async findAirport(db: Queryable, idOrCode: string) {
    const byCode = /^[A-Z]{3}$/.test(idOrCode);
    const { rows } = await db.query<AirportRow>(`${airportSelect} WHERE ${byCode ? 'a.code = $1' : 'a.id = $1::uuid'}`, [idOrCode]);
    return rows[0];
  },
  async findAirportsByCodes(db: Queryable, codes: string[]) {
    const { rows } = await db.query<AirportRow>(`${airportSelect} WHERE a.code = ANY($1::text[])`, [codes]);
    return rows;
  },
  async insertAirport(db: Queryable, airport: Omit<AirportRow, 'createdAt' | 'cityName' | 'countryCode'>) {
    await db.query(
      `INSERT INTO flights.airports (id, code, name, city_id, time_zone, latitude, longitude) VALUES ($1, $2, $3, $4, $5, $6, $7)`,
      [airport.id, airport.code, airport.name, airport.cityId, airport.timeZone, airport.latitude, airport.longitude],
    );
  },
  async updateAirport(db: Queryable, id: string, airport: Omit<AirportRow, 'createdAt' | 'cityName' | 'countryCode' | 'id'>) {
    const { rowCount } = await db.query(
      `UPDATE flights.airports SET code = $2, name = $3, city_id = $4, time_zone = $5, latitude = $6, longitude = $7 WHERE id = $1`,
      [id, airport.code, airport.name, airport.cityId, airport.timeZone, airport.latitude, airport.longitude],
    );
    return rowCount;
  },
  async airportHasFlights(db: Queryable, code: string) {
    const { rows } = await db.query<{ used: boolean }>(
      `SELECT EXISTS (SELECT 1 FROM flights.flights WHERE origin = $1) OR EXISTS (SELECT 1 FROM flights.flights WHERE destination = $1) AS used`,
      [code],
    );
    return rows[0]?.used ?? false;
  },
  async deleteAirport(db: Queryable, id: string) {
    const { rowCount } = await db.query(`DELETE FROM flights.airports WHERE id = $1`, [id]);
    return rowCount;
  },
};
