import { describe, expect, it, vi } from 'vitest';
import { fireEvent, render, screen, within } from '@testing-library/react';
import type { Seat, SeatMapCabin } from '../../api/types';
import { chooseSeat, SeatMap } from './SeatMap';

const row = (number: number, statuses: Partial<Record<string, Seat['status']>> = {}, exit = false) => ({
  row: number,
  seats: ['A', 'B', 'C', 'D'].map((letter) => ({
    seat: `${number}${letter}`,
    status: statuses[letter] ?? 'AVAILABLE',
    window: letter === 'A' || letter === 'D',
    aisle: letter === 'B' || letter === 'C',
    exit,
  })),
});

const cabin: SeatMapCabin = {
  cabin: 'economy',
  rows: [row(10, { A: 'SOLD', B: 'HELD' }), row(11, { C: 'BLOCKED' }, true), row(12)],
};

describe('seat map', () => {
  it('draws each row with its letters, an aisle between the aisle seats, and the status of every seat', () => {
    const { container } = render(<SeatMap cabin={cabin} chosen={[null]} activePassenger={0} onChoose={() => {}} />);
    const map = screen.getByRole('group', { name: 'Seat map, economy cabin' });
    expect(within(map).getAllByRole('button')).toHaveLength(12);
    const header = container.querySelector('.seat-row.header')!;
    expect([...header.querySelectorAll('.letter')].map((cell) => cell.textContent)).toEqual(['A', 'B', 'C', 'D']);
    expect(header.querySelectorAll('.aisle')).toHaveLength(1);

    const sold = screen.getByRole('button', { name: 'Seat 10A, window, taken' });
    const held = screen.getByRole('button', { name: 'Seat 10B, aisle, held' });
    const blocked = screen.getByRole('button', { name: 'Seat 11C, aisle, exit row, blocked' });
    for (const seat of [sold, held, blocked]) expect((seat as HTMLButtonElement).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Seat 11A, window, exit row, free' }).disabled).toBe(false);
    expect(container.querySelectorAll('.seat-row.exit')).toHaveLength(1);
  });

  it('when a free seat is clicked, then it is offered to the chooser; a chosen seat shows its passenger', () => {
    const onChoose = vi.fn();
    render(<SeatMap cabin={cabin} chosen={['12D', null]} activePassenger={1} onChoose={onChoose} />);
    fireEvent.click(screen.getByRole('button', { name: 'Seat 12A, window, free' }));
    expect(onChoose).toHaveBeenCalledWith('12A');
    fireEvent.click(screen.getByRole('button', { name: 'Seat 10A, window, taken' }));
    expect(onChoose).toHaveBeenCalledTimes(1);
    const mine = screen.getByRole('button', { name: 'Seat 12D, window, chosen for passenger 1' });
    expect(mine.getAttribute('aria-pressed')).toBe('true');
    expect(mine.textContent).toBe('1');
  });

  it('gives one seat per passenger: a second pick moves on to the next passenger, a chosen seat clicked again is freed', () => {
    let state = chooseSeat([null, null], 0, '12A');
    expect(state).toEqual({ chosen: ['12A', null], active: 1 });
    state = chooseSeat(state.chosen, state.active, '12B');
    expect(state).toEqual({ chosen: ['12A', '12B'], active: 1 });
    state = chooseSeat(state.chosen, state.active, '12C');
    expect(state.chosen).toEqual(['12A', '12C']);
    state = chooseSeat(state.chosen, state.active, '12A');
    expect(state).toEqual({ chosen: [null, '12C'], active: 0 });
  });
});
