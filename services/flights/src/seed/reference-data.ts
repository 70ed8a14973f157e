import type { CabinLayout } from '../shared/seat-map.js';

/** Real airports across many zones, several with daylight saving (Europe, North America, Chile, Australia). */
export const demoAirports = [
  {
    code: 'JFK',
    name: 'John F. Kennedy International',
    city: 'New York',
    country: 'US',
    tz: 'America/New_York',
    lat: 40.6413,
    lon: -73.7781,
  },
  { code: 'BOS', name: 'Logan International', city: 'Boston', country: 'US', tz: 'America/New_York', lat: 42.3656, lon: -71.0096 },
  { code: 'ORD', name: "O'Hare International", city: 'Chicago', country: 'US', tz: 'America/Chicago', lat: 41.9742, lon: -87.9073 },
  { code: 'DEN', name: 'Denver International', city: 'Denver', country: 'US', tz: 'America/Denver', lat: 39.8561, lon: -104.6737 },
  { code: 'PHX', name: 'Phoenix Sky Harbor', city: 'Phoenix', country: 'US', tz: 'America/Phoenix', lat: 33.4352, lon: -112.0101 },
  {
    code: 'LAX',
    name: 'Los Angeles International',
    city: 'Los Angeles',
    country: 'US',
    tz: 'America/Los_Angeles',
    lat: 33.9416,
    lon: -118.4085,
  },
  {
    code: 'SFO',
    name: 'San Francisco International',
    city: 'San Francisco',
    country: 'US',
    tz: 'America/Los_Angeles',
    lat: 37.6213,
    lon: -122.379,
  },
  { code: 'YYZ', name: 'Toronto Pearson', city: 'Toronto', country: 'CA', tz: 'America/Toronto', lat: 43.6777, lon: -79.6248 },
  {
    code: 'MEX',
    name: 'Mexico City International',
    city: 'Mexico City',
    country: 'MX',
    tz: 'America/Mexico_City',
    lat: 19.4361,
    lon: -99.0719,
  },
  { code: 'GRU', name: 'São Paulo/Guarulhos', city: 'São Paulo', country: 'BR', tz: 'America/Sao_Paulo', lat: -23.4356, lon: -46.4731 },
  { code: 'SCL', name: 'Arturo Merino Benítez', city: 'Santiago', country: 'CL', tz: 'America/Santiago', lat: -33.393, lon: -70.7858 },
  { code: 'LHR', name: 'Heathrow', city: 'London', country: 'GB', tz: 'Europe/London', lat: 51.47, lon: -0.4543 },
  { code: 'DUB', name: 'Dublin', city: 'Dublin', country: 'IE', tz: 'Europe/Dublin', lat: 53.4264, lon: -6.2499 },
  { code: 'CDG', name: 'Charles de Gaulle', city: 'Paris', country: 'FR', tz: 'Europe/Paris', lat: 49.0097, lon: 2.5479 },
  { code: 'AMS', name: 'Schiphol', city: 'Amsterdam', country: 'NL', tz: 'Europe/Amsterdam', lat: 52.3105, lon: 4.7683 },
  { code: 'FRA', name: 'Frankfurt', city: 'Frankfurt', country: 'DE', tz: 'Europe/Berlin', lat: 50.0379, lon: 8.5622 },
  { code: 'MAD', name: 'Adolfo Suárez Madrid–Barajas', city: 'Madrid', country: 'ES', tz: 'Europe/Madrid', lat: 40.4983, lon: -3.5676 },
  { code: 'FCO', name: 'Leonardo da Vinci–Fiumicino', city: 'Rome', country: 'IT', tz: 'Europe/Rome', lat: 41.8003, lon: 12.2389 },
  { code: 'ZRH', name: 'Zurich', city: 'Zurich', country: 'CH', tz: 'Europe/Zurich', lat: 47.4582, lon: 8.5555 },
  { code: 'HEL', name: 'Helsinki-Vantaa', city: 'Helsinki', country: 'FI', tz: 'Europe/Helsinki', lat: 60.3172, lon: 24.9633 },
  { code: 'IST', name: 'Istanbul', city: 'Istanbul', country: 'TR', tz: 'Europe/Istanbul', lat: 41.2753, lon: 28.7519 },
  { code: 'CAI', name: 'Cairo International', city: 'Cairo', country: 'EG', tz: 'Africa/Cairo', lat: 30.1219, lon: 31.4056 },
  {
    code: 'JNB',
    name: 'O. R. Tambo International',
    city: 'Johannesburg',
    country: 'ZA',
    tz: 'Africa/Johannesburg',
    lat: -26.1392,
    lon: 28.246,
  },
  { code: 'DXB', name: 'Dubai International', city: 'Dubai', country: 'AE', tz: 'Asia/Dubai', lat: 25.2532, lon: 55.3657 },
  { code: 'DEL', name: 'Indira Gandhi International', city: 'Delhi', country: 'IN', tz: 'Asia/Kolkata', lat: 28.5562, lon: 77.1 },
  { code: 'SIN', name: 'Changi', city: 'Singapore', country: 'SG', tz: 'Asia/Singapore', lat: 1.3644, lon: 103.9915 },
  { code: 'HKG', name: 'Hong Kong International', city: 'Hong Kong', country: 'HK', tz: 'Asia/Hong_Kong', lat: 22.308, lon: 113.9185 },
  { code: 'NRT', name: 'Narita International', city: 'Tokyo', country: 'JP', tz: 'Asia/Tokyo', lat: 35.772, lon: 140.3929 },
  { code: 'SYD', name: 'Sydney Kingsford Smith', city: 'Sydney', country: 'AU', tz: 'Australia/Sydney', lat: -33.9399, lon: 151.1753 },
  { code: 'AKL', name: 'Auckland', city: 'Auckland', country: 'NZ', tz: 'Pacific/Auckland', lat: -37.0082, lon: 174.785 },
] as const;

