import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { confirmedBooking, eventOf } from '../../test/harness.js';
import { bookingCalendar, icsUtc } from './calendar.js';
import { composeEmail, formatLocal, formatMoney } from './emails.js';
import { compileTemplate } from './template.js';

const settings = { brand: 'AeroFly', publicUrl: 'https://aerofly.example', senderDomain: 'aerofly.local' };

describe('email templates', () => {
  it('when a value holds markup, then HTML templates escape it and text templates keep it as typed', () => {
    const data = { name: '<script>alert("x")</script> & Co', items: [{ seat: '1A' }, { seat: '2B' }], empty: [] };
    const source = 'Hi {{name}}{{#each items}} [{{seat}} for {{name}}]{{/each}}{{#if empty}}never{{else}}!{{/if}}';
    expect(compileTemplate(source, 'html')(data)).toBe(
      'Hi &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co [1A for &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co] [2B for &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; Co]!',
    );
    expect(compileTemplate(source, 'text')(data)).toBe(`Hi ${data.name} [1A for ${data.name}] [2B for ${data.name}]!`);
    expect(compileTemplate('{{{html}}} {{missing.deep}}|{{iffy}}', 'html')({ html: '<b>ok</b>', iffy: 'yes' })).toBe('<b>ok</b> |yes');
  });

  it('when a template is malformed, then compiling it fails loudly instead of sending a broken email', () => {
    expect(() => compileTemplate('{{#each items}}never closed', 'html')).toThrow(/never closed/);
    expect(() => compileTemplate('{{#if a}}x{{/each}}', 'html')).toThrow(/unexpected/);
    expect(() => compileTemplate('{{else}}', 'html')).toThrow(/outside/);
  });
});

describe('formatting', () => {
  it('when money is in minor units, then it shows in the currency with the right decimals', () => {
    expect(formatMoney({ amount: 123_456, currency: 'USD' })).toBe('$1,234.56');
    expect(formatMoney({ amount: 5, currency: 'EUR' })).toBe('€0.05');
    expect(formatMoney({ amount: 12_000, currency: 'JPY' })).toBe('¥12,000');
  });

  it('when a local wall time is shown, then it is the airport time as given, never shifted by the server zone', () => {
    expect(formatLocal('2026-03-29T01:30:00')).toBe('Sun 29 Mar 2026, 01:30');
    expect(formatLocal('2026-10-25T23:59:00')).toBe('Sun 25 Oct 2026, 23:59');
  });
});

describe('calendar attachment', () => {
  it('when a booking has two segments, then the .ics has one event per flight in UTC, CRLF lines of at most 75 octets', () => {
    const booking = confirmedBooking({
      passengers: [
        { firstName: 'Zoë', lastName: 'Ångström, Jr; "the 3rd"' },
        { firstName: 'B', lastName: 'C' },
      ],
    });
    const ics = bookingCalendar(booking, {
      stampedAt: '2026-03-01T10:01:00.000Z',
      productId: '-//AeroFly//EN',
      uidDomain: 'aerofly.local',
    });
    expect(ics.endsWith('\r\n')).toBe(true);
    expect(ics.split('\r\n').every((line) => Buffer.byteLength(line) <= 75)).toBe(true);
    const unfolded = ics.replace(/\r\n /g, '');
    expect(unfolded.match(/^DTSTART:\d{8}T\d{6}Z$/gm)).toEqual(['DTSTART:20260329T003000Z', 'DTSTART:20260329T100000Z']);
    expect(unfolded.match(/^DTEND:\d{8}T\d{6}Z$/gm)).toEqual(['DTEND:20260329T014500Z', 'DTEND:20260329T180500Z']);
    expect(unfolded).toContain('Zoë Ångström\\, Jr\\; "the 3rd": 12A');
    expect(unfolded).toContain('DTSTAMP:20260301T100100Z');
    expect(icsUtc('2026-12-31T23:00:00.000Z')).toBe('20261231T230000Z');
  });
});

describe('composeEmail', () => {
  it('when the event data does not match its schema, then composing throws so the bus retries and dead-letters it', () => {
    const event = { ...eventOf('booking.confirmed', confirmedBooking()), data: { reference: 'X' } };
    expect(() => composeEmail(event, settings)).toThrow();
    expect(() => composeEmail({ ...event, type: 'booking.created' }, settings)).toThrow(/no email/);
  });

  it('when a booking is confirmed, then the email goes to the contact address and carries the calendar file', () => {
    const booking = confirmedBooking({ contactEmail: 'ada@example.com' });
    const email = composeEmail(eventOf('booking.confirmed', booking), settings);
    expect(email).toMatchObject({
      kind: 'booking_confirmed',
      to: 'ada@example.com',
      subject: `Your AeroFly booking ${booking.reference} is confirmed`,
    });
    expect(email.attachments.map((attachment) => attachment.filename)).toEqual([`${booking.reference}.ics`]);
    expect(email.html).toContain(`https://aerofly.example/bookings/${booking.bookingId}`);
    expect(email.text).toContain('Total paid: $1,234.56 (visa ending 4242)');
  });

  it('when a cancelled booking was never paid, then the email says nothing is refunded', () => {
    const booking = { ...confirmedBooking(), status: 'CANCELLED' as const, reason: 'admin' as const, refund: null, payment: null };
    const email = composeEmail({ ...eventOf('booking.cancelled', booking), id: randomUUID() }, settings);
    expect(email.text).toContain('cancelled by our customer service');
    expect(email.text).toContain('No payment was taken');
    expect(email.html).not.toContain('refund of');
  });
});
