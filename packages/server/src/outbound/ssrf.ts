/**
 * The SSRF guard of docs/delivery.md §9, at connect time (its save-time half: domain/outbound-urls.ts): an undici
 * Agent whose connector resolves the host itself, checks every address and connects to one that
 * passed — by IP, so nothing resolves the name a second time (DNS rebinding cannot switch targets).
 */
import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { Agent, buildConnector } from 'undici';
import type { ConnectionOptions } from 'node:tls';
import { checkAddress, checkHostName, explainRefusal, type AddressVerdict, type OutboundPolicy, type OutboundRefusal } from '../domain/outbound-policy.js';
// The save-time half (checkUrlSyntax, foreseeRefusal, outboundWarnings) is the domain's: domain/outbound-urls.ts.
import type { OutboundWarning } from '../domain/outbound-urls.js';

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
    const what = warning.reason === 'invalid-url' ? `this ${endpoint.kind} URL cannot be called` : `the outbound policy will refuse this ${endpoint.kind} URL`;
    log.warn({ [`${endpoint.kind}Id`]: endpoint.id, ...fields }, `${what}: ${message}`);
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
