import { useMemo, useState, type FormEvent } from 'react';
import { createAirport, createCity, listAirports, listCities } from '../../api/endpoints';
import { ErrorNote, fieldErrorsOf, Loading } from '../../app/ui';
import { useAsync } from '../../app/useAsync';

const zones = (): string[] => {
  try {
    return Intl.supportedValuesOf('timeZone');
  } catch {
    return [];
  }
};

export function AirportsPanel() {
  const data = useAsync(() => Promise.all([listAirports(), listCities()]), []);
  const [form, setForm] = useState({ code: '', name: '', cityId: '', timeZone: '', newCity: '', countryCode: '' });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<string | null>(null);
  const zoneList = useMemo(zones, []);
  const set = (key: keyof typeof form) => (event: { target: { value: string } }) => setForm({ ...form, [key]: event.target.value });

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setSaved(null);
    try {
      let cityId = form.cityId;
      if (cityId === 'new')
        cityId = (await createCity({ name: form.newCity.trim(), countryCode: form.countryCode.trim().toUpperCase() })).id;
      const airport = await createAirport({
        code: form.code.trim().toUpperCase(),
        name: form.name.trim(),
        cityId,
        timeZone: form.timeZone.trim(),
      });
      setSaved(`Airport ${airport.code} added.`);
      setForm({ code: '', name: '', cityId: '', timeZone: '', newCity: '', countryCode: '' });
      data.reload();
    } catch (failure) {
      setError(failure);
    } finally {
      setBusy(false);
    }
  };

  if (data.loading && !data.data) return <Loading />;
  if (!data.data) return <ErrorNote error={data.error} />;
  const [airports, cities] = data.data;
  const cityName = new Map(cities.map((city) => [city.id, `${city.name}, ${city.countryCode}`]));
  const fieldErrors = fieldErrorsOf(error);
  return (
    <section aria-label="Airports">
      <form className="card" onSubmit={(event) => void submit(event)} aria-label="Add an airport">
        <h2>Add an airport</h2>
        <div className="row">
          <div className="field narrow">
            <label htmlFor="airport-code">IATA code</label>
            <input id="airport-code" maxLength={3} value={form.code} onChange={set('code')} required />
            {fieldErrors.code && <p className="field-error">{fieldErrors.code}</p>}
          </div>
          <div className="field">
            <label htmlFor="airport-name">Name</label>
            <input id="airport-name" value={form.name} onChange={set('name')} required />
          </div>
        </div>
        <div className="row">
          <div className="field">
            <label htmlFor="airport-city">City</label>
            <select id="airport-city" value={form.cityId} onChange={set('cityId')} required>
              <option value="">Choose a city</option>
              {cities.map((city) => (
                <option key={city.id} value={city.id}>
                  {city.name}, {city.countryCode}
                </option>
              ))}
              <option value="new">New city…</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="airport-zone">Time zone</label>
            <input
              id="airport-zone"
              list="zone-list"
              placeholder="Europe/Paris"
              value={form.timeZone}
              onChange={set('timeZone')}
              required
            />
            <datalist id="zone-list">
              {zoneList.map((zone) => (
                <option key={zone} value={zone} />
              ))}
            </datalist>
            {fieldErrors.timeZone && <p className="field-error">{fieldErrors.timeZone}</p>}
          </div>
        </div>
        {form.cityId === 'new' && (
          <div className="row">
            <div className="field">
              <label htmlFor="city-name">City name</label>
              <input id="city-name" value={form.newCity} onChange={set('newCity')} required />
            </div>
            <div className="field narrow">
              <label htmlFor="city-country">Country code</label>
              <input id="city-country" maxLength={2} placeholder="FR" value={form.countryCode} onChange={set('countryCode')} required />
            </div>
          </div>
        )}
        <ErrorNote error={error} />
        {saved && <p role="status">{saved}</p>}
        <button type="submit" className="primary" disabled={busy}>
          Add airport
        </button>
      </form>
      <div className="table-wrap">
        <table>
          <caption>{airports.length} airports</caption>
          <thead>
            <tr>
              <th scope="col">Code</th>
              <th scope="col">Name</th>
              <th scope="col">City</th>
              <th scope="col">Time zone</th>
            </tr>
          </thead>
          <tbody>
            {airports.map((airport) => (
              <tr key={airport.code}>
                <td>{airport.code}</td>
                <td>{airport.name}</td>
                <td>{cityName.get(airport.cityId) ?? ''}</td>
                <td>{airport.timeZone}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
