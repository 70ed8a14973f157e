import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import { SearchForm } from './SearchForm';
import type { AirportOption } from './AirportInput';

const airports: AirportOption[] = [
  { code: 'CDG', name: 'Charles de Gaulle', city: 'Paris', timeZone: 'Europe/Paris' },
  { code: 'ORY', name: 'Orly', city: 'Paris', timeZone: 'Europe/Paris' },
  { code: 'JFK', name: 'John F. Kennedy International', city: 'New York', timeZone: 'America/New_York' },
  { code: 'LHR', name: 'Heathrow', city: 'London', timeZone: 'Europe/London' },
];

const renderForm = (onSearch = vi.fn()) => {
  render(<SearchForm airports={airports} today="2026-11-25" onSearch={onSearch} />);
  return onSearch;
};

describe('search form', () => {
  it('when a traveller types a city name, then the airports of that city are suggested and one is picked with the keyboard', () => {
    const onSearch = renderForm();
    const from = screen.getByRole('combobox', { name: 'From' });
    fireEvent.change(from, { target: { value: 'pari' } });
    const options = within(screen.getByRole('listbox')).getAllByRole('option');
    expect(options.map((option) => option.textContent)).toEqual([expect.stringContaining('CDG'), expect.stringContaining('ORY')]);
    fireEvent.keyDown(from, { key: 'ArrowDown' });
    fireEvent.keyDown(from, { key: 'Enter' });
    expect((from as HTMLInputElement).value).toContain('ORY');
    expect(screen.queryByRole('listbox')).toBeNull();

    const to = screen.getByRole('combobox', { name: 'To' });
    fireEvent.change(to, { target: { value: 'kennedy' } });
    fireEvent.mouseDown(screen.getByRole('option', { name: /JFK/ }));
    fireEvent.change(screen.getByLabelText('Date'), { target: { value: '2026-12-01' } });
    fireEvent.change(screen.getByLabelText('Passengers'), { target: { value: '2' } });
    fireEvent.change(screen.getByLabelText('Cabin'), { target: { value: 'business' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search flights' }));

    expect(onSearch).toHaveBeenCalledWith({ from: 'ORY', to: 'JFK', date: '2026-12-01', passengers: 2, cabin: 'business' });
  });

  it('when the code is typed exactly, then it counts as chosen without opening the list', () => {
    const onSearch = renderForm();
    const from = screen.getByRole('combobox', { name: 'From' });
    fireEvent.change(from, { target: { value: 'lhr' } });
    fireEvent.blur(from);
    const to = screen.getByRole('combobox', { name: 'To' });
    fireEvent.change(to, { target: { value: 'CDG' } });
    fireEvent.blur(to);
    fireEvent.click(screen.getByRole('button', { name: 'Search flights' }));
    expect(onSearch).toHaveBeenCalledWith(
      expect.objectContaining({ from: 'LHR', to: 'CDG', date: '2026-11-25', passengers: 1, cabin: 'economy' }),
    );
  });

  it('when origin and destination are the same or missing, then the form says so and does not search', () => {
    const onSearch = renderForm();
    fireEvent.click(screen.getByRole('button', { name: 'Search flights' }));
    expect(screen.getByText('Choose where you fly from.')).toBeTruthy();
    expect(screen.getByText('Choose where you fly to.')).toBeTruthy();

    for (const name of ['From', 'To']) {
      const input = screen.getByRole('combobox', { name });
      fireEvent.change(input, { target: { value: 'JFK' } });
      fireEvent.blur(input);
    }
    fireEvent.change(screen.getByLabelText('Passengers'), { target: { value: '10' } });
    fireEvent.click(screen.getByRole('button', { name: 'Search flights' }));
    expect(screen.getByText('Destination must differ from the origin.')).toBeTruthy();
    expect(screen.getByText('Between 1 and 9 passengers.')).toBeTruthy();
    expect(screen.getByRole('combobox', { name: 'To' }).getAttribute('aria-invalid')).toBe('true');
    expect(onSearch).not.toHaveBeenCalled();
  });

  it('when the swap button is pressed, then origin and destination trade places', () => {
    const onSearch = renderForm();
    fireEvent.change(screen.getByRole('combobox', { name: 'From' }), { target: { value: 'CDG' } });
    fireEvent.blur(screen.getByRole('combobox', { name: 'From' }));
    fireEvent.change(screen.getByRole('combobox', { name: 'To' }), { target: { value: 'JFK' } });
    fireEvent.blur(screen.getByRole('combobox', { name: 'To' }));
    fireEvent.click(screen.getByRole('button', { name: 'Swap origin and destination' }));
    fireEvent.click(screen.getByRole('button', { name: 'Search flights' }));
    expect(onSearch).toHaveBeenCalledWith(expect.objectContaining({ from: 'JFK', to: 'CDG' }));
  });
});
