/**
 * The connect-time SSRF guard (docs/delivery.md §9.2) against real sockets on 127.0.0.1: every resolved
 * address is checked, the connection goes to a permitted address by IP (no second resolution), and
 * blocked connections fail with `ssrf-blocked` before any packet leaves.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request } from 'undici';
import { outboundPolicy, type OutboundPolicyInput } from '../../src/domain/outbound-policy.js';
import { GuardedAgent, type GuardedAgentOptions, type LookupAll } from '../../src/outbound/ssrf.js';
import { postJson } from '../../src/outbound/http-post.js';

// A self-signed certificate for "localhost" and 127.0.0.1, valid 2000–2099 (a fixture: no openssl at test time).
const TLS_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg0PKqc1IEVOJwEUyk
eTU+OrhdtP8WTNl8S3VG2OEpuBShRANCAAT8PIf+O2Kl3BP8Hv0cnAF+PpbJbtPy
GN8CmaxdvsVEnfZCQ5Lsm5skj78fuPB0KmDKy7HGF4gEG6KObtLVn/1i
-----END PRIVATE KEY-----`;
const TLS_CERT = `-----BEGIN CERTIFICATE-----
MIIBZjCCAQ2gAwIBAgIBATAKBggqhkjOPQQDAjAUMRIwEAYDVQQDDAlsb2NhbGhv
c3QwIBcNMDAwMTAxMDAwMDAwWhgPMjA5OTEyMzEwMDAwMDBaMBQxEjAQBgNVBAMM
CWxvY2FsaG9zdDBZMBMGByqGSM49AgEGCCqGSM49AwEHA0IABPw8h/47YqXcE/we
/RycAX4+lslu0/IY3wKZrF2+xUSd9kJDkuybmySPvx+48HQqYMrLscYXiAQboo5u
0tWf/WKjTjBMMBoGA1UdEQQTMBGCCWxvY2FsaG9zdIcEfwAAATAPBgNVHRMBAf8E
BTADAQH/MB0GA1UdDgQWBBQdU6sSuK0HbL3xHkodhf9EEvXgPDAKBggqhkjOPQQD
AgNHADBEAiBWYloCZvdOT55cy57QyLrxRv2cGrNZv5dbqDasP9cY9wIgWbATUChE
63wXpx0ddbk8/0sVFqyAWWPAsCkeVw2wsHY=
-----END CERTIFICATE-----`;

interface Receiver {
  port: number;
  hits: number;
  close(): Promise<void>;
}

async function receiver(tls = false): Promise<Receiver> {
  const handler = (_req: IncomingMessage, res: ServerResponse) => {
    r.hits++;
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
  };
  const server = tls ? createTlsServer({ key: TLS_KEY, cert: TLS_CERT }, handler) : createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const r: Receiver = {
    port: (server.address() as AddressInfo).port,
    hits: 0,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  return r;
}

const plain = await receiver();
const secure = await receiver(true);
const agents: GuardedAgent[] = [];
after(async () => {
  await Promise.allSettled(agents.map((a) => a.destroy()));
  await plain.close();
  await secure.close();
});

function agent(policy: OutboundPolicyInput, extra: Omit<GuardedAgentOptions, 'policy'> = {}): GuardedAgent {
  const a = new GuardedAgent({ policy: outboundPolicy(policy), ...extra });
  agents.push(a);
  return a;
}

/** A resolver for made-up names, counting its calls; names it does not know fail like DNS would. */
function fakeDns(table: Record<string, string[]>): LookupAll & { calls: string[] } {
  const calls: string[] = [];
  const lookup = async (hostname: string) => {
    calls.push(hostname);
    const addresses = table[hostname];
    if (!addresses) throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: 'ENOTFOUND' });
    return addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };
  return Object.assign(lookup, { calls });
}

const post = (url: string, a: GuardedAgent) => postJson(url, '{}', {}, { agent: a, timeoutMs: 3000, maxBodyBytes: 1024 });

/** The connector itself, bypassing postJson's save-time-style URL check. */
async function rawRequestError(url: string, a: GuardedAgent): Promise<string | undefined> {
  try {
    const res = await request(url, { method: 'POST', body: '{}', dispatcher: a });
    await res.body.dump();
    return undefined;
  } catch (err) {
    return (err as { code?: string }).code;
  }
}

test('a literal loopback address is blocked unless allowLoopback', async () => {
  const before = plain.hits;
  const blocked = await post(`http://127.0.0.1:${plain.port}/`, agent({}));
  assert.equal(blocked.error, 'ssrf-blocked');
  assert.equal(blocked.ok, false);
  assert.match(blocked.errorMessage ?? '', /loopback/);
  assert.equal(plain.hits, before, 'nothing reached the receiver');

  const allowed = await post(`http://127.0.0.1:${plain.port}/`, agent({ allowLoopback: true }));
  assert.equal(allowed.ok, true, JSON.stringify(allowed));
  assert.equal(allowed.status, 200);
  assert.equal(plain.hits, before + 1);
});

