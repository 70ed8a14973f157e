import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import type { Itinerary } from '../../api/types';
import { ItineraryCard } from './ItineraryCard';

const usd = (amount: number) => ({ amount, currency: 'USD' });
const itinerary: Itinerary = {
  id: 'a+b',
  stops: 1,
  price: usd(69_698),
  totalPrice: usd(139_396),
  durationMinutes: 585,
  seatsAvailable: 3,
  segments: [
    {
      id: '00000000-0000-4000-8000-000000000001',
      flightNumber: 'YF241',
      from: 'JFK',
      to: 'AMS',
      departureAt: '2026-12-08T02:35:00.000Z',
      arrivalAt: '2026-12-08T10:20:00.000Z',
      departureLocal: '2026-12-07T21:35:00',
      arrivalLocal: '2026-12-08T11:20:00',
      departureTimeZone: 'America/New_York',
      arrivalTimeZone: 'Europe/Amsterdam',
      durationMinutes: 465,
      cabin: 'economy',
      fare: usd(50_000),
    },
    {
      id: '00000000-0000-4000-8000-000000000002',
      flightNumber: 'YF152',
      from: 'AMS',
      to: 'LHR',
      departureAt: '2026-12-08T11:20:00.000Z',
      arrivalAt: '2026-12-08T12:20:00.000Z',
      departureLocal: '2026-12-08T12:20:00',
      arrivalLocal: '2026-12-08T12:20:00',
      departureTimeZone: 'Europe/Amsterdam',
      arrivalTimeZone: 'Europe/London',
      durationMinutes: 60,
      cabin: 'economy',
      fare: usd(19_698),
    },
  ],
};

describe('itinerary in the results', () => {
  it('shows local times with their zones, the day change, the connection, the price and that few seats are left', () => {
    const onSelect = vi.fn();
    render(<ItineraryCard itinerary={itinerary} passengers={2} onSelect={onSelect} />);
    const card = screen.getByRole('article');
    const text = card.textContent ?? '';
    expect(text).toContain('21:35 EST');
    expect(text).toContain('12:20 GMT');
    expect(text).toContain('+1');
    expect(text).toContain('Mon 7 Dec · JFK → AMS → LHR · 9h 45m · 1 stop');
    expect(text).toContain('Change in AMS · 1h 00m');
    expect(text).toContain('$696.98');
    expect(text).toContain('$1,393.96 total');
    expect(screen.getByText('Only 3 seats left')).toBeTruthy();
    fireEvent.click(screen.getByRole('button', { name: 'Select' }));
    expect(onSelect).toHaveBeenCalledTimes(1);
  });

  it('does not warn about seats when plenty are left', () => {
    render(<ItineraryCard itinerary={{ ...itinerary, seatsAvailable: 120 }} passengers={1} onSelect={() => {}} />);
    expect(screen.queryByText(/seats? left/)).toBeNull();
    expect(screen.queryByText(/total/)).toBeNull();
  });
});
