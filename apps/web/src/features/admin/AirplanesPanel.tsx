import { useState, type FormEvent } from 'react';
import { createAirplane, listAirplanes } from '../../api/endpoints';
import type { AirplaneInput, CabinLayout } from '../../api/types';
import { ErrorNote, fieldErrorsOf, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';

const example = {
  model: 'Airbus A320',
  registration: 'N320AF',
  cabins: [
    { cabin: 'business', firstRow: 1, lastRow: 3, seatLetters: 'ACDF', aisleAfter: ['C'] },
    { cabin: 'economy', firstRow: 5, lastRow: 30, seatLetters: 'ABCDEF', aisleAfter: ['C'], exitRows: [12, 13], blockedSeats: ['30C'] },
  ],
};

/** Seats a cabin offers for sale: rows × letters minus blocked seats. */
export const cabinCapacity = (cabin: CabinLayout) =>
  (cabin.lastRow - cabin.firstRow + 1) * cabin.seatLetters.length - (cabin.blockedSeats?.length ?? 0);

export function AirplanesPanel() {
  const airplanes = useAsync(listAirplanes, []);
  const [json, setJson] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [parseError, setParseError] = useState<string | null>(null);
  const [saved, setSaved] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setParseError(null);
    setError(null);
    setSaved(null);
    let body: AirplaneInput;
    try {
      body = JSON.parse(json) as AirplaneInput;
    } catch (failure) {
      setParseError(`That is not valid JSON: ${(failure as Error).message}`);
      return;
    }
    setBusy(true);
    try {
      const airplane = await createAirplane(body);
      setSaved(`Airplane ${airplane.registration} added.`);
      setJson('');
      airplanes.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section aria-label="Airplanes">
      <form className="card" onSubmit={(event) => void submit(event)} aria-label="Import an airplane">
        <h2>Import an airplane (seat map as JSON)</h2>
        <div className="field">
          <label htmlFor="airplane-json">Airplane JSON</label>
          <textarea
            id="airplane-json"
            rows={10}
            spellCheck={false}
            value={json}
            placeholder={JSON.stringify(example, null, 2)}
            onChange={(event) => setJson(event.target.value)}
          />
        </div>
        <button type="button" onClick={() => setJson(JSON.stringify(example, null, 2))}>
          Fill in an example
        </button>
        {parseError && (
          <p role="alert" className="error">
            {parseError}
          </p>
        )}
        <ErrorNote error={error}>
          {Object.entries(fieldErrorsOf(error))
            .map(([field, message]) => `${field}: ${message}`)
            .join('; ')}
        </ErrorNote>
        {saved && <p role="status">{saved}</p>}
        <button type="submit" className="primary" disabled={busy || !json.trim()}>
          Import airplane
        </button>
      </form>
      {airplanes.loading && !airplanes.data ? (
        <Loading />
      ) : airplanes.error ? (
        <ErrorNote error={airplanes.error} />
      ) : (
        <div className="table-wrap">
          <table>
            <caption>{airplanes.data?.length ?? 0} airplanes</caption>
            <thead>
              <tr>
                <th scope="col">Registration</th>
                <th scope="col">Model</th>
                <th scope="col">Cabins (seats)</th>
              </tr>
            </thead>
            <tbody>
              {(airplanes.data ?? []).map((airplane) => (
                <tr key={airplane.id}>
                  <td>{airplane.registration}</td>
                  <td>{airplane.model}</td>
                  <td>{airplane.cabins.map((cabin) => `${cabin.cabin.replace('_', ' ')} ${cabinCapacity(cabin)}`).join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </section>
  );
}
