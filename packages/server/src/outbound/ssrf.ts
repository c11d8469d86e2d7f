/**
 * The SSRF guard of delivery.md §9 in two places: a syntactic URL check at save time, and an undici
 * Agent whose connector resolves the host itself, checks every address and connects to one that
 * passed — by IP, so nothing resolves the name a second time (DNS rebinding cannot switch targets).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { ConnectionOptions } from 'node:tls';
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

/** A URL that was saved although the policy will refuse to call it (the save itself succeeds). */
export interface OutboundWarning {
  /** where the URL was given, e.g. "slashCommands[0].url" or "urls[1]" */
  field: string;
  url: string;
  reason: RefusalReason;
  message: string;
  /** the setting that would allow it (absent when none would) */
  setting?: string;
}

/** A warning for each `[field, url]` the policy is foreseen to refuse; blank URLs are skipped. */
export function outboundWarnings(called: ReadonlyArray<readonly [string, string | null | undefined]>, policy: OutboundPolicy): OutboundWarning[] {
  const warnings: OutboundWarning[] = [];
  for (const [field, url] of called) {
    const refusal = url ? foreseeRefusal(url, policy) : undefined;
    if (!url || !refusal) continue;
    warnings.push({ field, url, reason: refusal.reason, message: refusalText(refusal), ...(refusal.setting && { setting: refusal.setting }) });
  }
  return warnings;
}

/**
 * Remembers which refusals were logged, so each (endpoint, URL, reason) is logged once rather than
 * at every save or attempt. Bounded: past `max` keys the oldest is forgotten (and may be logged again).
 */
export class RefusalLog {
  private readonly seen = new Set<string>();

  constructor(private readonly max = 10_000) {}

  /** Logs the warning at `warn` unless this endpoint's URL was already logged for the same reason. */
  warnOnce(log: { warn(obj: object, msg: string): void }, endpoint: { kind: 'app' | 'integration'; id: string }, warning: OutboundWarning): void {
    const key = `${endpoint.kind}\n${endpoint.id}\n${warning.url}\n${warning.reason}`;
    if (this.seen.has(key)) return;
    if (this.seen.size >= this.max) this.seen.delete(this.seen.values().next().value!);
    this.seen.add(key);
    const { message, ...fields } = warning;
    log.warn({ [`${endpoint.kind}Id`]: endpoint.id, ...fields }, `the outbound policy will refuse this ${endpoint.kind} URL: ${message}`);
  }
}

// ---- connect-time guard ------------------------------------------------------------------------

/** The error a blocked connection fails with; undici hands it to the request unchanged. */
export class SsrfBlockedError extends Error {
  readonly code = 'ssrf-blocked';
  constructor(
    message: string,
    readonly host: string,
    /** the refusal in words a person can act on */
    readonly refusal?: OutboundRefusal,
  ) {
    super(message);
    this.name = 'SsrfBlockedError';
  }
}

export interface ResolvedAddress {
  address: string;
  family: number;
}
/** Resolves a host name to every address it has; injectable so tests can make names resolve anywhere. */
export type LookupAll = (hostname: string) => Promise<ResolvedAddress[]>;

const systemLookup: LookupAll = (hostname) => dnsLookup(hostname, { all: true });

export interface GuardedAgentOptions {
  policy: OutboundPolicy;
  lookup?: LookupAll;
  /** DNS + TCP + TLS (§3: 5 s, within the attempt's total) */
  connectTimeoutMs?: number;
  /**
   * Set false where a caller must not accept self-signed certificates even though the admin allows
   * them (script fetch without its third argument). It can never allow more than the policy does.
   */
  acceptSelfSigned?: boolean;
  /** extra TLS options, e.g. a private CA in tests; never `rejectUnauthorized`, which the policy decides */
  tls?: Omit<ConnectionOptions, 'rejectUnauthorized'>;
}

export const DEFAULT_CONNECT_TIMEOUT_MS = 5000;

// Connection failures worth trying the host's next permitted address for (an unreachable IPv6
// address of a dual-stack host, say). Anything else — TLS errors in particular — fails at once.
const TRY_NEXT_ADDRESS = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'EAFNOSUPPORT']);

/** An undici Agent that only ever connects to addresses the policy permits. */
export class GuardedAgent extends Agent {
  readonly policy: OutboundPolicy;

