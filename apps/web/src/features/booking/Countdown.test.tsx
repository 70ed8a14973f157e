import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { act, render, screen } from '@testing-library/react';
import { Countdown, remainingMs } from './Countdown';

describe('hold countdown', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('counts down on the server clock even when the browser clock is minutes off', async () => {
    // The browser runs 7 minutes fast; the server says 5 minutes are left.
    const browserNow = Date.parse('2026-11-25T10:07:00Z');
    vi.setSystemTime(browserNow);
    const onExpire = vi.fn();
    render(
      <Countdown expiresAt="2026-11-25T10:05:00.000Z" serverTime="2026-11-25T10:00:00.000Z" receivedAt={browserNow} onExpire={onExpire} />,
    );
    expect(screen.getByRole('timer').textContent).toBe('5:00');

    await act(async () => {
      vi.advanceTimersByTime(61_000);
    });
    expect(screen.getByRole('timer').textContent).toBe('3:59');
    expect(onExpire).not.toHaveBeenCalled();
  });

  it('when the time runs out, then it says so exactly once', async () => {
    const now = Date.parse('2026-11-25T10:00:00Z');
    vi.setSystemTime(now);
    const onExpire = vi.fn();
    render(<Countdown expiresAt="2026-11-25T10:00:03.000Z" serverTime="2026-11-25T10:00:00.000Z" receivedAt={now} onExpire={onExpire} />);
    expect(screen.getByRole('timer').textContent).toBe('0:03');
    expect(screen.getByText('Less than a minute left to pay.')).toBeTruthy();
    await act(async () => {
      vi.advanceTimersByTime(2_000);
    });
    expect(onExpire).not.toHaveBeenCalled();
    await act(async () => {
      vi.advanceTimersByTime(1_250);
    });
    expect(screen.getByRole('timer').textContent).toBe('0:00');
    expect(onExpire).toHaveBeenCalledTimes(1);
    await act(async () => {
      vi.advanceTimersByTime(5_000);
    });
    expect(onExpire).toHaveBeenCalledTimes(1);
  });

  it('computes the time left from the offset between the two clocks', () => {
    const receivedAt = 1_000_000;
    expect(remainingMs('1970-01-01T00:05:00.000Z', '1970-01-01T00:00:00.000Z', receivedAt, receivedAt + 10_000)).toBe(290_000);
  });
});
