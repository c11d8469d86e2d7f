/**
 * docs/delivery.md §8: request headers are logged as sent, signatures included, but never credentials. One list for
 * every class (events, outgoing webhooks, triggers): a script-added Basic auth, an app key.
 */
export const REDACTED_HEADERS: ReadonlySet<string> = new Set(['authorization', 'proxy-authorization', 'cookie', 'x-app-token']);

/** The headers as the receiver got them, names lower-cased, credentials redacted (§8). */
export function loggedHeaders(sent: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(sent)) {
    const name = k.toLowerCase();
    out[name] = REDACTED_HEADERS.has(name) ? '[redacted]' : v;
  }
  return out;
}
