import { useId, useMemo, useState, type KeyboardEvent } from 'react';
import type { Airport } from '../../api/types';

export type AirportOption = { code: string; name: string; city: string; timeZone: string };

export function toOptions(airports: Airport[]): AirportOption[] {
  return airports.map((airport) => ({ code: airport.code, name: airport.name, city: airport.cityName, timeZone: airport.timeZone }));
}

/** Matches code first, then city and name, so "PAR", "paris" and "gaulle" all find CDG. */
export function matchAirports(options: AirportOption[], text: string, limit = 8): AirportOption[] {
  const needle = text.trim().toLowerCase();
  if (!needle) return options.slice(0, limit);
  const scored = options
    .map((option) => {
      const code = option.code.toLowerCase();
      const city = option.city.toLowerCase();
      const name = option.name.toLowerCase();
      const score =
        code === needle
          ? 0
          : code.startsWith(needle)
            ? 1
            : city.startsWith(needle)
              ? 2
              : name.startsWith(needle)
                ? 3
                : city.includes(needle) || name.includes(needle)
                  ? 4
                  : 9;
      return { option, score };
    })
    .filter((entry) => entry.score < 9)
    .sort((a, b) => a.score - b.score || a.option.code.localeCompare(b.option.code));
  return scored.slice(0, limit).map((entry) => entry.option);
}

const describe = (option: AirportOption) => `${option.code} · ${option.city ? `${option.city} — ` : ''}${option.name}`;

type Props = {
  label: string;
  value: string;
  options: AirportOption[];
  onChange: (code: string) => void;
  error?: string;
};

/** An ARIA combobox: type a code, city or airport name; arrows move, Enter picks, Escape closes. */
export function AirportInput({ label, value, options, onChange, error }: Props) {
  const id = useId();
  const selected = options.find((option) => option.code === value);
  const [text, setText] = useState<string | null>(null);
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const shown = text ?? (selected ? describe(selected) : value);
  const matches = useMemo(() => matchAirports(options, text ?? ''), [options, text]);

  const pick = (option: AirportOption) => {
    onChange(option.code);
    setText(null);
    setOpen(false);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key === 'ArrowDown') {
      event.preventDefault();
      setOpen(true);
      setActive((index) => Math.min(index + 1, matches.length - 1));
    } else if (event.key === 'ArrowUp') {
      event.preventDefault();
      setActive((index) => Math.max(index - 1, 0));
    } else if (event.key === 'Enter' && open && matches[active]) {
      event.preventDefault();
      pick(matches[active]);
    } else if (event.key === 'Escape') {
      setOpen(false);
      setText(null);
    }
  };

  const onBlur = () => {
    // A typed exact code counts as a choice even without picking from the list.
    const typed = text?.trim().toUpperCase();
    const exact = typed ? options.find((option) => option.code === typed) : undefined;
    if (exact) onChange(exact.code);
    else if (typed && /^[A-Z]{3}$/.test(typed) && options.length === 0) onChange(typed);
    setText(null);
    setOpen(false);
  };

  return (
    <div className="field combobox">
      <label htmlFor={id}>{label}</label>
      <input
        id={id}
        role="combobox"
        aria-expanded={open && matches.length > 0}
        aria-controls={`${id}-list`}
        aria-autocomplete="list"
        aria-activedescendant={open && matches[active] ? `${id}-${matches[active].code}` : undefined}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
        autoComplete="off"
        placeholder="City, airport or code"
        value={shown}
        onFocus={(event) => event.currentTarget.select()}
        onChange={(event) => {
          setText(event.target.value);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={onKeyDown}
        onBlur={onBlur}
      />
      {open && matches.length > 0 && (
        <ul id={`${id}-list`} role="listbox" aria-label={`${label} suggestions`} className="listbox">
          {matches.map((option, index) => (
            <li
              key={option.code}
              id={`${id}-${option.code}`}
              role="option"
              aria-selected={index === active}
              className={index === active ? 'active' : undefined}
              // mousedown, not click: it lands before the input's blur closes the list.
              onMouseDown={(event) => {
                event.preventDefault();
                pick(option);
              }}
            >
              <strong>{option.code}</strong> {option.city ? `${option.city} · ` : ''}
              <span className="muted">{option.name}</span>
            </li>
          ))}
        </ul>
      )}
      {error && (
        <p id={`${id}-error`} className="field-error">
          {error}
        </p>
      )}
    </div>
  );
}
