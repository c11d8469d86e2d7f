/**
 * The HTTP call of a prepared outgoing request (docs/integrations.md §8.5, §8.8), as Rocket.Chat's
 * `HTTP.call` makes it of a script's options: JSON body, Basic auth from `auth: 'user:pass'`, `params`
 * in the query string, the timeout capped. What the request is and whether it is made is the domain's
 * (domain/integrations/outgoing-request.ts, outgoing-attempt.ts).
 */
import type { HttpCallResult, PreparedRequest } from '../../../domain/integrations/outgoing-request.js';

/** §8.5: default timeout, and the most a script may ask for. */
export const DEFAULT_OUTGOING_TIMEOUT_MS = 15_000;
export const MAX_OUTGOING_TIMEOUT_MS = 30_000;

/**
 * §8.5 / §12.3 #26–#28: JSON body with `Content-Type` only when there is data; `auth: 'user:pass'` →
 * Basic (no colon → `invalid-auth`, and no call); `params` join the query string; `timeout` forwarded,
 * capped at 30 s.
 */
export function buildHttpCall(req: PreparedRequest): HttpCallResult {
  const headers: Record<string, string> = {};
  // Only scalar values make a header; an object would be sent as "[object Object]".
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean') headers[k] = String(v);
  if (req.auth !== undefined) {
    if (!req.auth.includes(':')) return { ok: false, error: 'invalid-auth' };
    // One Authorization header: `auth` replaces one the script set in any letter case.
    for (const k of Object.keys(headers)) if (k.toLowerCase() === 'authorization') delete headers[k];
    headers.Authorization = `Basic ${Buffer.from(req.auth, 'utf8').toString('base64')}`;
  }
  let url: URL;
  try {
    url = new URL(req.url);
  } catch {
    return { ok: false, error: 'invalid-url' };
  }
  const params = Object.entries(req.params).filter(([, v]) => v !== undefined && v !== null);
  for (const [k, v] of params) url.searchParams.append(k, String(v));
  const method = req.method.toUpperCase();
  // Falsy data sends nothing, as upstream; GET and HEAD cannot carry a body.
  const hasBody = Boolean(req.data) && method !== 'GET' && method !== 'HEAD';
  if (hasBody) {
    const hasType = Object.keys(headers).some((k) => k.toLowerCase() === 'content-type');
    if (!hasType) headers['Content-Type'] = 'application/json';
  }
  const timeoutMs =
    typeof req.timeout === 'number' && Number.isFinite(req.timeout) && req.timeout > 0 ? Math.min(req.timeout, MAX_OUTGOING_TIMEOUT_MS) : DEFAULT_OUTGOING_TIMEOUT_MS;
  return {
    ok: true,
    call: { method, url: params.length > 0 ? url.toString() : req.url, headers, ...(hasBody && { body: JSON.stringify(req.data) }), timeoutMs },
  };
}
