import { z } from 'zod';
import { cabinClasses } from './cabins.js';

export { cabinClasses };
export const CabinClass = z.enum(cabinClasses);
export type CabinClass = z.infer<typeof CabinClass>;

/** Money is always integer minor units plus an ISO 4217 currency. */
export const Money = z.object({
  amount: z.number().int().min(0).max(100_000_000),
  currency: z.string().regex(/^[A-Z]{3}$/, 'must be an ISO 4217 code such as USD'),
});
export type Money = z.infer<typeof Money>;

export const IataCode = z.string().regex(/^[A-Z]{3}$/, 'must be 3 uppercase letters (IATA code)');
export const SeatCode = z.string().regex(/^[1-9][0-9]{0,2}[A-Z]$/, 'must be a row and a letter, e.g. 12A');
export const Uuid = z.uuid();

/** Cursor-paginated list envelope. */
export const pageOf = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), nextCursor: z.string().nullable() });

export const Problem = z.object({
  type: z.string(),
  title: z.string(),
  status: z.number().int(),
  detail: z.string().optional(),
  code: z.string(),
  requestId: z.string().optional(),
  errors: z.array(z.object({ field: z.string(), message: z.string() })).optional(),
});
export type Problem = z.infer<typeof Problem>;

/** When a flight leaves and lands: UTC instants, local date-times with their airports' zones, and the duration. */
export const FlightTimes = {
  departureAt: z.iso.datetime(),
  arrivalAt: z.iso.datetime(),
  departureLocal: z.string(),
  arrivalLocal: z.string(),
  departureTimeZone: z.string(),
  arrivalTimeZone: z.string(),
  durationMinutes: z.number().int(),
};
