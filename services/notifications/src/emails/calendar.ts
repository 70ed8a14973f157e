import type { BookingSnapshot } from '@aerofly/contracts';

/** `20260329T003000Z`: iCalendar UTC date-time (RFC 5545 §3.3.5, form #2). */
export const icsUtc = (iso: string) =>
  new Date(iso)
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');

/** TEXT values escape backslash, semicolon, comma and newlines (RFC 5545 §3.3.11). */
const escapeText = (text: string) => text.replace(/\\/g, '\\\\').replace(/;/g, '\\;').replace(/,/g, '\\,').replace(/\r?\n/g, '\\n');

/** Lines longer than 75 octets are folded with CRLF + space (RFC 5545 §3.1), never inside a UTF-8 sequence. */
function fold(line: string): string {
  const parts: string[] = [];
  let current = '';
  let octets = 0;
  for (const char of line) {
    const size = Buffer.byteLength(char);
    if (octets + size > (parts.length === 0 ? 75 : 74)) {
      parts.push(current);
      current = '';
      octets = 0;
    }
    current += char;
    octets += size;
  }
  parts.push(current);
  return parts.join('\r\n ');
}

/**
 * One VEVENT per flight segment with UTC start and end, so any calendar shows the flight at the
 * right moment whatever its own zone. The UID is stable per booking and flight: sending the file
 * again updates the entry instead of adding a second one.
 */
export function bookingCalendar(booking: BookingSnapshot, options: { stampedAt: string; productId: string; uidDomain: string }): string {
  const names = booking.passengers.map((passenger) => `${passenger.firstName} ${passenger.lastName}`);
  const lines = ['BEGIN:VCALENDAR', 'VERSION:2.0', `PRODID:${options.productId}`, 'CALSCALE:GREGORIAN', 'METHOD:PUBLISH'];
  for (const segment of booking.segments) {
    const seats = segment.seats.map(
      (assignment) => `${names[assignment.passenger] ?? `Passenger ${assignment.passenger + 1}`}: ${assignment.seat}`,
    );
    const description = [`Booking ${booking.reference}`, `Flight ${segment.flightNumber} ${segment.from} to ${segment.to}`, ...seats].join(
      '\n',
    );
    lines.push(
      'BEGIN:VEVENT',
      `UID:${booking.bookingId}-${segment.flightId}@${options.uidDomain}`,
      `DTSTAMP:${icsUtc(options.stampedAt)}`,
      `DTSTART:${icsUtc(segment.departureAt)}`,
      `DTEND:${icsUtc(segment.arrivalAt)}`,
      `SUMMARY:${escapeText(`Flight ${segment.flightNumber} ${segment.from} → ${segment.to}`)}`,
      `LOCATION:${escapeText(segment.from)}`,
      `DESCRIPTION:${escapeText(description)}`,
      'STATUS:CONFIRMED',
      'TRANSP:OPAQUE',
      'END:VEVENT',
    );
  }
  lines.push('END:VCALENDAR');
  return lines.map(fold).join('\r\n') + '\r\n';
}
