/**
 * The person's browser session (docs/web-client.md §3): the session token in an HttpOnly,
 * SameSite=Lax cookie — never readable by scripts — accepted on `/v1` and `/v1/realtime` beside the
 * Bearer and `token` headers API clients send. A cookie rides along on any request the browser
 * makes, so a cookie-authenticated request that changes state must come from our own origin
 * (`Origin`, else `Referer`): CSRF cannot ride the cookie. The consent page shares the cookie.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { FastifyRequest } from 'fastify';
import { readCookie } from './cookies.js';
import { forbidden } from '../../domain/errors.js';

export const SESSION_COOKIE = 'sb_session';

/** `Set-Cookie` for a new session; `Secure` when the server is reached over https. */
export function sessionCookie(token: string, secure: boolean): string {
  return `${SESSION_COOKIE}=${encodeURIComponent(token)}; Path=/; HttpOnly; SameSite=Lax${secure ? '; Secure' : ''}`;
}

/** `Set-Cookie` that removes the session cookie (sign-out). */
export function clearedSessionCookie(secure: boolean): string {
  return `${SESSION_COOKIE}=; Path=/; HttpOnly; SameSite=Lax; Max-Age=0${secure ? '; Secure' : ''}`;
}

export function sessionFromCookie(request: Pick<FastifyRequest, 'headers'>): string | undefined {
  const token = readCookie(request, SESSION_COOKIE);
  return token ? token : undefined;
}

/** Methods that change nothing (RFC 9110 §9.2.1): a cookie may authenticate them from anywhere. */
export const SAFE_METHODS: ReadonlySet<string> = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * The origin browsers must show for cookie-authenticated changes: PUBLIC_URL's when it is set (the
 * server behind a proxy), else the one the request was addressed to (its Host; a cross-site page
 * cannot make the browser send another site's Origin with it).
 */
export function expectedOrigin(publicUrl: string | undefined, headers: IncomingHttpHeaders, protocol = 'http'): string | undefined {
  if (publicUrl) return new URL(publicUrl).origin;
  const host = headers.host;
  return typeof host === 'string' && host ? `${protocol}://${host}` : undefined;
}

/** True when the request's `Origin` (or, without one, its `Referer`'s origin) is `expected`. */
export function fromOrigin(headers: IncomingHttpHeaders, expected: string | undefined): boolean {
  if (!expected) return false;
  const origin = headers.origin;
  if (typeof origin === 'string' && origin !== 'null') return origin === expected;
  const referer = headers.referer;
  if (typeof referer !== 'string') return false;
  try {
    return new URL(referer).origin === expected;
  } catch {
    return false;
  }
}

/**
 * The session token of a request authenticated by the cookie, for surfaces that also take it (`/v1`,
 * `/auth/developer-token`, Rocket.Chat's `/api/v1` for the web client's administration pages):
 * undefined without one; a change (any method but GET, HEAD, OPTIONS) from another origin is a 403.
 */
export function cookieSession(request: Pick<FastifyRequest, 'headers' | 'method' | 'protocol'>, publicUrl: string | undefined): string | undefined {
  const token = sessionFromCookie(request);
  if (!token) return undefined;
  if (!SAFE_METHODS.has(request.method) && !fromOrigin(request.headers, expectedOrigin(publicUrl, request.headers, request.protocol))) {
    throw forbidden("Cross-site request refused: a change made with the session cookie must come from this server's own pages (Origin)");
  }
  return token;
}
