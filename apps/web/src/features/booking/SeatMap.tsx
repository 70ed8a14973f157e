import type { Seat, SeatMapCabin } from '../../api/types';

type Props = {
  cabin: SeatMapCabin;
  /** Seat chosen per passenger (index = passenger), or null to let the system assign. */
  chosen: (string | null)[];
  /** The passenger the next click assigns a seat to. */
  activePassenger: number;
  onChoose: (seat: string) => void;
};

const statusLabel: Record<Seat['status'], string> = { AVAILABLE: 'free', HELD: 'held', SOLD: 'taken', BLOCKED: 'blocked' };

function describe(seat: Seat, owner: number): string {
  const features = [seat.window && 'window', seat.aisle && 'aisle', seat.exit && 'exit row'].filter(Boolean).join(', ');
  const state = owner >= 0 ? `chosen for passenger ${owner + 1}` : statusLabel[seat.status];
  return `Seat ${seat.seat}${features ? `, ${features}` : ''}, ${state}`;
}

/** The seat letters of a row with `null` where an aisle runs (between two aisle seats). */
function withAisles(seats: Seat[]): (Seat | null)[] {
  const cells: (Seat | null)[] = [];
  seats.forEach((seat, index) => {
    cells.push(seat);
    const next = seats[index + 1];
    if (next && seat.aisle && next.aisle) cells.push(null);
  });
  return cells;
}

export function SeatMap({ cabin, chosen, activePassenger, onChoose }: Props) {
  const widest = cabin.rows.reduce((best, row) => (row.seats.length > (best?.seats.length ?? 0) ? row : best), cabin.rows[0]);
  const header = widest ? withAisles(widest.seats) : [];
  return (
    <div className="seat-map" role="group" aria-label={`Seat map, ${cabin.cabin.replace('_', ' ')} cabin`}>
      <div className="seat-row header" aria-hidden="true">
        <span className="row-number" />
        {header.map((cell, index) =>
          cell ? (
            <span key={cell.seat} className="letter">
              {cell.seat.replace(/^\d+/, '')}
            </span>
          ) : (
            <span key={`aisle-${index}`} className="aisle" />
          ),
        )}
        <span className="row-number" />
      </div>
      {cabin.rows.map((row) => {
        const isExit = row.seats.some((seat) => seat.exit);
        return (
          <div key={row.row} className={`seat-row${isExit ? ' exit' : ''}`}>
            <span className="row-number" aria-hidden="true">
              {isExit ? (
                <span className="exit-mark" title="Exit row">
                  ◀
                </span>
              ) : null}
              {row.row}
            </span>
            {withAisles(row.seats).map((seat, index) => {
              if (!seat) return <span key={`aisle-${index}`} className="aisle" aria-hidden="true" />;
              const owner = chosen.indexOf(seat.seat);
              const isFree = seat.status === 'AVAILABLE';
              const classes = [
                'seat',
                seat.status.toLowerCase(),
                owner >= 0 ? 'chosen' : '',
                seat.window ? 'window' : '',
                seat.exit ? 'exit' : '',
              ]
                .filter(Boolean)
                .join(' ');
              return (
                <button
                  key={seat.seat}
                  type="button"
                  className={classes}
                  aria-label={describe(seat, owner)}
                  aria-pressed={owner >= 0}
                  title={describe(seat, owner)}
                  disabled={!isFree && owner < 0}
                  data-seat={seat.seat}
                  onClick={() => onChoose(seat.seat)}
                >
                  {owner >= 0 ? owner + 1 : seat.status === 'SOLD' || seat.status === 'HELD' ? '×' : seat.status === 'BLOCKED' ? '–' : ''}
                </button>
              );
            })}
            <span className="row-number" aria-hidden="true">
              {isExit ? (
                <span className="exit-mark" title="Exit row">
                  ▶
                </span>
              ) : null}
            </span>
          </div>
        );
      })}
      <p className="sr-only">{activePassenger >= 0 ? `Choosing a seat for passenger ${activePassenger + 1}.` : ''}</p>
    </div>
  );
}

export function SeatLegend() {
  return (
    <ul className="seat-legend" aria-label="Seat legend">
      <li>
        <span className="seat available" aria-hidden="true" /> Free
      </li>
      <li>
        <span className="seat chosen" aria-hidden="true">
          1
        </span>{' '}
        Your choice
      </li>
      <li>
        <span className="seat held" aria-hidden="true">
          ×
        </span>{' '}
        Held
      </li>
      <li>
        <span className="seat sold" aria-hidden="true">
          ×
        </span>{' '}
        Taken
      </li>
      <li>
        <span className="seat blocked" aria-hidden="true">
          –
        </span>{' '}
        Blocked
      </li>
      <li>
        <span className="seat available window" aria-hidden="true" /> Window
      </li>
      <li>
        <span className="exit-mark" aria-hidden="true">
          ◀
        </span>{' '}
        Exit row
      </li>
    </ul>
  );
}

/**
 * Applies a click: a seat chosen by someone in the party is released; a free seat goes to the
 * active passenger (replacing their previous choice). Returns the new choices and who is next.
 */
export function chooseSeat(chosen: (string | null)[], active: number, seat: string): { chosen: (string | null)[]; active: number } {
  const owner = chosen.indexOf(seat);
  if (owner >= 0) {
    const next = [...chosen];
    next[owner] = null;
    return { chosen: next, active: owner };
  }
  const next = [...chosen];
  next[active] = seat;
  const firstOpen = next.findIndex((value, index) => value === null && index !== active);
  return { chosen: next, active: firstOpen >= 0 ? firstOpen : active };
}
