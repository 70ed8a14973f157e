import type { CabinClass } from '@aerofly/contracts';
import type { FieldError } from '@aerofly/platform';

export type CabinLayout = {
  cabin: CabinClass;
  firstRow: number;
  lastRow: number;
  seatLetters: string;
  aisleAfter?: string[] | undefined;
  exitRows?: number[] | undefined;
  blockedSeats?: string[] | undefined;
};

export type SeatInfo = {
  seat: string;
  row: number;
  letter: string;
  cabin: CabinClass;
  window: boolean;
  aisle: boolean;
  exit: boolean;
  blocked: boolean;
};

/** Every seat of a cabin in row order, with the features a traveller chooses by. */
export function seatsOf(layout: CabinLayout): SeatInfo[] {
  const letters = [...layout.seatLetters];
  const aisleAfter = new Set(layout.aisleAfter ?? []);
  const exitRows = new Set(layout.exitRows ?? []);
  const blocked = new Set(layout.blockedSeats ?? []);
  const seats: SeatInfo[] = [];
  for (let row = layout.firstRow; row <= layout.lastRow; row++) {
    letters.forEach((letter, i) => {
      const seat = `${row}${letter}`;
      const previous = letters[i - 1];
      seats.push({
        seat,
        row,
        letter,
        cabin: layout.cabin,
        window: i === 0 || i === letters.length - 1,
        // A seat is on the aisle when the aisle runs right after it or right before it.
        aisle: aisleAfter.has(letter) || (previous !== undefined && aisleAfter.has(previous)),
        exit: exitRows.has(row),
        blocked: blocked.has(seat),
      });
    });
  }
  return seats;
}

/** Capacity is derived from the map: seats minus blocked seats, never typed twice. */
export function capacityOf(layout: CabinLayout) {
  const seats = seatsOf(layout);
  const blocked = seats.filter((seat) => seat.blocked).length;
  return { cabin: layout.cabin, seats: seats.length, blocked, capacity: seats.length - blocked };
}

/** Field errors for a seat map that cannot describe a real cabin layout. */
export function validateSeatMap(cabins: CabinLayout[], field = 'cabins'): FieldError[] {
  const errors: FieldError[] = [];
  const seenCabins = new Set<string>();
  const rowsTaken: { cabin: string; first: number; last: number }[] = [];
  cabins.forEach((layout, i) => {
    const at = `${field}[${i}]`;
    if (seenCabins.has(layout.cabin)) errors.push({ field: `${at}.cabin`, message: 'appears twice' });
    seenCabins.add(layout.cabin);
    if (layout.lastRow < layout.firstRow) errors.push({ field: `${at}.lastRow`, message: 'must not be before firstRow' });
    const overlap = rowsTaken.find((other) => layout.firstRow <= other.last && other.first <= layout.lastRow);
    if (overlap) errors.push({ field: `${at}.firstRow`, message: `rows overlap the ${overlap.cabin} cabin` });
    rowsTaken.push({ cabin: layout.cabin, first: layout.firstRow, last: layout.lastRow });
    const letters = [...layout.seatLetters];
    if (new Set(letters).size !== letters.length) errors.push({ field: `${at}.seatLetters`, message: 'must not repeat a letter' });
    (layout.aisleAfter ?? []).forEach((letter, j) => {
      if (!letters.includes(letter) || letter === letters[letters.length - 1]) {
        errors.push({ field: `${at}.aisleAfter[${j}]`, message: 'must be a seat letter of this cabin other than the last' });
      }
    });
    (layout.exitRows ?? []).forEach((row, j) => {
      if (row < layout.firstRow || row > layout.lastRow)
        errors.push({ field: `${at}.exitRows[${j}]`, message: 'is not a row of this cabin' });
    });
    const blocked = layout.blockedSeats ?? [];
    blocked.forEach((seat, j) => {
      const match = /^(\d+)([A-Z])$/.exec(seat);
      const row = Number(match?.[1]);
      if (!match || row < layout.firstRow || row > layout.lastRow || !letters.includes(match[2] ?? '')) {
        errors.push({ field: `${at}.blockedSeats[${j}]`, message: 'is not a seat of this cabin' });
      }
    });
    if (new Set(blocked).size !== blocked.length) errors.push({ field: `${at}.blockedSeats`, message: 'must not repeat a seat' });
    if (errors.length === 0 && capacityOf(layout).capacity === 0)
      errors.push({ field: `${at}.blockedSeats`, message: 'leave at least one seat' });
  });
  return errors;
}

/**
 * Seats for a party without chosen seats: prefer a block of adjacent free seats in one row
 * (between aisles counts as adjacent), then seats in neighbouring rows. Among equally good
 * choices it picks at random, so concurrent holds on one flight rarely reach for the same seats.
 */
export function pickSeats(
  layouts: CabinLayout[],
  cabin: CabinClass,
  count: number,
  taken: ReadonlySet<string>,
  random = Math.random,
): string[] {
  const layout = layouts.find((l) => l.cabin === cabin);
  if (!layout || count === 0) return [];
  const free = seatsOf(layout).filter((seat) => !seat.blocked && !taken.has(seat.seat));
  if (free.length < count) return [];
  const byRow = new Map<number, SeatInfo[]>();
  for (const seat of free) {
    const row = byRow.get(seat.row) ?? [];
    row.push(seat);
    byRow.set(seat.row, row);
  }
  const letters = [...layout.seatLetters];
  // Runs of consecutive free letters in a row; a run of at least `count` keeps the party side by side.
  const blocks: string[][] = [];
  for (const seats of byRow.values()) {
    let run: SeatInfo[] = [];
    for (const seat of seats) {
      const last = run[run.length - 1];
      if (last && letters.indexOf(seat.letter) === letters.indexOf(last.letter) + 1) run.push(seat);
      else {
        if (run.length) blocks.push(run.map((s) => s.seat));
        run = [seat];
      }
    }
    if (run.length) blocks.push(run.map((s) => s.seat));
  }
  const fitting = blocks.filter((block) => block.length >= count);
  if (fitting.length > 0) {
    const block = fitting[Math.floor(random() * fitting.length)] ?? [];
    const offset = Math.floor(random() * (block.length - count + 1));
    return block.slice(offset, offset + count);
  }
  // No row has room for the whole party: take consecutive free seats in seat-map order from a random start.
  const start = Math.floor(random() * (free.length - count + 1));
  return free.slice(start, start + count).map((seat) => seat.seat);
}
