/**
 * Developer tokens (docs/app-platform.md §4.1) for the app-management routes, which take only the
 * `Authtoken` header, not the session cookie. `POST /auth/developer-token` takes a Bearer session
 * token but not the cookie either, so it is called with the in-memory API session of rc.ts (the
 * page sits behind RcGate); the developer token is kept in memory only, a 401 gets a fresh one once.
 */
import { ApiError, seg } from '../lib/api';
import type { Session } from '../lib/types';
import { developerTokenWith, rcSessionToken, RcError } from './rc';

let token: string | null = null;

async function fresh(): Promise<string> {
  const session = rcSessionToken();
  if (!session) throw new RcError(401, 'not-signed-in', 'Not signed in to the API');
  token = (await developerTokenWith(session)).token;
  return token;
}

export async function dev<T>(session: Session, method: 'GET' | 'POST', rest: string): Promise<T> {
  const path = `/workspaces/${seg(session.workspaceId)}/workspaceUsers/${seg(session.workspaceUserId)}/apps${rest}`;
  for (let attempt = 0; ; attempt++) {
    const t = token ?? (await fresh());
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
    if (!res.ok) throw new ApiError(res.status, data?.code, data?.message ?? res.statusText);
    return data as T;
  }
}
