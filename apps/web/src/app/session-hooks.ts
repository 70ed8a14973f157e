import { useSyncExternalStore } from 'react';
import { onSessionChange, readSession, type Session } from '../api/session';

let cached: { raw: string | null; session: Session | null } = { raw: null, session: null };

const snapshot = (): Session | null => {
  const raw = localStorage.getItem('aerofly.session');
  if (raw !== cached.raw) cached = { raw, session: readSession() };
  return cached.session;
};

/** The signed-in session, updated when this or another tab logs in, refreshes or logs out. */
export function useSession(): Session | null {
  return useSyncExternalStore(
    (callback) => onSessionChange(() => callback()),
    snapshot,
    () => null,
  );
}