test('a host name resolving to loopback (real DNS: localhost) is blocked at connect time unless allowed', async () => {
  const before = plain.hits;
  assert.equal((await post(`http://localhost:${plain.port}/`, agent({}))).error, 'ssrf-blocked');
  assert.equal(plain.hits, before);
  const allowed = await post(`http://localhost:${plain.port}/`, agent({ allowLoopback: true }));
  assert.equal(allowed.ok, true, JSON.stringify(allowed));
});

test('169.254.169.254 is blocked even with every allowance on, by literal and by name', async () => {
  const dns = fakeDns({ 'evil.example': ['169.254.169.254'], 'sneaky.example': ['::ffff:169.254.169.254'] });
  const wideOpen = agent(
    {
      allowLoopback: true,
      allowPrivateNetworks: true,
      allowSelfSignedCertificates: true,
      allowedHosts: ['0.0.0.0/0', '::/0', '169.254.0.0/16', 'evil.example', 'sneaky.example'],
    },
    { lookup: dns },
  );
  assert.equal((await post('http://169.254.169.254/latest/meta-data/', wideOpen)).error, 'ssrf-blocked');
  assert.equal(await rawRequestError('http://169.254.169.254/latest/meta-data/', wideOpen), 'ssrf-blocked');
  assert.equal(await rawRequestError('http://169.254.170.2/v2/credentials', wideOpen), 'ssrf-blocked');
  assert.equal((await post('http://evil.example/', wideOpen)).error, 'ssrf-blocked');
  assert.equal((await post('http://sneaky.example/', wideOpen)).error, 'ssrf-blocked');
  assert.equal(await rawRequestError('http://metadata.google.internal/computeMetadata/v1/', wideOpen), 'ssrf-blocked');
  assert.deepEqual(dns.calls, ['evil.example', 'sneaky.example'], 'metadata names are refused before any lookup');
});

test('IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry', async () => {
  const dns = fakeDns({ 'mapped.example': ['::ffff:127.0.0.1'], 'mapped-private.example': ['::ffff:10.0.0.1'] });
  const a = agent({}, { lookup: dns });
  assert.equal((await post(`http://[::ffff:127.0.0.1]:${plain.port}/`, a)).error, 'ssrf-blocked');
  assert.equal(await rawRequestError(`http://[::ffff:127.0.0.1]:${plain.port}/`, a), 'ssrf-blocked');
  assert.equal(await rawRequestError(`http://[::ffff:169.254.169.254]/`, agent({ allowLoopback: true, allowPrivateNetworks: true })), 'ssrf-blocked');
  assert.equal((await post(`http://mapped.example:${plain.port}/`, a)).error, 'ssrf-blocked');
  assert.equal((await post(`http://mapped-private.example/`, a)).error, 'ssrf-blocked');
});

test('a DNS name resolving to a private address is blocked at connect time', async () => {
  const dns = fakeDns({ 'intranet.example': ['10.1.2.3'], 'v6.intranet.example': ['fd12:3456::1'] });
  const a = agent({ allowLoopback: true }, { lookup: dns });
  const r = await post('http://intranet.example/hook', a);
  assert.equal(r.error, 'ssrf-blocked');
  assert.match(r.errorMessage ?? '', /intranet\.example resolves only to blocked addresses: 10\.1\.2\.3 is a private-network address/);
  assert.equal((await post('http://v6.intranet.example/hook', a)).error, 'ssrf-blocked');
  assert.deepEqual(dns.calls, ['intranet.example', 'v6.intranet.example']);
});

test('every resolved address is checked, and the connection goes to one that passed', async () => {
  const dns = fakeDns({ 'mixed.example': ['169.254.169.254', '10.0.0.7', '127.0.0.1'] });
  const before = plain.hits;
  const r = await post(`http://mixed.example:${plain.port}/`, agent({ allowLoopback: true }, { lookup: dns }));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.equal(plain.hits, before + 1);
});

test('the connection goes to the checked address: the name is resolved once, by the guard only', async () => {
  // "pinned.example" exists only in the fake resolver, so a second resolution (by net.connect or the
  // system resolver) would fail: success shows the socket dialled the address the guard checked.
  const dns = fakeDns({ 'pinned.example': ['127.0.0.1'] });
  const r = await post(`http://pinned.example:${plain.port}/`, agent({ allowLoopback: true }, { lookup: dns }));
  assert.equal(r.ok, true, JSON.stringify(r));
  assert.deepEqual(dns.calls, ['pinned.example']);
});

test('a new connection after a rebinding is checked again and refused', async () => {
  let answer = '127.0.0.1';
  const lookup: LookupAll = async () => {
    const address = answer;
    answer = '169.254.169.254';
    return [{ address, family: 4 }];
  };
  const a = agent({ allowLoopback: true }, { lookup });
  assert.equal((await post(`http://rebind.example:${plain.port}/`, a)).ok, true);
  await a.close(); // drop the pooled connection
  const b = agent({ allowLoopback: true }, { lookup });
  assert.equal((await post(`http://rebind.example:${plain.port}/`, b)).error, 'ssrf-blocked');
});

