import type { AuthAnswer, User } from './types';

/**
 * The signed-in session lives in localStorage so every tab shares it; tabs learn about changes
 * through the `storage` event. Refresh tokens rotate on use, so only one tab may refresh at a time.
 */
const storageKey = 'aerofly.session';

export type Session = { user: User; accessToken: string; refreshToken: string };

type Listener = (session: Session | null) => void;
const listeners = new Set<Listener>();

export function readSession(): Session | null {
  try {
    const raw = localStorage.getItem(storageKey);
    if (!raw) return null;
    const parsed = JSON.parse(raw) as Session;
    return parsed.accessToken && parsed.refreshToken && parsed.user ? parsed : null;
  } catch {
    return null;
  }
}

export function writeSession(session: AuthAnswer | null): void {
  if (session) {
    const value: Session = { user: session.user, accessToken: session.accessToken, refreshToken: session.refreshToken };
    localStorage.setItem(storageKey, JSON.stringify(value));
  } else {
    localStorage.removeItem(storageKey);
  }
  notify();
}

function notify() {
  const session = readSession();
  for (const listener of listeners) listener(session);
}

export function onSessionChange(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

if (typeof window !== 'undefined') {
  window.addEventListener('storage', (event) => {
    if (event.key === storageKey || event.key === null) notify();
  });
}

/** Seconds until the access token's `exp`, or 0 when it cannot be read. */
export function secondsLeft(accessToken: string, nowMs = Date.now()): number {
  const payload = accessToken.split('.')[1];
  if (!payload) return 0;
  try {
    const json = JSON.parse(atob(payload.replace(/-/g, '+').replace(/_/g, '/'))) as { exp?: number };
    return json.exp ? json.exp - nowMs / 1000 : 0;
  } catch {
    return 0;
  }
}

/**
 * Runs `fn` while holding a lock shared by every tab of this origin (Web Locks API). Browsers
 * without it fall back to a short-lived localStorage lease, which is good enough for two tabs.
 */
export async function withRefreshLock<T>(fn: () => Promise<T>): Promise<T> {
  if (typeof navigator !== 'undefined' && navigator.locks) {
    return navigator.locks.request('aerofly.refresh', () => fn());
  }
  const leaseKey = 'aerofly.refresh-lease';
  const me = Math.random().toString(36).slice(2);
  for (let attempt = 0; attempt < 50; attempt += 1) {
    const lease = localStorage.getItem(leaseKey);
    const [owner, until] = lease ? lease.split(':') : [];
    if (!owner || Number(until) < Date.now()) {
      localStorage.setItem(leaseKey, `${me}:${Date.now() + 5000}`);
      if (localStorage.getItem(leaseKey)?.startsWith(me)) break;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  try {
    return await fn();
  } finally {
    if (localStorage.getItem(leaseKey)?.startsWith(me)) localStorage.removeItem(leaseKey);
  }
}
