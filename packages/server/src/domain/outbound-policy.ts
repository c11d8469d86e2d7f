/**
 * The SSRF policy of docs/delivery.md §9: which addresses and host names an outbound connection may
 * reach. Pure classification — no I/O — so the same rules serve save-time URL checks and the
 * connect-time guard.
 */
import { cidrContains, effectiveAddress, formatIp, parseCidr, parseIp, type Cidr, type IpAddress } from './ip-address.js';

/** Host names and address ranges from an allow or deny setting. */
export interface HostList {
  /** lower-case host names without a trailing dot; "*.example.com" matches every subdomain (not the apex) */
  names: string[];
  ranges: Cidr[];
}

export interface OutboundPolicy {
  allowLoopback: boolean;
  allowPrivateNetworks: boolean;
  /** unblock these even when loopback or private — never the always-blocked ranges */
  allowedHosts: HostList;
  /** extra blocks; they win over allowedHosts */
  deniedHosts: HostList;
  requireHttps: boolean;
  allowSelfSignedCertificates: boolean;
}

export type BlockReason = 'always-blocked' | 'loopback' | 'private-network' | 'denied-host' | 'invalid-address';

export type AddressVerdict = { allowed: true } | { allowed: false; reason: BlockReason; message: string };

const ranges = (...texts: string[]): Cidr[] => texts.map((t) => parseCidr(t)!);

// §9.4 — no setting unblocks these. fd00:ec2::254 and 100.100.100.200 sit inside ranges that a
// setting can unblock (fc00::/7, 100.64.0.0/10), which is why this list is consulted first.
const ALWAYS_BLOCKED = ranges(
  '0.0.0.0/8',
  '169.254.0.0/16',
  '100.100.100.200/32',
  '224.0.0.0/4',
  '240.0.0.0/4',
  '::/128',
  'fe80::/10',
  'fd00:ec2::254/128',
  'ff00::/8',
);
const ALWAYS_BLOCKED_NAMES = new Set(['metadata', 'metadata.google.internal']);

// §9.5 — blocked unless the matching setting (or allowedHosts) says otherwise.
const LOOPBACK = ranges('127.0.0.0/8', '::1/128');
const PRIVATE = ranges('10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16', '100.64.0.0/10', '198.18.0.0/15', 'fc00::/7');

const inAny = (list: Cidr[], ip: IpAddress) => list.some((r) => cidrContains(r, ip));

/** Lower case, no trailing dot, no IPv6 brackets: the form every host comparison uses. */
export function normalizeHostName(host: string): string {
  let h = host.trim().toLowerCase();
  if (h.startsWith('[') && h.endsWith(']')) h = h.slice(1, -1);
  return h.endsWith('.') ? h.slice(0, -1) : h;
}

function listHasName(list: HostList, host: string): boolean {
  return list.names.some((entry) => (entry.startsWith('*.') ? host.endsWith(entry.slice(1)) : host === entry));
}

function blocked(reason: BlockReason, message: string): AddressVerdict {
  return { allowed: false, reason, message };
}

/**
 * The name-level checks, before any DNS lookup: the metadata host names and deniedHosts names.
 * Whether a name's addresses may be reached is decided per address by checkAddress.
 */
export function checkHostName(host: string, policy: OutboundPolicy): AddressVerdict {
  const name = normalizeHostName(host);
  if (ALWAYS_BLOCKED_NAMES.has(name)) return blocked('always-blocked', `${name} is a cloud metadata host name`);
  if (listHasName(policy.deniedHosts, name)) return blocked('denied-host', `${name} is in the denied hosts`);
  return { allowed: true };
}

/**
 * May a connection go to `ip`? `hostName` is the name it was resolved from, if any, so that
 * allowedHosts / deniedHosts entries given as names apply to the addresses behind them.
 */
export function checkAddress(ip: string, policy: OutboundPolicy, hostName?: string): AddressVerdict {
  const parsed = parseIp(ip);
  if (!parsed) return blocked('invalid-address', `${ip} is not an IP address`);
  const target = effectiveAddress(parsed);
  const shown = target === parsed ? ip : `${ip} (${formatIp(target)})`;
  const name = hostName === undefined ? undefined : normalizeHostName(hostName);

  if (inAny(ALWAYS_BLOCKED, target)) return blocked('always-blocked', `${shown} is in an always-blocked range`);
  if (inAny(policy.deniedHosts.ranges, target) || (name !== undefined && listHasName(policy.deniedHosts, name))) {
    return blocked('denied-host', `${shown} is in the denied hosts`);
  }
  if (inAny(policy.allowedHosts.ranges, target) || (name !== undefined && listHasName(policy.allowedHosts, name))) {
    return { allowed: true };
  }
  if (inAny(LOOPBACK, target)) {
    return policy.allowLoopback ? { allowed: true } : blocked('loopback', `${shown} is a loopback address`);
  }
  if (inAny(PRIVATE, target)) {
    return policy.allowPrivateNetworks ? { allowed: true } : blocked('private-network', `${shown} is a private-network address`);
  }
  return { allowed: true };
}

/** True when `ip` (a literal address) can never be reached, whatever the settings: the save-time check. */
export function isAlwaysBlockedAddress(ip: string): boolean {
  const parsed = parseIp(ip);
  return parsed !== undefined && inAny(ALWAYS_BLOCKED, effectiveAddress(parsed));
}

export function isAlwaysBlockedHostName(host: string): boolean {
  return ALWAYS_BLOCKED_NAMES.has(normalizeHostName(host));
}