  constructor(options: GuardedAgentOptions) {
    const { policy, lookup = systemLookup, connectTimeoutMs = DEFAULT_CONNECT_TIMEOUT_MS, acceptSelfSigned = true } = options;
    const base = buildConnector({
      ...options.tls,
      timeout: connectTimeoutMs,
      rejectUnauthorized: !(policy.allowSelfSignedCertificates && acceptSelfSigned),
    });
    const connect: buildConnector.connector = (opts, callback) => {
      // One deadline for DNS + TCP + TLS together; undici's own connect timeout only covers TCP + TLS.
      let settled = false;
      const settle: buildConnector.Callback = (...args) => {
        const [, socket] = args;
        if (settled) return void socket?.destroy();
        settled = true;
        clearTimeout(deadline);
        callback(...args);
      };
      const deadline = setTimeout(() => settle(connectTimeout(opts.hostname, connectTimeoutMs), null), connectTimeoutMs);
      permittedAddresses(opts.hostname, opts.protocol, policy, lookup).then(
        (addresses) => connectInTurn(base, opts, addresses, settle),
        (err: Error) => settle(err, null),
      );
    };
    super({ connect });
    this.policy = policy;
  }
}

/** The addresses of `hostname` that the policy permits, in resolver order; throws if there are none. */
async function permittedAddresses(
  hostname: string,
  protocol: string,
  policy: OutboundPolicy,
  lookup: LookupAll,
): Promise<string[]> {
  // Checked here too, not only at save time: script fetch and replays reach the connector directly.
  if (protocol !== 'https:' && protocol !== 'http:') throw new SsrfBlockedError(`${protocol} is not http or https`, hostname);
  if (policy.requireHttps && protocol !== 'https:') {
    throw new SsrfBlockedError('outbound requests must use https', hostname, explainRefusal('https-required', hostname));
  }

  if (isIP(hostname)) {
    const verdict = checkAddress(hostname, policy);
    if (!verdict.allowed) throw new SsrfBlockedError(verdict.message, hostname, explainRefusal(verdict.reason, hostname));
    return [hostname];
  }
  const nameVerdict = checkHostName(hostname, policy);
  if (!nameVerdict.allowed) throw new SsrfBlockedError(nameVerdict.message, hostname, explainRefusal(nameVerdict.reason, hostname));

  const resolved = await lookup(hostname);
  if (resolved.length === 0) throw Object.assign(new Error(`${hostname} has no addresses`), { code: 'ENOTFOUND', hostname });
  const permitted: string[] = [];
  const refusals: Array<AddressVerdict & { allowed: false }> = [];
  for (const { address } of resolved) {
    const verdict = checkAddress(address, policy, hostname);
    if (verdict.allowed) permitted.push(address);
    else refusals.push(verdict);
  }
  if (permitted.length === 0) {
    // Allowing any one refused address lets the call through, so name the first a setting can allow.
    const liftable = refusals.find((r) => r.reason !== 'always-blocked') ?? refusals[0]!;
    throw new SsrfBlockedError(
      `${hostname} resolves only to blocked addresses: ${refusals.map((r) => r.message).join('; ')}`,
      hostname,
      explainRefusal(liftable.reason, hostname, { resolved: true }),
    );
  }
  return permitted;
}

// The code undici gives a slow TCP/TLS connect, so callers see one kind of connect timeout.
function connectTimeout(hostname: string, ms: number): Error {
  return Object.assign(new Error(`connecting to ${hostname} took longer than ${ms} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' });
}

/** Connects to the first address that accepts, keeping the original name for SNI and certificate checks. */
function connectInTurn(
  base: buildConnector.connector,
  opts: buildConnector.Options,
  addresses: string[],
  callback: buildConnector.Callback,
): void {
  const [address, ...rest] = addresses as [string, ...string[]];
  // `host` still carries the name, from which undici derives the TLS servername; the pinned IP only
  // replaces `hostname`, the address the socket dials.
  base({ ...opts, hostname: address }, (err, socket) => {
    if (err && rest.length > 0 && TRY_NEXT_ADDRESS.has((err as NodeJS.ErrnoException).code ?? '')) {
      connectInTurn(base, opts, rest, callback);
    } else if (err) callback(err, null);
    else callback(null, socket!);
  });
}
