import { useEffect, useRef, useState } from 'react';

type Props = {
  expiresAt: string;
  /** The server's clock when it answered, and our clock when the answer arrived. */
  serverTime: string;
  receivedAt: number;
  onExpire: () => void;
};

/** Milliseconds left, measured on the server's clock: our clock may be minutes off. */
export function remainingMs(expiresAt: string, serverTime: string, receivedAt: number, now: number): number {
  const offset = Date.parse(serverTime) - receivedAt;
  return Date.parse(expiresAt) - (now + offset);
}

const clock = (ms: number) => {
  const total = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(total / 60)}:${String(total % 60).padStart(2, '0')}`;
};

export function Countdown({ expiresAt, serverTime, receivedAt, onExpire }: Props) {
  const [now, setNow] = useState(() => Date.now());
  const expired = useRef(false);
  const left = remainingMs(expiresAt, serverTime, receivedAt, now);

  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);

  useEffect(() => {
    if (left <= 0 && !expired.current) {
      expired.current = true;
      onExpire();
    }
  }, [left, onExpire]);

  const urgent = left <= 60_000;
  return (
    <div className={`countdown${urgent ? ' urgent' : ''}`}>
      <span>Seats held for</span>{' '}
      <strong role="timer" aria-label={`Time left to pay: ${clock(left)}`}>
        {clock(left)}
      </strong>
      {/* Screen readers hear the last minute once, not every tick. */}
      <span className="sr-only" aria-live="polite">
        {urgent && left > 0 ? 'Less than a minute left to pay.' : ''}
      </span>
    </div>
  );
}
