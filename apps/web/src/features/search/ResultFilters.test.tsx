import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen } from '@testing-library/react';
import { defaultFilters, ResultFilters } from './ResultFilters';

describe('results filters', () => {
  it('when a sort order is chosen, then the search is asked for it at once', () => {
    const onChange = vi.fn();
    render(<ResultFilters value={defaultFilters} currency="USD" onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('Sort by'), { target: { value: 'duration:asc' } });
    expect(onChange).toHaveBeenLastCalledWith({ ...defaultFilters, sort: 'duration', order: 'asc' });
    fireEvent.click(screen.getByLabelText('Nonstop only'));
    expect(onChange).toHaveBeenLastCalledWith({ ...defaultFilters, maxStops: 0 });
  });

  it('when a price range and time windows are applied, then prices go out in minor units and times as HH:MM', () => {
    const onChange = vi.fn();
    render(<ResultFilters value={defaultFilters} currency="USD" onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '50' } });
    fireEvent.change(screen.getByLabelText('Up to'), { target: { value: '199.99' } });
    const [departNotBefore, arriveNotBefore] = screen.getAllByLabelText('Not before');
    const [departBefore, arriveBefore] = screen.getAllByLabelText('Before');
    fireEvent.change(departNotBefore!, { target: { value: '06:00' } });
    fireEvent.change(departBefore!, { target: { value: '12:00' } });
    fireEvent.change(arriveNotBefore!, { target: { value: '09:30' } });
    fireEvent.change(arriveBefore!, { target: { value: '23:00' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onChange).toHaveBeenCalledWith({
      ...defaultFilters,
      minPrice: 5000,
      maxPrice: 19999,
      departAfter: '06:00',
      departBefore: '12:00',
      arriveAfter: '09:30',
      arriveBefore: '23:00',
    });
  });

  it('when the lowest price is above the highest, then it explains and sends nothing', () => {
    const onChange = vi.fn();
    render(<ResultFilters value={defaultFilters} currency="JPY" onChange={onChange} />);
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '300' } });
    fireEvent.change(screen.getByLabelText('Up to'), { target: { value: '100' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(screen.getByRole('alert').textContent).toMatch(/lowest price/);
    expect(onChange).not.toHaveBeenCalled();
    // JPY has no minor units: 100 yen is amount 100.
    fireEvent.change(screen.getByLabelText('From'), { target: { value: '' } });
    fireEvent.click(screen.getByRole('button', { name: 'Apply filters' }));
    expect(onChange).toHaveBeenCalledWith(expect.objectContaining({ minPrice: undefined, maxPrice: 100 }));
  });

  it('when filters are cleared, then every window and price is dropped but the order is kept', () => {
    const onChange = vi.fn();
    const value = { ...defaultFilters, minPrice: 1000, departAfter: '08:00', maxStops: 0 as const, sort: 'departure' as const };
    render(<ResultFilters value={value} currency="USD" onChange={onChange} />);
    expect(screen.getByLabelText<HTMLInputElement>('From').value).toBe('10');
    fireEvent.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(onChange).toHaveBeenCalledWith({ ...defaultFilters, sort: 'departure', order: 'asc' });
  });
});
