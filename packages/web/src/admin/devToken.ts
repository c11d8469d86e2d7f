/**
 * Developer tokens (docs/app-platform.md §4.1) for the app-management routes, which take only the
 * `Authtoken` header, not the session cookie. `POST /auth/developer-token` takes the cookie (rc.ts),
 * so a token is fetched when first needed and kept in memory only; a 401 gets a fresh one once.
 */
import { ApiError, SESSION_LOST, seg, sessionEvents } from '../lib/api';
import type { Session } from '../lib/types';
import { developerToken } from './rc';

let token: string | null = null;

export async function dev<T>(session: Session, method: 'GET' | 'POST', rest: string): Promise<T> {
  const path = `/workspaces/${seg(session.workspaceId)}/workspaceUsers/${seg(session.workspaceUserId)}/apps${rest}`;
  for (let attempt = 0; ; attempt++) {
    const t = token ?? (token = (await developerToken()).token);
    const res = await fetch(path, {
      method,
      credentials: 'omit',
      headers: { accept: 'application/json', authtoken: t, ...(method === 'POST' && { 'content-type': 'application/json' }) },
      ...(method === 'POST' && { body: '{}' }),
    });
    if (res.status === 401 && attempt === 0) {
      token = null;
      continue;
    }
    const data = (await res.json().catch(() => undefined)) as { message?: string; code?: string } | undefined;
    if (res.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
    if (!res.ok) throw new ApiError(res.status, data?.code, data?.message ?? res.statusText);
    return data as T;
  }
}
