/**
 * The one door to the server: same-origin fetch with the HttpOnly session cookie (never a token in
 * JS). Errors become {@link ApiError}; a 401 anywhere also tells the app the session is gone.
 */

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ApiError';
  }
  get isNetwork(): boolean {
    return this.status === 0;
  }
}

/** Fired (once per failing call) when the server answers 401: the session ended or never was. */
export const sessionEvents = new EventTarget();
export const SESSION_LOST = 'session-lost';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

export async function request<T>(method: Method, path: string, body?: unknown, opts: { quiet401?: boolean } = {}): Promise<T> {
  let res: Response;
  try {
    res = await fetch(path, {
      method,
      credentials: 'same-origin',
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': 'application/json' }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (!res.ok) {
    let data: { code?: unknown; message?: unknown } | undefined;
    try {
      data = (await res.json()) as typeof data;
    } catch {
      /* not JSON */
    }
    if (res.status === 401 && !opts.quiet401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
    throw new ApiError(res.status, typeof data?.code === 'string' ? data.code : undefined, typeof data?.message === 'string' ? data.message : res.statusText);
  }
  if (res.status === 204) return undefined as T;
  const text = await res.text();
  return (text ? JSON.parse(text) : undefined) as T;
}

export const api = {
  get: <T>(path: string) => request<T>('GET', path),
  post: <T>(path: string, body: unknown = {}) => request<T>('POST', path, body),
  put: <T>(path: string, body: unknown = {}) => request<T>('PUT', path, body),
  patch: <T>(path: string, body: unknown = {}) => request<T>('PATCH', path, body),
  delete: <T>(path: string, body?: unknown) => request<T>('DELETE', path, body),
};

/** Path segments are ids from the server, but they are encoded anyway. */
export const seg = encodeURIComponent;
