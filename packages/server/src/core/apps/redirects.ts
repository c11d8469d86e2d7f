/**
 * Redirect URL matching (pumble-app-platform.md §5.1): compared as parsed URLs — same scheme,
 * host and port, and a path equal to the registered one or continuing it after a `/`. Plain string
 * prefixes would let `https://a.com/redirect.evil` pass for `https://a.com/redirect`.
 */
export function redirectMatches(candidate: string, registered: string): boolean {
  let c: URL;
  let r: URL;
  try {
    c = new URL(candidate);
    r = new URL(registered);
  } catch {
    return false;
  }
  if (c.protocol !== r.protocol || c.hostname !== r.hostname || c.port !== r.port) return false;
  if (c.username || c.password) return false;
  const base = r.pathname.endsWith('/') ? r.pathname : `${r.pathname}/`;
  return c.pathname === r.pathname || c.pathname.startsWith(base);
}

/** `url` with these query parameters added (existing ones kept). */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}
