/**
 * IP addresses and CIDR ranges as integers, so that range checks are plain arithmetic and behave
 * the same for IPv4 and IPv6 (node:net's BlockList has no way to ask "which range matched?").
 */
import { isIP } from 'node:net';

export interface IpAddress {
  family: 4 | 6;
  /** the address as an unsigned integer: 32 bits for IPv4, 128 for IPv6 */
  value: bigint;
}

export interface Cidr {
  family: 4 | 6;
  base: bigint;
  prefix: number;
  /** as written, for messages */
  text: string;
}

const bits = (family: 4 | 6) => (family === 4 ? 32 : 128);

/** Parses a textual IPv4 or IPv6 address (brackets and an IPv6 zone id are tolerated). */
export function parseIp(text: string): IpAddress | undefined {
  let s = text.trim();
  if (s.startsWith('[') && s.endsWith(']')) s = s.slice(1, -1);
  const zone = s.indexOf('%');
  if (zone !== -1) s = s.slice(0, zone);
  const family = isIP(s);
  if (family === 4) return { family: 4, value: ipv4ToInt(s) };
  if (family === 6) return { family: 6, value: ipv6ToInt(s) };
  return undefined;
}

function ipv4ToInt(s: string): bigint {
  return s.split('.').reduce((acc, octet) => (acc << 8n) | BigInt(Number(octet)), 0n);
}

function ipv6ToInt(s: string): bigint {
  // A dotted IPv4 tail ("::ffff:1.2.3.4") stands for the last two 16-bit groups.
  const lastColon = s.lastIndexOf(':');
  const tail = s.slice(lastColon + 1);
  if (tail.includes('.')) {
    const v4 = ipv4ToInt(tail);
    s = `${s.slice(0, lastColon + 1)}${(v4 >> 16n).toString(16)}:${(v4 & 0xffffn).toString(16)}`;
  }
  const [head = '', rest] = s.split('::') as [string, string | undefined];
  const headGroups = head ? head.split(':') : [];
  const tailGroups = rest ? rest.split(':') : [];
  const zeros = rest === undefined ? [] : Array<string>(8 - headGroups.length - tailGroups.length).fill('0');
  return [...headGroups, ...zeros, ...tailGroups].reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function formatIp(ip: IpAddress): string {
  if (ip.family === 4) return [24n, 16n, 8n, 0n].map((s) => ((ip.value >> s) & 0xffn).toString()).join('.');
  const groups: string[] = [];
  for (let shift = 112n; shift >= 0n; shift -= 16n) groups.push(((ip.value >> shift) & 0xffffn).toString(16));
  // Not the shortest form (no "::"); only used in messages, where the full form is unambiguous.
  return groups.join(':');
}

/** "10.0.0.0/8", "fd00::/8", or a bare address (a single-address range). */
export function parseCidr(text: string): Cidr | undefined {
  const slash = text.indexOf('/');
  const ip = parseIp(slash === -1 ? text : text.slice(0, slash));
  if (!ip) return undefined;
  const max = bits(ip.family);
  const prefixText = slash === -1 ? String(max) : text.slice(slash + 1);
  if (!/^\d{1,3}$/.test(prefixText)) return undefined;
  const prefix = Number(prefixText);
  if (prefix > max) return undefined;
  return { family: ip.family, base: ip.value, prefix, text };
}

export function cidrContains(range: Cidr, ip: IpAddress): boolean {
  if (range.family !== ip.family) return false;
  const shift = BigInt(bits(ip.family) - range.prefix);
  return range.base >> shift === ip.value >> shift;
}

const V4_MAPPED = parseCidr('::ffff:0:0/96')!;
// The well-known NAT64 prefix: on an IPv6-only host with DNS64 these addresses reach the embedded
// IPv4 address, so they are judged by it too (the spec names only IPv4-mapped; this is the same hole).
const NAT64 = parseCidr('64:ff9b::/96')!;

/**
 * The address that a connection would actually reach: IPv4-mapped (and NAT64) IPv6 addresses
 * become the IPv4 address they carry, so that "::ffff:169.254.169.254" is judged as 169.254.169.254.
 */
export function effectiveAddress(ip: IpAddress): IpAddress {
  if (ip.family === 6 && (cidrContains(V4_MAPPED, ip) || cidrContains(NAT64, ip))) {
    return { family: 4, value: ip.value & 0xffffffffn };
  }
  return ip;
}