/** Seat maps close to the real aircraft; capacity follows from them. */
export const airplaneTypes: { model: string; short: string; cabins: CabinLayout[] }[] = [
  {
    model: 'Airbus A320neo',
    short: 'A320',
    cabins: [
      { cabin: 'business', firstRow: 1, lastRow: 3, seatLetters: 'ACDF', aisleAfter: ['C'], exitRows: [], blockedSeats: [] },
      { cabin: 'economy', firstRow: 4, lastRow: 30, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [12, 13], blockedSeats: ['13C'] },
    ],
  },
  {
    model: 'Boeing 737-800',
    short: 'B738',
    cabins: [
      { cabin: 'economy', firstRow: 1, lastRow: 31, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [15, 16], blockedSeats: [] },
    ],
  },
  {
    model: 'Boeing 787-9',
    short: 'B789',
    cabins: [
      { cabin: 'business', firstRow: 1, lastRow: 8, seatLetters: 'ADGK', aisleAfter: ['A', 'G'], exitRows: [], blockedSeats: [] },
      {
        cabin: 'premium_economy',
        firstRow: 10,
        lastRow: 14,
        seatLetters: 'ABCDEFGH',
        aisleAfter: ['B', 'F'],
        exitRows: [10],
        blockedSeats: [],
      },
      {
        cabin: 'economy',
        firstRow: 20,
        lastRow: 47,
        seatLetters: 'ABCDEFGHK',
        aisleAfter: ['C', 'G'],
        exitRows: [20, 35],
        blockedSeats: ['47D', '47E', '47F'],
      },
    ],
  },
  {
    model: 'Airbus A350-900',
    short: 'A359',
    cabins: [
      { cabin: 'first', firstRow: 1, lastRow: 2, seatLetters: 'ADK', aisleAfter: ['A', 'D'], exitRows: [], blockedSeats: [] },
      { cabin: 'business', firstRow: 3, lastRow: 10, seatLetters: 'ADGK', aisleAfter: ['A', 'G'], exitRows: [], blockedSeats: [] },
      {
        cabin: 'premium_economy',
        firstRow: 11,
        lastRow: 16,
        seatLetters: 'ACDEFHK',
        aisleAfter: ['C', 'F'],
        exitRows: [11],
        blockedSeats: [],
      },
      {
        cabin: 'economy',
        firstRow: 20,
        lastRow: 50,
        seatLetters: 'ABCDEFGHK',
        aisleAfter: ['C', 'G'],
        exitRows: [20, 36],
        blockedSeats: [],
      },
    ],
  },
  {
    model: 'Embraer E190',
    short: 'E190',
    cabins: [
      { cabin: 'business', firstRow: 1, lastRow: 3, seatLetters: 'ACD', aisleAfter: ['A'], exitRows: [], blockedSeats: [] },
      { cabin: 'economy', firstRow: 4, lastRow: 26, seatLetters: 'ABCD', aisleAfter: ['B'], exitRows: [11], blockedSeats: [] },
    ],
  },
];

export function distanceKm(a: { lat: number; lon: number }, b: { lat: number; lon: number }): number {
  const rad = Math.PI / 180;
  const dLat = (b.lat - a.lat) * rad;
  const dLon = (b.lon - a.lon) * rad;
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(a.lat * rad) * Math.cos(b.lat * rad) * Math.sin(dLon / 2) ** 2;
  return 2 * 6371 * Math.asin(Math.sqrt(h));
}

/** Block time from distance: cruise at ~820 km/h plus taxi, climb and approach; whole 5 minutes. */
export const blockMinutes = (km: number) => Math.round(((km / 820) * 60) / 5) * 5 + 35;

/** Economy fare in minor units; other cabins are multiples of it. */
export const economyFare = (km: number) => Math.round(((49 + km * 0.085) * 100) / 100) * 100 - 1;
export const cabinFactor = { economy: 1, premium_economy: 1.8, business: 3.6, first: 6.5 } as const;

export const airplaneTypeFor = (km: number) => (km < 1200 ? (km < 700 ? 4 : 1) : km < 3500 ? 0 : km < 8000 ? 2 : 3);
