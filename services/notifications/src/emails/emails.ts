import { consumerQueues, eventSchemas, type BookingSnapshot, type EventEnvelope, type Money } from '@aerofly/contracts';
import { bookingCalendar } from './calendar.js';
import { loadTemplate } from './template.js';

/** The event types that lead to an email (the email consumer's topics); `booking.created` needs none (the customer is on the page). */
export const emailTopics = consumerQueues.email.topics;
export type EmailTopic = (typeof emailTopics)[number];
export const isEmailTopic = (type: string): type is EmailTopic => (emailTopics as readonly string[]).includes(type);

export type EmailKind = 'booking_confirmed' | 'booking_cancelled' | 'booking_expired' | 'payment_refunded' | 'welcome';

export type Email = {
  kind: EmailKind;
  to: string;
  subject: string;
  html: string;
  text: string;
  attachments: { filename: string; content: string; contentType: string }[];
};

export type EmailSettings = { publicUrl: string; brand: string; senderDomain: string };

/** Intl formatters are costly to build and the currency rarely changes: one per currency. */
const moneyFormats = new Map<string, { format: Intl.NumberFormat; digits: number }>();

/** `{amount: 12345, currency: 'USD'}` → `$123.45`; amounts are minor units of the currency. */
export function formatMoney(money: Money): string {
  let entry = moneyFormats.get(money.currency);
  if (!entry) {
    const digits =
      new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency }).resolvedOptions().maximumFractionDigits ?? 2;
    entry = {
      format: new Intl.NumberFormat('en-US', { style: 'currency', currency: money.currency, minimumFractionDigits: digits }),
      digits,
    };
    moneyFormats.set(money.currency, entry);
  }
  return entry.format.format(money.amount / 10 ** entry.digits);
}

