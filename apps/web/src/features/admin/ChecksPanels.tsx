import { useState } from 'react';
import { checkInventory, listFailedNotifications } from '../../api/endpoints';
import type { InventoryCheck } from '../../api/types';
import { formatInstant } from '../../app/format';
import { Empty, ErrorNote, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';

export function InventoryPanel() {
  const [flightId, setFlightId] = useState('');
  const [result, setResult] = useState<InventoryCheck | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const run = async () => {
    setBusy(true);
    setError(null);
    try {
      setResult(await checkInventory(flightId.trim() || undefined));
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };
  return (
    <section aria-label="Inventory check" className="card">
      <h2>Inventory check</h2>
      <p className="muted">
        Checks, per flight and cabin, that available + held + sold equals capacity, and that every hold belongs to a live booking.
      </p>
      <form
        onSubmit={(event) => {
          event.preventDefault();
          void run();
        }}
      >
        <div className="field">
          <label htmlFor="inventory-flight">Flight id (leave empty for all flights)</label>
          <input id="inventory-flight" value={flightId} onChange={(event) => setFlightId(event.target.value)} />
        </div>
        <button type="submit" className="primary" disabled={busy}>
          {busy ? 'Checking…' : 'Run check'}
        </button>
      </form>
      <ErrorNote error={error} />
      {result && (
        <div role="status">
          <p className={result.ok ? 'ok' : 'error'}>
            {result.ok ? 'All consistent' : `${result.violations.length} problem${result.violations.length === 1 ? '' : 's'} found`} ·{' '}
            {result.flightsChecked} flights checked
          </p>
          <p className="muted">
            {result.holdsChecked} holds checked ·{' '}
            {result.bookingsCrossChecked
              ? 'cross-checked with bookings'
              : `not cross-checked with bookings${result.crossCheckError ? `: ${result.crossCheckError}` : ''}`}
          </p>
          {result.violations.length > 0 && (
            <ul className="violations">
              {result.violations.map((violation, index) => (
                <li key={index}>
                  <strong>{violation.kind}</strong> {violation.flightId ? `flight ${violation.flightId}` : ''} {violation.cabin ?? ''}:{' '}
                  {violation.detail}
                </li>
              ))}
            </ul>
          )}
        </div>
      )}
    </section>
  );
}

export function NotificationsPanel() {
  const failed = useAsync(listFailedNotifications, []);
  if (failed.loading) return <Loading />;
  if (failed.error || !failed.data) return <ErrorNote error={failed.error} />;
  if (failed.data.length === 0)
    return (
      <Empty>
        <p>No failed emails. Every notification was delivered.</p>
      </Empty>
    );
  return (
    <div className="table-wrap">
      <table>
        <caption>Emails that failed after every retry</caption>
        <thead>
          <tr>
            <th scope="col">Event</th>
            <th scope="col">Recipient</th>
            <th scope="col">Subject</th>
            <th scope="col">Attempts</th>
            <th scope="col">Last error</th>
            <th scope="col">When</th>
          </tr>
        </thead>
        <tbody>
          {failed.data.map((notification) => (
            <tr key={notification.id}>
              <td>{notification.eventType}</td>
              <td>{notification.recipient}</td>
              <td>{notification.subject}</td>
              <td>{notification.attempts}</td>
              <td>{notification.lastError ?? ''}</td>
              <td>{formatInstant(notification.updatedAt)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
