import { sentenceFor } from './problems';
import { readSession, secondsLeft, withRefreshLock, writeSession, type Session } from './session';
import type { AuthAnswer } from './types';

/** A failed API call: the problem+json `code`, a plain sentence, and field errors for forms. */
export class ApiError extends Error {
  readonly status: number;
  readonly code: string | undefined;
  readonly fieldErrors: { field: string; message: string }[];
  readonly retryAfterSeconds: number | undefined;

  constructor(
    status: number,
    code: string | undefined,
    detail?: string,
    fieldErrors: { field: string; message: string }[] = [],
    retryAfterSeconds?: number,
  ) {
    super(sentenceFor(code, status));
    this.status = status;
    this.code = code;
    this.detail = detail;
    this.fieldErrors = fieldErrors;
    this.retryAfterSeconds = retryAfterSeconds;
  }

  readonly detail: string | undefined;

  /** True when the server may or may not have acted (network drop, timeout, 5xx). */
  get isOutcomeUnknown(): boolean {
    return this.status === 0 || this.status >= 500 || this.code === 'IDEMPOTENCY_KEY_IN_USE';
  }
}

export const apiBase = '/api/v1';
const refreshMarginSeconds = 30;

type Options = {
  method?: 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  body?: unknown;
  query?: Record<string, string | number | undefined | null>;
  /** 'required' sends the access token and refreshes it when needed; 'optional' sends it when signed in. */
  auth?: 'none' | 'optional' | 'required';
  idempotencyKey?: string;
  signal?: AbortSignal;
};

export function buildQuery(query: Options['query']): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== '') params.set(key, String(value));
  }
  const text = params.toString();
  return text ? `?${text}` : '';
}

export async function api<T>(path: string, options: Options = {}): Promise<T> {
  const auth = options.auth ?? 'optional';
  let token = auth === 'none' ? null : await currentAccessToken();
  if (auth === 'required' && !token) throw new ApiError(401, 'UNAUTHENTICATED');
  let response = await send(path, options, token);
  if (response.status === 401 && token) {
    // The token may have been revoked or signed with a rotated key: refresh once and retry.
    token = await refreshSession(token);
    if (token) response = await send(path, options, token);
  }
  return readAnswer<T>(response);
}

async function send(path: string, options: Options, token: string | null): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (options.body !== undefined) headers['content-type'] = 'application/json';
  if (token) headers.authorization = `Bearer ${token}`;
  if (options.idempotencyKey) headers['idempotency-key'] = options.idempotencyKey;
  try {
    return await fetch(`${apiBase}${path}${buildQuery(options.query)}`, {
      method: options.method ?? 'GET',
      headers,
      body: options.body === undefined ? undefined : JSON.stringify(options.body),
      signal: options.signal,
    });
  } catch (error) {
    if (error instanceof DOMException && error.name === 'AbortError') throw error;
    throw new ApiError(0, undefined);
  }
}

async function readAnswer<T>(response: Response): Promise<T> {
  if (response.status === 204) return undefined as T;
  const text = await response.text();
  let body: unknown = undefined;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    body = undefined;
  }
  if (response.ok) return body as T;
  const problem = (body ?? {}) as { code?: string; detail?: string; errors?: { field: string; message: string }[] };
  if (response.status === 401 && problem.code === 'UNAUTHENTICATED') writeSession(null);
  const retryAfter = Number(response.headers.get('retry-after'));
  throw new ApiError(
    response.status,
    problem.code,
    problem.detail,
    problem.errors ?? [],
    Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter : undefined,
  );
}

/** The access token, refreshed first when it is about to expire. */
export async function currentAccessToken(): Promise<string | null> {
  const session = readSession();
  if (!session) return null;
  if (secondsLeft(session.accessToken) > refreshMarginSeconds) return session.accessToken;
  return refreshSession(session.accessToken);
}

let refreshing: Promise<string | null> | null = null;

/**
 * Rotates the refresh token, once at a time across tabs. `staleAccessToken` is the token the caller
 * found wanting: when another tab has already replaced it, its result is used without a new call,
 * which keeps two tabs from presenting the same refresh token (that would revoke the family).
 */
export function refreshSession(staleAccessToken: string): Promise<string | null> {
  refreshing ??= withRefreshLock(async () => {
    const current = readSession();
    if (!current) return null;
    if (current.accessToken !== staleAccessToken && secondsLeft(current.accessToken) > refreshMarginSeconds) return current.accessToken;
    return rotate(current);
  }).finally(() => {
    refreshing = null;
  });
  return refreshing;
}

async function rotate(session: Session): Promise<string | null> {
  const response = await send('/auth/refresh', { method: 'POST', body: { refreshToken: session.refreshToken } }, null);
  if (response.status === 401 || response.status === 400) {
    writeSession(null);
    return null;
  }
  const answer = await readAnswer<AuthAnswer>(response);
  writeSession(answer);
  return answer.accessToken;
}

export function newIdempotencyKey(): string {
  return crypto.randomUUID();
}
