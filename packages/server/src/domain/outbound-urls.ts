/**
 * The save-time half of the SSRF guard (docs/delivery.md §9.6): what a URL may be, and which refusals
 * the connect-time guard (outbound/ssrf.ts) will give, foreseen from the URL alone — pure rules on
 * the outbound policy, so the domain can warn when an app or integration saves such a URL.
 */
import { isIP } from 'node:net';
import {
  checkAddress,
  checkHostName,
  explainRefusal,
  isAlwaysBlockedAddress,
  isAlwaysBlockedHostName,
  normalizeHostName,
  refusalText,
  type AddressVerdict,
  type OutboundPolicy,
  type OutboundRefusal,
  type RefusalReason,
} from './outbound-policy.js';

export const MAX_URL_LENGTH = 2048;

export type UrlCheck =
  | { ok: true; url: URL }
  /** `message` is written to stand after a field name ("url: must use http or https") */
  | { ok: false; error: 'invalid-url' | 'ssrf-blocked'; message: string; refusal?: OutboundRefusal };

/**
 * The save-time check (§9.6): absolute http(s) URL, at most 2048 characters, no literal address in
 * an always-blocked range. Host names are only judged at connect time, when they are resolved.
 */
export function checkUrlSyntax(url: string, policy: Pick<OutboundPolicy, 'requireHttps'>): UrlCheck {
  const invalid = (message: string): UrlCheck => ({ ok: false, error: 'invalid-url', message });
  if (typeof url !== 'string' || url.trim() === '') return invalid('must be a URL');
  if (url.length > MAX_URL_LENGTH) return invalid(`must be at most ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return invalid('must be an absolute URL (https://host/path)');
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return invalid('must use http or https');
  if (policy.requireHttps && parsed.protocol !== 'https:') {
    return { ok: false, error: 'ssrf-blocked', message: 'must use https', refusal: explainRefusal('https-required', parsed.hostname, { url }) };
  }
  if (parsed.hostname === '') return invalid('must name a host');
  // Credentials in the URL would be sent nowhere (§3: no credentials but those described), so a URL
  // carrying them is a mistake better reported now than silently stripped.
  if (parsed.username !== '' || parsed.password !== '') return invalid('must not contain a user name or password');
  // The URL parser has already turned "0x7f.1", "2130706433" and friends into dotted IPv4.
  const host = normalizeHostName(parsed.hostname);
  if ((isIP(host) && isAlwaysBlockedAddress(host)) || isAlwaysBlockedHostName(host)) {
    return { ok: false, error: 'ssrf-blocked', message: 'points to an address that outbound requests may never reach', refusal: explainRefusal('always-blocked', host) };
  }
  return { ok: true, url: parsed };
}

// ---- save-time foresight -------------------------------------------------------------------------

/**
 * The refusal the connect-time guard will give `url`, foreseen from the URL alone: https required,
 * a literal address, a denied host name, or localhost (RFC 6761: always loopback). Other host
 * names are not resolved here — that would hold every save up on DNS and tell whoever saves a URL
 * what internal names resolve to; their refusal is explained when a call is refused instead.
 * Undefined when nothing is foreseen, and for URLs checkUrlSyntax refuses anyway.
 */
export function foreseeRefusal(url: string, policy: OutboundPolicy): OutboundRefusal | undefined {
  const syntax = checkUrlSyntax(url, policy);
  if (!syntax.ok) return syntax.refusal?.reason === 'https-required' ? syntax.refusal : undefined;
  const host = normalizeHostName(syntax.url.hostname);
  if (isIP(host)) return refusalOf(checkAddress(host, policy), host);
  const byName = checkHostName(host, policy);
  if (!byName.allowed) return refusalOf(byName, host);
  if (host === 'localhost' || host.endsWith('.localhost')) {
    // Either address may be what the name resolves to; the guard connects to any one it permits.
    const verdicts = ['127.0.0.1', '::1'].map((ip) => checkAddress(ip, policy, host));
    return verdicts.some((v) => v.allowed) ? undefined : refusalOf(verdicts[0]!, host);
  }
  return undefined;
}

function refusalOf(verdict: AddressVerdict, host: string): OutboundRefusal | undefined {
  return verdict.allowed ? undefined : explainRefusal(verdict.reason, host);
}

/**
 * A URL that was saved although it will not be called (the save itself succeeds): the policy will
 * refuse it (`reason` the refusal's), or it is no http(s) URL at all (`invalid-url`: where its save
 * accepts one, as Rocket.Chat's outgoing integrations do — a script may still replace it).
 */
export interface OutboundWarning {
  /** where the URL was given, e.g. "slashCommands[0].url" or "urls[1]" */
  field: string;
  url: string;
  reason: RefusalReason | 'invalid-url';
  message: string;
  /** the setting that would allow it (absent when none would) */
  setting?: string;
}

/**
 * Why `url` cannot be called whatever the policy, in words that stand after it: not parseable, not
 * http(s), or no host — each call to it fails with `invalid-url`. Undefined for a callable URL.
 */
export function uncallableUrl(url: string): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return 'is not an absolute URL (https://host/path)';
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return `uses ${parsed.protocol.slice(0, -1)}:, and only http and https URLs are called`;
  if (parsed.hostname === '') return 'names no host';
  return undefined;
}

/**
 * A warning for each `[field, url]` that will not be called: one the policy is foreseen to refuse,
 * or one that is no http(s) URL at all; blank URLs are skipped.
 */
export function outboundWarnings(called: ReadonlyArray<readonly [string, string | null | undefined]>, policy: OutboundPolicy): OutboundWarning[] {
  const warnings: OutboundWarning[] = [];
  for (const [field, url] of called) {
    if (!url || url.trim() === '') continue;
    const uncallable = uncallableUrl(url);
    if (uncallable) {
      warnings.push({ field, url, reason: 'invalid-url', message: `${JSON.stringify(url)} ${uncallable}: calls to it fail (invalid-url)` });
      continue;
    }
    const refusal = foreseeRefusal(url, policy);
    if (!refusal) continue;
    warnings.push({ field, url, reason: refusal.reason, message: refusalText(refusal), ...(refusal.setting && { setting: refusal.setting }) });
  }
  return warnings;
}