const wallClock = new Intl.DateTimeFormat('en-GB', {
  timeZone: 'UTC',
  weekday: 'short',
  day: 'numeric',
  month: 'short',
  year: 'numeric',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

/**
 * `2026-03-29T01:30:00` → `Sun 29 Mar 2026, 01:30`. The snapshot already holds the local wall time of
 * the airport, so it is formatted as is (read as UTC only to reuse Intl), never converted again.
 */
export function formatLocal(local: string): string {
  const date = new Date(`${local.slice(0, 19)}Z`);
  if (Number.isNaN(date.getTime())) return local;
  const parts = wallClock.formatToParts(date);
  const part = (type: Intl.DateTimeFormatPartTypes) => parts.find((entry) => entry.type === type)?.value ?? '';
  return `${part('weekday')} ${part('day')} ${part('month')} ${part('year')}, ${part('hour')}:${part('minute')}`;
}

const fullName = (passenger: { firstName: string; lastName: string }) => `${passenger.firstName} ${passenger.lastName}`;

/** Seats in passenger order, named. */
const seatsOf = (seats: BookingSnapshot['segments'][number]['seats'], names: string[]) =>
  [...seats]
    .sort((a, b) => a.passenger - b.passenger)
    .map((assignment) => ({ passenger: names[assignment.passenger] ?? `Passenger ${assignment.passenger + 1}`, seat: assignment.seat }));

/** What every booking template can show. */
function bookingView(booking: BookingSnapshot, settings: EmailSettings) {
  const names = booking.passengers.map(fullName);
  return {
    brand: settings.brand,
    publicUrl: settings.publicUrl,
    bookingUrl: `${settings.publicUrl}/bookings/${encodeURIComponent(booking.bookingId)}`,
    reference: booking.reference,
    cabin: booking.cabin.replace(/_/g, ' '),
    passengers: names.map((name, index) => ({ name, number: index + 1 })),
    total: formatMoney(booking.totalPrice),
    payment: booking.payment
      ? { brand: booking.payment.brand, last4: booking.payment.last4, amount: formatMoney(booking.payment.amount) }
      : null,
    segments: booking.segments.map((segment) => ({
      flightNumber: segment.flightNumber,
      from: segment.from,
      to: segment.to,
      departure: formatLocal(segment.departureLocal),
      departureTimeZone: segment.departureTimeZone,
      arrival: formatLocal(segment.arrivalLocal),
      arrivalTimeZone: segment.arrivalTimeZone,
      duration: `${Math.floor(segment.durationMinutes / 60)}h ${String(segment.durationMinutes % 60).padStart(2, '0')}m`,
      seats: seatsOf(segment.seats, names),
      seatList: seatsOf(segment.seats, names)
        .map((entry) => `${entry.passenger} ${entry.seat}`)
        .join(', '),
    })),
  };
}

/** A link to the same search again (first departure date, same route, passengers and cabin). */
function searchUrl(booking: BookingSnapshot, settings: EmailSettings): string {
  const first = booking.segments[0];
  const last = booking.segments.at(-1);
  if (!first || !last) return `${settings.publicUrl}/`;
  const query = new URLSearchParams({
    from: first.from,
    to: last.to,
    date: first.departureLocal.slice(0, 10),
    passengers: String(booking.passengers.length),
    cabin: booking.cabin,
  });
  return `${settings.publicUrl}/?${query.toString()}`;
}

function renderEmail(
  kind: EmailKind,
  file: string,
  to: string,
  view: Record<string, unknown>,
  attachments: Email['attachments'] = [],
): Email {
  const subject = loadTemplate(`${file}.subject.txt`)(view).trim();
  const context = { ...view, subject };
  const html = loadTemplate('layout.html')({ ...context, body: loadTemplate(`${file}.html`)(context) });
  const text = loadTemplate('layout.txt')({ ...context, body: loadTemplate(`${file}.txt`)(context).trim() });
  return { kind, to, subject, html, text, attachments };
}

/**
 * The email an event asks for. Throws a ZodError when the event's data does not match its schema:
 * the bus retries and then dead-letters it, so a broken publisher is visible instead of silent.
 */
export function composeEmail(event: EventEnvelope, settings: EmailSettings): Email {
  const type = event.type;
  if (!isEmailTopic(type)) throw new Error(`no email for event type ${type}`);
  switch (type) {
    case 'booking.confirmed': {
      const booking = eventSchemas['booking.confirmed'].parse(event.data);
      const calendar = bookingCalendar(booking, {
        stampedAt: event.occurredAt,
        productId: `-//${settings.brand}//Booking ${booking.reference}//EN`,
        uidDomain: settings.senderDomain,
      });
      return renderEmail('booking_confirmed', 'booking-confirmed', booking.contactEmail, bookingView(booking, settings), [
        { filename: `${booking.reference}.ics`, content: calendar, contentType: 'text/calendar; charset=utf-8; method=PUBLISH' },
      ]);
    }
    case 'booking.cancelled': {
      const booking = eventSchemas['booking.cancelled'].parse(event.data);
      return renderEmail('booking_cancelled', 'booking-cancelled', booking.contactEmail, {
        ...bookingView(booking, settings),
        byAirline: booking.reason === 'flight_cancelled',
        byAdmin: booking.reason === 'admin',
        refund: booking.refund && booking.refund.amount > 0 ? formatMoney(booking.refund) : null,
        searchUrl: searchUrl(booking, settings),
      });
    }
    case 'booking.expired': {
      const booking = eventSchemas['booking.expired'].parse(event.data);
      return renderEmail('booking_expired', 'booking-expired', booking.contactEmail, {
        ...bookingView(booking, settings),
        searchUrl: searchUrl(booking, settings),
      });
    }
    case 'booking.payment_refunded': {
      const booking = eventSchemas['booking.payment_refunded'].parse(event.data);
      return renderEmail('payment_refunded', 'payment-refunded', booking.contactEmail, {
        ...bookingView(booking, settings),
        refund: formatMoney(booking.refund),
        reason: booking.reason,
        searchUrl: searchUrl(booking, settings),
      });
    }
    case 'user.registered': {
      const user = eventSchemas['user.registered'].parse(event.data);
      return renderEmail('welcome', 'welcome', user.email, { brand: settings.brand, publicUrl: settings.publicUrl, name: user.name });
    }
  }
}
