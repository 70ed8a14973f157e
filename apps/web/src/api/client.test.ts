import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { api, ApiError } from './client';
import { readSession, writeSession } from './session';

const user = { id: 'u1', email: 'ada@example.com', name: 'Ada', role: 'customer' as const };
const b64 = (value: object) => btoa(JSON.stringify(value)).replace(/=+$/, '');
const token = (secondsLeft: number, tag: string) =>
  `${b64({ alg: 'EdDSA' })}.${b64({ sub: 'u1', exp: Math.floor(Date.now() / 1000) + secondsLeft, tag })}.sig`;
const json = (status: number, body: unknown) =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });

describe('api client sessions', () => {
  let fetchMock: ReturnType<typeof vi.fn>;
  beforeEach(() => {
    fetchMock = vi.fn();
    vi.stubGlobal('fetch', fetchMock);
  });
  afterEach(() => {
    vi.unstubAllGlobals();
  });

  it('when several calls find the access token expiring, then the refresh token is rotated once and all of them use the new token', async () => {
    writeSession({ user, accessToken: token(5, 'old'), refreshToken: 'refresh-1' });
    const fresh = token(900, 'new');
    fetchMock.mockImplementation(async (url: string, init: RequestInit) => {
      if (url.endsWith('/auth/refresh')) {
        await new Promise((resolve) => setTimeout(resolve, 20));
        return json(200, { user, accessToken: fresh, refreshToken: 'refresh-2' });
      }
      return json(200, { auth: (init.headers as Record<string, string>).authorization });
    });

    const answers = await Promise.all([1, 2, 3].map(() => api<{ auth: string }>('/bookings', { auth: 'required' })));

    expect(fetchMock.mock.calls.filter(([url]) => String(url).endsWith('/auth/refresh'))).toHaveLength(1);
    expect(answers.map((answer) => answer.auth)).toEqual([`Bearer ${fresh}`, `Bearer ${fresh}`, `Bearer ${fresh}`]);
    expect(readSession()?.refreshToken).toBe('refresh-2');
  });

  it('when a rejected token was already replaced by another tab, then the new one is used without rotating again', async () => {
    const stale = token(600, 'stale');
    const fromOtherTab = token(900, 'other-tab');
    writeSession({ user, accessToken: stale, refreshToken: 'refresh-1' });
    fetchMock.mockImplementation(async (_url: string, init: RequestInit) => {
      const auth = (init.headers as Record<string, string>).authorization;
      if (auth === `Bearer ${stale}`) {
        // Meanwhile the other tab refreshed and stored its result.
        localStorage.setItem('aerofly.session', JSON.stringify({ user, accessToken: fromOtherTab, refreshToken: 'refresh-2' }));
        return json(401, { code: 'TOKEN_EXPIRED' });
      }
      return json(200, { auth });
    });

    const answer = await api<{ auth: string }>('/bookings', { auth: 'required' });
    expect(answer.auth).toBe(`Bearer ${fromOtherTab}`);
    expect(fetchMock.mock.calls.some(([url]) => String(url).endsWith('/auth/refresh'))).toBe(false);
  });

  it('when the refresh token is refused, then the session ends and the call asks to log in', async () => {
    writeSession({ user, accessToken: token(1, 'old'), refreshToken: 'reused' });
    fetchMock.mockResolvedValue(json(401, { code: 'REFRESH_TOKEN_REUSED' }));
    await expect(api('/bookings', { auth: 'required' })).rejects.toMatchObject({ code: 'UNAUTHENTICATED' });
    expect(readSession()).toBeNull();
  });

  it('turns problem+json answers into plain sentences with field errors', async () => {
    fetchMock.mockResolvedValue(json(409, { code: 'SEAT_TAKEN', detail: '12A is taken', errors: [] }));
    const failure = await api('/bookings', { method: 'POST', body: {} }).catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(ApiError);
    expect((failure as ApiError).message).toBe('One of the seats you picked was just taken. Please pick another seat.');
    fetchMock.mockRejectedValue(new TypeError('network down'));
    const offline = (await api('/flights/search').catch((error: unknown) => error)) as ApiError;
    expect(offline.isOutcomeUnknown).toBe(true);
    expect(offline.message).toMatch(/Could not reach AeroFly/);
  });
});