// ---- refusals in words -------------------------------------------------------------------------

export type RefusalReason = BlockReason | 'https-required';

/**
 * Why a URL will not be called, put so that whoever reads it can act: the app developer warned at
 * save time, the person whose command failed, the admin reading the log. Without it a first bot on
 * this machine fails with nothing but the app's "offline" text.
 */
export interface OutboundRefusal {
  reason: RefusalReason;
  /** what is refused and that it will not be called: "127.0.0.1 is a loopback address, which this server does not call" */
  problem: string;
  /** the environment variable that would allow it; absent for what no setting allows */
  setting?: string;
  /** what an admin would do: "set SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK=true" */
  remedy?: string;
}

/**
 * Words for a refusal of `host`: a literal address, or a host name (`resolved` when its addresses,
 * not the name, were refused). Resolved addresses are left out: anyone who can run a command would
 * otherwise learn what internal names resolve to.
 */
export function explainRefusal(reason: RefusalReason, host: string, opts: { resolved?: boolean; url?: string } = {}): OutboundRefusal {
  const subject = (kind: string) => (opts.resolved ? `${host} resolves to a ${kind} address` : `${host} is a ${kind} address`);
  const allowedHosts = `(or add ${host} to ${OUTBOUND_ENV.allowedHosts})`;
  switch (reason) {
    case 'loopback':
      return {
        reason,
        problem: `${subject('loopback')}, which this server does not call`,
        setting: OUTBOUND_ENV.allowLoopback,
        remedy: `set ${OUTBOUND_ENV.allowLoopback}=true ${allowedHosts}`,
      };
    case 'private-network':
      return {
        reason,
        problem: `${subject('private-network')}, which this server does not call`,
        setting: OUTBOUND_ENV.allowPrivateNetworks,
        remedy: `set ${OUTBOUND_ENV.allowPrivateNetworks}=true ${allowedHosts}`,
      };
    case 'denied-host':
      return {
        reason,
        problem: `${host} is in ${OUTBOUND_ENV.deniedHosts}, so this server does not call it`,
        setting: OUTBOUND_ENV.deniedHosts,
        remedy: `remove it from ${OUTBOUND_ENV.deniedHosts}`,
      };
    case 'https-required':
      return {
        reason,
        problem: `${opts.url ?? host} does not use https, which this server requires of every outbound call`,
        setting: OUTBOUND_ENV.requireHttps,
        remedy: `set ${OUTBOUND_ENV.requireHttps}=false`,
      };
    case 'always-blocked':
      return { reason, problem: opts.resolved ? `${host} resolves only to addresses this server never calls` : `${host} is an address this server never calls` };
    case 'invalid-address':
      return { reason, problem: `${host} is not an address this server can call` };
  }
}

/** The refusal as one line for the developer who saved the URL, and for the log. */
export function refusalText(r: OutboundRefusal): string {
  return r.remedy ? `${r.problem}; ${r.remedy} to allow it` : r.problem;
}

// ---- building a policy -------------------------------------------------------------------------

const HOST_NAME = /^(\*\.)?[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$/i;

/** Parses host-list entries: IPs and CIDRs become ranges, anything else must be a host name. */
export function parseHostList(entries: readonly string[], settingName = 'host list'): HostList {
  const list: HostList = { names: [], ranges: [] };
  for (const raw of entries) {
    const entry = raw.trim();
    if (entry === '') continue;
    const range = parseCidr(entry);
    if (range) list.ranges.push(range);
    // "10.0.0.0/33" or "10.0.0.256" was meant as an address: refuse it rather than take it as a name.
    else if (!/^[\d.]+$/.test(entry) && HOST_NAME.test(entry)) list.names.push(normalizeHostName(entry));
    else throw new Error(`${settingName}: "${entry}" is not a host name, IP address or CIDR range`);
  }
  return list;
}

export interface OutboundPolicyInput {
  allowLoopback?: boolean;
  allowPrivateNetworks?: boolean;
  allowedHosts?: readonly string[];
  deniedHosts?: readonly string[];
  requireHttps?: boolean;
  allowSelfSignedCertificates?: boolean;
}

/** A policy from plain settings; everything not given takes the §9.5 default (closed). */
export function outboundPolicy(input: OutboundPolicyInput = {}, names: Partial<Record<'allowedHosts' | 'deniedHosts', string>> = {}): OutboundPolicy {
  return {
    allowLoopback: input.allowLoopback ?? false,
    allowPrivateNetworks: input.allowPrivateNetworks ?? false,
    allowedHosts: parseHostList(input.allowedHosts ?? [], names.allowedHosts ?? 'allowedHosts'),
    deniedHosts: parseHostList(input.deniedHosts ?? [], names.deniedHosts ?? 'deniedHosts'),
    requireHttps: input.requireHttps ?? false,
    allowSelfSignedCertificates: input.allowSelfSignedCertificates ?? false,
  };
}

export const OUTBOUND_ENV = {
  allowLoopback: 'SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK',
  allowPrivateNetworks: 'SWITCHBOARD_OUTBOUND_ALLOW_PRIVATE_NETWORKS',
  allowedHosts: 'SWITCHBOARD_OUTBOUND_ALLOWED_HOSTS',
  deniedHosts: 'SWITCHBOARD_OUTBOUND_DENIED_HOSTS',
  requireHttps: 'SWITCHBOARD_OUTBOUND_REQUIRE_HTTPS',
  allowSelfSignedCertificates: 'SWITCHBOARD_OUTBOUND_ALLOW_SELF_SIGNED',
} as const;