test('an unreachable permitted address is skipped for the next permitted one', async () => {
  // ::1 has no listener (the receiver listens on 127.0.0.1 only): refused or unreachable, then 127.0.0.1.
  const dns = fakeDns({ 'dual.example': ['::1', '127.0.0.1'] });
  const r = await post(`http://dual.example:${plain.port}/`, agent({ allowLoopback: true }, { lookup: dns }));
  assert.equal(r.ok, true, JSON.stringify(r));
});

test('allowedHosts unblock loopback by name or range, never always-blocked addresses', async () => {
  const dns = fakeDns({ 'receiver.example': ['127.0.0.1'], 'api.corp.example': ['127.0.0.1'], 'evil.example': ['169.254.169.254'] });
  const byName = agent({ allowedHosts: ['receiver.example', '*.corp.example', 'evil.example', '169.254.0.0/16'] }, { lookup: dns });
  assert.equal((await post(`http://receiver.example:${plain.port}/`, byName)).ok, true);
  assert.equal((await post(`http://api.corp.example:${plain.port}/`, byName)).ok, true);
  assert.equal((await post(`http://127.0.0.1:${plain.port}/`, byName)).error, 'ssrf-blocked', 'the name was allowed, not the address');
  assert.equal((await post('http://evil.example/', byName)).error, 'ssrf-blocked');
  assert.equal((await post('http://169.254.169.254/', byName)).error, 'ssrf-blocked');

  const byRange = agent({ allowedHosts: ['127.0.0.0/8'] });
  assert.equal((await post(`http://127.0.0.1:${plain.port}/`, byRange)).ok, true);
  assert.equal((await post(`http://localhost:${plain.port}/`, byRange)).ok, true);
});

test('deniedHosts block by address and by name, before any lookup', async () => {
  const dns = fakeDns({ 'blocked.example': ['127.0.0.1'] });
  const a = agent({ allowLoopback: true, deniedHosts: ['blocked.example', '127.0.0.0/30'] }, { lookup: dns });
  assert.equal((await post(`http://blocked.example:${plain.port}/`, a)).error, 'ssrf-blocked');
  assert.equal((await post(`http://127.0.0.1:${plain.port}/`, a)).error, 'ssrf-blocked');
  assert.deepEqual(dns.calls, []);
});

test('requireHttps is enforced by the connector too', async () => {
  const a = agent({ allowLoopback: true, requireHttps: true });
  assert.equal(await rawRequestError(`http://127.0.0.1:${plain.port}/`, a), 'ssrf-blocked');
  assert.equal((await post(`http://127.0.0.1:${plain.port}/`, a)).error, 'ssrf-blocked');
});

test('DNS failures and slow lookups are reported, not thrown', async () => {
  const missing = await post('http://no-such-host.example/', agent({}, { lookup: fakeDns({}) }));
  assert.equal(missing.error, 'dns');
  const empty = await post('http://empty.example/', agent({}, { lookup: fakeDns({ 'empty.example': [] }) }));
  assert.equal(empty.error, 'dns');
  const hanging: LookupAll = () => new Promise(() => {});
  const slow = await post('http://slow.example/', agent({}, { lookup: hanging, connectTimeoutMs: 200 }));
  assert.equal(slow.error, 'timeout');
  assert.ok(slow.durationMs >= 190, `connect deadline applies to DNS: ${slow.durationMs} ms`);
});

test('TLS: certificates are verified against the host name even though the socket dials the pinned IP', async () => {
  const url = `https://localhost:${secure.port}/`;
  const untrusted = await post(url, agent({ allowLoopback: true }));
  assert.equal(untrusted.error, 'tls', JSON.stringify(untrusted));

  const trusted = await post(url, agent({ allowLoopback: true }, { tls: { ca: TLS_CERT } }));
  assert.equal(trusted.ok, true, JSON.stringify(trusted));

  // The certificate names localhost and 127.0.0.1; under another name it must fail, which shows the
  // identity check uses the URL's name (SNI), not the pinned address.
  const dns = fakeDns({ 'other.example': ['127.0.0.1'] });
  const wrongName = await post(`https://other.example:${secure.port}/`, agent({ allowLoopback: true }, { tls: { ca: TLS_CERT }, lookup: dns }));
  assert.equal(wrongName.error, 'tls', JSON.stringify(wrongName));
});

test('TLS: self-signed certificates only with allowSelfSignedCertificates', async () => {
  const url = `https://127.0.0.1:${secure.port}/`;
  const allowed = await post(url, agent({ allowLoopback: true, allowSelfSignedCertificates: true }));
  assert.equal(allowed.ok, true, JSON.stringify(allowed));
  const declined = await post(url, agent({ allowLoopback: true, allowSelfSignedCertificates: true }, { acceptSelfSigned: false }));
  assert.equal(declined.error, 'tls');
});
