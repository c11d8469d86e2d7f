/**
 * The Rocket.Chat API (`/api/v1`, docs/integrations.md §2) for the integrations and permissions
 * pages. It does not take the web session cookie: it wants `X-User-Id` + `X-Auth-Token` from
 * `POST /api/v1/login`, so the page asks for the person's password once and keeps the token in
 * memory only (never in storage); leaving with "Lock" logs that session out.
 */
import { useSyncExternalStore } from 'react';

export interface RcAuth {
  userId: string;
  authToken: string;
  username: string;
}

export class RcError extends Error {
  constructor(
    readonly status: number,
    readonly errorType: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'RcError';
  }
}

let auth: RcAuth | null = null;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

export function useRcAuth(): RcAuth | null {
  return useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => auth,
  );
}

async function call<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(`/api/v1/${path}`, {
      method,
      credentials: 'omit',
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }), ...headers },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new RcError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const data = (await res.json().catch(() => ({}))) as { success?: boolean; error?: string; errorType?: string; message?: string };
  if (!res.ok || data.success === false) {
    if (res.status === 401 && auth && path !== 'login') {
      auth = null; // the token ended (a password change, a sign-out elsewhere): ask again
      emit();
    }
    throw new RcError(res.status, data.errorType, data.error ?? data.message ?? res.statusText);
  }
  return data as T;
}

export async function rcLogin(email: string, password: string): Promise<void> {
  const r = await call<{ data: { userId: string; authToken: string; me: { username: string } } }>('POST', 'login', { user: email, password });
  auth = { userId: r.data.userId, authToken: r.data.authToken, username: r.data.me.username };
  emit();
}

export async function rcLogout(): Promise<void> {
  const a = auth;
  auth = null;
  emit();
  if (a) await call('POST', 'logout', {}, { 'x-user-id': a.userId, 'x-auth-token': a.authToken }).catch(() => undefined);
}

/** The in-memory session token, for the routes that take a Bearer token but not the cookie (POST /auth/developer-token). */
export const rcSessionToken = (): string | undefined => auth?.authToken;

/**
 * Developer tokens without keeping anything: a short-lived API session from the person's password
 * (`POST /api/v1/login`), `POST /auth/developer-token` with it as Bearer, then that session ends.
 * (`POST /auth/developer-token` does not take the web session cookie.)
 */
export async function developerTokenWithPassword(email: string, password: string): Promise<{ token: string; refreshToken: string }> {
  const r = await call<{ data: { userId: string; authToken: string } }>('POST', 'login', { user: email, password });
  try {
    return await developerTokenWith(r.data.authToken);
  } finally {
    await call('POST', 'logout', {}, { 'x-user-id': r.data.userId, 'x-auth-token': r.data.authToken }).catch(() => undefined);
  }
}

export async function developerTokenWith(sessionToken: string): Promise<{ token: string; refreshToken: string }> {
  const res = await fetch('/auth/developer-token', { method: 'POST', credentials: 'omit', headers: { accept: 'application/json', authorization: `Bearer ${sessionToken}` } });
  const data = (await res.json().catch(() => ({}))) as { token: string; refreshToken: string; message?: string };
  if (!res.ok) throw new RcError(res.status, undefined, data.message ?? res.statusText);
  return data;
}

export function rc<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  if (!auth) return Promise.reject(new RcError(401, 'not-signed-in', 'Not signed in to the integrations API'));
  return call<T>(method, path, body, { 'x-user-id': auth.userId, 'x-auth-token': auth.authToken });
}
