import { describe, expect, it, vi } from 'vitest';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { ApiError } from '../../api/client';
import { PaymentForm } from './PaymentForm';

const amount = { amount: 25_900, currency: 'USD' };

function fillCard(number = '4242 4242 4242 4242') {
  fireEvent.change(screen.getByLabelText('Card number'), { target: { value: number } });
  fireEvent.change(screen.getByLabelText('Expiry (MM/YY)'), { target: { value: '12/30' } });
  fireEvent.change(screen.getByLabelText('CVC'), { target: { value: '123' } });
}

function deferred() {
  let resolve!: () => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<void>((ok, fail) => {
    resolve = ok;
    reject = fail;
  });
  return { promise, resolve, reject };
}

describe('payment form', () => {
  it('shows the test cards and the amount', () => {
    render(<PaymentForm amount={amount} pay={vi.fn()} />);
    expect(screen.getByRole('button', { name: 'Pay $259.00' })).toBeTruthy();
    for (const card of ['4242424242424242', '4000000000000002', '4000000000009995', '4000000000000119'])
      expect(screen.getByText(card)).toBeTruthy();
  });

  it('when the pay button is double-clicked, then one payment is sent and the button waits for it', async () => {
    const pending = deferred();
    const pay = vi.fn(() => pending.promise);
    render(<PaymentForm amount={amount} pay={pay} />);
    fillCard();
    const button = screen.getByRole('button', { name: 'Pay $259.00' });
    fireEvent.click(button);
    fireEvent.click(button);
    fireEvent.submit(button.closest('form')!);
    expect(pay).toHaveBeenCalledTimes(1);
    expect(pay).toHaveBeenCalledWith(
      { number: '4242424242424242', expMonth: 12, expYear: 2030, cvc: '123' },
      expect.stringMatching(/^[0-9a-f-]{36}$/),
    );
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Paying…' }).disabled).toBe(true);
    await act(async () => pending.resolve());
    expect(pay).toHaveBeenCalledTimes(1);
  });

  it('when the card is declined, then it says so plainly and the next attempt gets a new key', async () => {
    const pay = vi
      .fn()
      .mockRejectedValueOnce(new ApiError(402, 'PAYMENT_DECLINED'))
      .mockRejectedValueOnce(new ApiError(402, 'INSUFFICIENT_FUNDS'));
    render(<PaymentForm amount={amount} pay={pay} />);
    fillCard('4000000000000002');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^Pay/ })));
    expect(screen.getByRole('alert').textContent).toBe('Your card was declined. Nothing was charged; try another card.');

    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^Pay/ })));
    expect(screen.getByRole('alert').textContent).toMatch(/insufficient funds/);
    const [first, second] = pay.mock.calls.map((call) => call[1] as string);
    expect(first).not.toBe(second);
  });

  it('when the outcome is unknown (processor timeout), then a retry reuses the same key so nothing is charged twice', async () => {
    const pay = vi.fn().mockRejectedValueOnce(new ApiError(504, 'PAYMENT_PROVIDER_TIMEOUT')).mockResolvedValueOnce(undefined);
    render(<PaymentForm amount={amount} pay={pay} />);
    fillCard('4000000000000119');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^Pay/ })));
    expect(screen.getByRole('alert').textContent).toMatch(/did not answer in time/);
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^Pay/ })));
    expect(pay.mock.calls[0]![1]).toBe(pay.mock.calls[1]![1]);
  });

  it('when fields are missing or the server rejects one, then the field says what is wrong', async () => {
    const pay = vi
      .fn()
      .mockRejectedValueOnce(
        new ApiError(400, 'VALIDATION_FAILED', undefined, [{ field: 'card.number', message: 'card number is not valid' }]),
      );
    render(<PaymentForm amount={amount} pay={pay} />);
    fireEvent.click(screen.getByRole('button', { name: /^Pay/ }));
    expect(screen.getByText('Enter the card number.')).toBeTruthy();
    expect(screen.getByText('Enter the expiry as MM/YY.')).toBeTruthy();
    expect(pay).not.toHaveBeenCalled();

    fillCard('4242424242424241');
    await act(async () => fireEvent.click(screen.getByRole('button', { name: /^Pay/ })));
    expect(screen.getByText('card number is not valid')).toBeTruthy();
    expect(screen.getByLabelText('Card number').getAttribute('aria-invalid')).toBe('true');
  });
});
