/**
 * Redirect URL matching (docs/app-platform.md §5.1): compared as parsed URLs — same scheme,
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

/**
 * The redirect URL a consent request (or `oauth2/grant`) sends the browser to, or undefined when
 * the request's URL fits none of the app's registered ones.
 *
 * * missing (or empty): the first registered URL;
 * * absolute: itself, if it matches a registered URL (`redirectMatches`);
 * * relative, as the SDK's default link has it (`/redirect`): resolved against the registered
 *   URLs — the one whose path it names first (`https://myapp.com/redirect` for `/redirect`),
 *   else the first it continues. Whatever a relative reference resolves to is matched like an
 *   absolute one, so `//evil.com/redirect` or `/\evil.com` (which leave the registered host)
 *   never pass.
 */
export function resolveRedirect(requested: string | undefined, registered: readonly string[]): string | undefined {
  if (requested === undefined || requested === '') return registered[0];
  if (isAbsolute(requested)) return registered.some((r) => redirectMatches(requested, r)) ? requested : undefined;
  const resolutions: Array<{ url: string; samePath: boolean }> = [];
  for (const r of registered) {
    let resolved: URL;
    try {
      resolved = new URL(requested, r);
    } catch {
      continue;
    }
    if (!redirectMatches(resolved.href, r)) continue;
    resolutions.push({ url: resolved.href, samePath: resolved.pathname === new URL(r).pathname });
  }
  return (resolutions.find((x) => x.samePath) ?? resolutions[0])?.url;
}

function isAbsolute(url: string): boolean {
  try {
    new URL(url);
    return true;
  } catch {
    return false;
  }
}

/** `url` with these query parameters added (existing ones kept). */
export function withQuery(url: string, params: Record<string, string | undefined>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) if (v !== undefined) u.searchParams.set(k, v);
  return u.toString();
}
