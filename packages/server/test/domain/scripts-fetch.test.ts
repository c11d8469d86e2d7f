/**
 * A script's fetch() through guardedScriptFetch (docs/integrations.md §9.3, docs/delivery.md §9): metadata and
 * link-local addresses are refused whatever the policy, loopback only when the policy allows it, and
 * the refusal reaches the script as an error it can catch or that is recorded as the call's error.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { outboundPolicy, type OutboundPolicyInput } from '../../src/domain/outbound-policy.js';
import type { LookupAll } from '../../src/outbound/ssrf.js';
import { compileScript, guardedScriptFetch, ScriptRunner, type GuardedScriptFetch, type SandboxLimits } from '../../src/scripts/index.js';

const server = createServer((req, res) => {
  let body = '';
  req.on('data', (c: Buffer) => (body += c.toString()));
  req.on('end', () => {
    if (req.url === '/redirect-to-metadata') return void res.writeHead(302, { location: 'http://169.254.169.254/latest/meta-data/' }).end();
    if (req.url === '/redirect-home') return void res.writeHead(301, { location: '/json' }).end();
    if (req.url === '/big') return void res.writeHead(200).end('z'.repeat(5000));
    res.writeHead(200, { 'content-type': 'application/json', 'x-seen-method': req.method ?? '' });
    res.end(JSON.stringify({ method: req.method, url: req.url, body, ua: req.headers['user-agent'], token: req.headers['x-token'] ?? null }));
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

const cleanups: Array<() => unknown> = [];
after(async () => {
  for (const c of cleanups) await c();
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

function fetcher(policy: OutboundPolicyInput, extra: { lookup?: LookupAll; maxBytes?: number } = {}): GuardedScriptFetch {
  const f = guardedScriptFetch({ policy: outboundPolicy(policy), ...extra });
  cleanups.push(() => f.close());
  return f;
}

async function runner(source: string, fetch: GuardedScriptFetch, limits: Partial<SandboxLimits> = {}): Promise<ScriptRunner> {
  const compiled = await compileScript(source);
  if (!compiled.ok) throw new Error(compiled.error.stack);
  const r = new ScriptRunner(compiled.compiled, { fetch, limits: { callMs: 1000, wallMs: 5000, ...limits } });
  cleanups.push(() => r.dispose());
  return r;
}

// Tries each URL and reports, per URL, the status or the error message.
const PROBE = `class Script {
  async process_incoming_request({ request }) {
    const out = {};
    for (const url of request.content.urls) {
      try {
        const res = await fetch(url, { method: 'POST', headers: { 'X-Token': 'abc' }, body: { hello: 'world' } });
        out[url] = { status: res.status, ok: res.ok, json: await res.json(), header: res.headers['x-seen-method'] };
      } catch (e) {
        console.error('fetch failed', e.message);
        out[url] = e.name + ': ' + e.message;
      }
    }
    return { content: out };
  }
}`;

test('a loopback receiver is reachable only when the policy allows loopback', async () => {
  const allowed = await runner(PROBE, fetcher({ allowLoopback: true }));
  const url = `${base}/json`;
  const res = await allowed.call('process_incoming_request', { request: { content: { urls: [url] } } });
  assert.ok(res.ok, JSON.stringify(res));
  const got = (res.result as { content: Record<string, { status: number; ok: boolean; json: Record<string, unknown>; header: string }> }).content[url]!;
  assert.equal(got.status, 200);
  assert.equal(got.ok, true);
  assert.equal(got.header, 'POST');
  assert.deepEqual(got.json, { method: 'POST', url: '/json', body: '{"hello":"world"}', ua: got.json.ua, token: 'abc' });
  assert.match(String(got.json.ua), /^Switchboard\//);

  const closed = await runner(PROBE, fetcher({}));
  const refused = await closed.call('process_incoming_request', { request: { content: { urls: [url] } } });
  assert.ok(refused.ok);
  assert.match((refused.result as { content: Record<string, string> }).content[url]!, /^FetchError: fetch blocked/);
  assert.match(refused.console[0]!.text, /fetch failed fetch blocked/, 'the refusal is in the console record too');
});

test('metadata and link-local addresses are refused even with loopback and private networks allowed', async () => {
  const wideOpen = fetcher(
    { allowLoopback: true, allowPrivateNetworks: true },
    // a host name that resolves to the metadata address: only the connect-time guard can catch it
    {
      lookup: async (host) =>
        host === 'sneaky.example' ? [{ address: '169.254.169.254', family: 4 }] : host === 'sneaky6.example' ? [{ address: 'fd00:ec2::254', family: 6 }] : [],
    },
  );
  const r = await runner(PROBE, wideOpen);
  const urls = [
    'http://169.254.169.254/latest/meta-data/',
    'http://169.254.170.2/v2/credentials',
    'http://[fe80::1]/',
    'http://[fd00:ec2::254]/',
    'http://100.100.100.200/latest/meta-data/',
    'http://metadata.google.internal/computeMetadata/v1/',
    'http://sneaky.example/latest/meta-data/',
    'http://sneaky6.example/',
    `${base}/redirect-to-metadata`,
  ];
  const res = await r.call('process_incoming_request', { request: { content: { urls } } });
  assert.ok(res.ok, JSON.stringify(res));
  const out = (res.result as { content: Record<string, unknown> }).content;
  for (const url of urls) assert.match(String(out[url]), /^FetchError: fetch blocked/, url);
  assert.equal(res.console.length, urls.length);
});

test('a refused fetch the script does not catch is the call error', async () => {
  const r = await runner(`class Script { async process_incoming_request() { await fetch('http://169.254.169.254/'); return { content: { text: 'leaked' } } } }`, fetcher({}));
  const res = await r.call('process_incoming_request', { request: {} });
  assert.equal(res.ok, false);
  if (!res.ok) {
    assert.equal(res.error.kind, 'exception');
    assert.equal(res.error.name, 'FetchError');
    assert.match(res.error.message, /fetch blocked: 169\.254\.169\.254/);
  }
});

test('redirects are followed through the same checks; size cap; bad input is refused', async () => {
  const f = fetcher({ allowLoopback: true }, { maxBytes: 1000 });
  const followed = await f(`${base}/redirect-home`, { method: 'GET' });
  assert.equal(followed.status, 200);
  assert.equal(JSON.parse(followed.body).url, '/json');
  assert.equal(followed.statusText, 'OK');
  await assert.rejects(f(`${base}/big`, {}), /larger than 1000 bytes/);
  await assert.rejects(f('ftp://example.com/', {}), /fetch: the url must use http or https/);
  await assert.rejects(f('not a url', {}), /fetch: the url/);
  await assert.rejects(f(`${base}/json`, { method: 'CONNECT' }), /not allowed/);
  await assert.rejects(f('http://user:pw@example.com/', {}), /user name or password/);
});
