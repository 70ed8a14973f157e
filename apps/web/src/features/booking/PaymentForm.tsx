import { useRef, useState, type FormEvent } from 'react';
import { ApiError, newIdempotencyKey } from '../../api/client';
import type { CardDetails } from '../../api/endpoints';
import type { Money } from '../../api/types';
import { formatMoney } from '../../app/format';

export const testCards = [
  { number: '4242424242424242', outcome: 'succeeds' },
  { number: '4000000000000002', outcome: 'is declined' },
  { number: '4000000000009995', outcome: 'has insufficient funds' },
  { number: '4000000000000119', outcome: 'times out at the processor' },
];

type Props = {
  amount: Money;
  /** Sends one attempt; rejects with ApiError. The key stays the same when an attempt is retried. */
  pay: (card: CardDetails, idempotencyKey: string) => Promise<void>;
  disabled?: boolean;
};

const fieldOf = (path: string) =>
  path
    .replace(/^card\./, '')
    .replace(/^body\./, '')
    .replace(/^card\[?"?|"?\]?$/g, '');

type CardFieldProps = {
  field: 'number' | 'expiry' | 'cvc';
  label: string;
  autoComplete: string;
  placeholder: string;
  value: string;
  onChange: (value: string) => void;
  /** What the last check or attempt said about this field. */
  error: string | undefined;
  /** Described by this element while there is no error. */
  hintId?: string;
  narrow?: boolean;
};

/** A numeric card input with its label and, when there is one, its error. */
function CardField({ field, label, autoComplete, placeholder, value, onChange, error, hintId, narrow }: CardFieldProps) {
  const id = `card-${field}`;
  return (
    <div className={narrow ? 'field narrow' : 'field'}>
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        inputMode="numeric"
        autoComplete={autoComplete}
        placeholder={placeholder}
        value={value}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : hintId}
        onChange={(event) => onChange(event.target.value)}
      />
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}

export function PaymentForm({ amount, pay, disabled }: Props) {
  const [number, setNumber] = useState('');
  const [expiry, setExpiry] = useState('');
  const [cvc, setCvc] = useState('');
  const [name, setName] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [fieldErrors, setFieldErrors] = useState<Record<string, string>>({});
  const inFlight = useRef(false);
  // One key per attempt: kept while an attempt's outcome is unknown (so a retry cannot charge twice),
  // replaced once an attempt got a definite answer or the card details change.
  const attempt = useRef<{ key: string; body: string } | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    if (inFlight.current || disabled) return;
    const digits = number.replace(/\D/g, '');
    const match = /^\s*(\d{1,2})\s*\/\s*(\d{2}|\d{4})\s*$/.exec(expiry);
    const found: Record<string, string> = {};
    if (digits.length < 12 || digits.length > 19) found.number = 'Enter the card number.';
    if (!match) found.expiry = 'Enter the expiry as MM/YY.';
    if (!/^\d{3,4}$/.test(cvc)) found.cvc = 'Enter the 3 or 4 digit security code.';
    setFieldErrors(found);
    if (Object.keys(found).length > 0 || !match) return;
    const month = Number(match[1]);
    const year = match[2]!.length === 2 ? 2000 + Number(match[2]) : Number(match[2]);
    const card: CardDetails = { number: digits, expMonth: month, expYear: year, cvc };
    const body = JSON.stringify(card);
    if (!attempt.current || attempt.current.body !== body) attempt.current = { key: newIdempotencyKey(), body };

    inFlight.current = true;
    setBusy(true);
    setError(null);
    try {
      await pay(card, attempt.current.key);
      attempt.current = null;
    } catch (failure) {
      const apiError = failure instanceof ApiError ? failure : new ApiError(0, undefined);
      if (!apiError.isOutcomeUnknown) attempt.current = null;
      setError(apiError);
      const byField: Record<string, string> = {};
      for (const entry of apiError.fieldErrors) {
        const field = fieldOf(entry.field);
        byField[field === 'expMonth' || field === 'expYear' ? 'expiry' : field] = entry.message;
      }
      setFieldErrors(byField);
    } finally {
      inFlight.current = false;
      setBusy(false);
    }
  };

  return (
    <form className="card payment-form" onSubmit={(event) => void submit(event)} noValidate aria-label="Payment">
      <h2>Pay {formatMoney(amount)}</h2>
      <div className="field">
        <label htmlFor="card-name">Name on card</label>
        <input id="card-name" autoComplete="cc-name" value={name} onChange={(event) => setName(event.target.value)} />
      </div>
      <CardField
        field="number"
        label="Card number"
        autoComplete="cc-number"
        placeholder="1234 5678 9012 3456"
        value={number}
        onChange={setNumber}
        error={fieldErrors.number}
        hintId="test-cards"
      />
      <div className="row">
        <CardField
          field="expiry"
          label="Expiry (MM/YY)"
          autoComplete="cc-exp"
          placeholder="12/30"
          value={expiry}
          onChange={setExpiry}
          error={fieldErrors.expiry}
        />
        <CardField
          field="cvc"
          label="CVC"
          autoComplete="cc-csc"
          placeholder="123"
          value={cvc}
          onChange={setCvc}
          error={fieldErrors.cvc}
          narrow
        />
      </div>
      <details id="test-cards" className="hint">
        <summary>Test cards</summary>
        <p>Use any future expiry date and any 3-digit CVC.</p>
        <ul>
          {testCards.map((card) => (
            <li key={card.number}>
              <code>{card.number}</code> {card.outcome}
            </li>
          ))}
        </ul>
      </details>
      {error && (
        <p role="alert" className="error">
          {error.message}
        </p>
      )}
      <button type="submit" className="primary" disabled={busy || disabled} aria-busy={busy}>
        {busy ? 'Paying…' : `Pay ${formatMoney(amount)}`}
      </button>
    </form>
  );
}
