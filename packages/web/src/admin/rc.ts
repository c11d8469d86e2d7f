/**
 * Rocket.Chat's API (`/api/v1`, docs/integrations.md §2) for the integrations, permissions and apps
 * pages, and `POST /auth/developer-token`. Both take the web client's session cookie (docs/pumble-api.md
 * §2.3: a change must come from this origin, which the browser's `Origin` header shows), so they are
 * called same-origin with no `X-User-Id` / `X-Auth-Token`. A 401 means the session ended: the tab goes
 * to sign-in, as for every other route. Never `/api/v1/logout`: with the cookie it would end the web
 * session itself.
 */
import { useQuery } from '@tanstack/react-query';
import { ApiError, SESSION_LOST, sessionEvents } from '../lib/api';

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

/** One call of `/api/v1/{path}`; Rocket.Chat's `success: false` and any non-2xx become {@link RcError}. */
export async function rc<T>(method: 'GET' | 'POST' | 'PUT', path: string, body?: unknown): Promise<T> {
  if (path === 'logout' || path.startsWith('logout?')) throw new RcError(400, 'refused', 'logout would end the web session');
  let res: Response;
  try {
    res = await fetch(`/api/v1/${path}`, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new RcError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const data = (await res.json().catch(() => ({}))) as { success?: boolean; error?: string; errorType?: string; message?: string };
  if (res.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
  if (!res.ok || data.success === false) throw new RcError(res.status, data.errorType, data.error ?? data.message ?? res.statusText);
  return data as T;
}

/** The signed-in person as Rocket.Chat names them (`GET /api/v1/me`): the default "post as" username. */
export function useRcMe() {
  return useQuery({ queryKey: ['admin', 'rc', 'me'], queryFn: () => rc<{ _id: string; username: string }>('GET', 'me'), staleTime: Infinity });
}

/** Developer tokens for the `Authtoken` header (app-platform.md §4.1), issued to the web session's cookie. */
export async function developerToken(): Promise<{ token: string; refreshToken: string }> {
  let res: Response;
  try {
    res = await fetch('/auth/developer-token', { method: 'POST', credentials: 'same-origin', headers: { accept: 'application/json' } });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  const data = (await res.json().catch(() => ({}))) as { token: string; refreshToken: string; code?: string; message?: string };
  if (res.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
  if (!res.ok) throw new ApiError(res.status, data.code, data.message ?? res.statusText);
  return data;
}
