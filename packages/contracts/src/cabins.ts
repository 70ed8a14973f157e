/** Plain data without zod, so the web bundle can import it without pulling in the schema library. */
export const cabinClasses = ['economy', 'premium_economy', 'business', 'first'] as const;
