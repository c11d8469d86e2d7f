/**
 * One outbound POST attempt (docs/delivery.md §3) against real receivers on 127.0.0.1: request shape,
 * success by status, redirects not followed, the per-attempt timeout closing the socket, the body
 * cap, failures reported rather than thrown, and Retry-After parsing.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { outboundPolicy } from '../../src/domain/outbound-policy.js';
import { GuardedAgent, type LookupAll } from '../../src/outbound/ssrf.js';
import { appRequestHeaders,  standardWebhookSecretForApp, verifyPumbleSignature } from '../../src/outbound/signing.js';
import { Webhook } from 'standardwebhooks';
import { ATTEMPT_LIMITS, USER_AGENT, parseRetryAfter, postJson, type PostOptions } from '../../src/outbound/http-post.js';
import { newDeliveryId } from '../../src/domain/ids.js';

interface Hit {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: string;
}

interface Receiver {
  url: string;
  hits: Hit[];
  sockets: Socket[];
  close(): Promise<void>;
}

const receivers: Receiver[] = [];
const agents: GuardedAgent[] = [];
after(async () => {
  await Promise.allSettled(agents.map((a) => a.destroy()));
  await Promise.allSettled(receivers.map((r) => r.close()));
});

/** A receiver on 127.0.0.1 that records each request (with its whole body) and answers with `handler`. */
async function receiver(handler: (req: IncomingMessage, res: ServerResponse, hit: Hit) => void): Promise<Receiver> {
  const hits: Hit[] = [];
  const sockets: Socket[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const hit = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      hits.push(hit);
      handler(req, res, hit);
    });
  });
  server.on('connection', (s) => sockets.push(s));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const r: Receiver = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    sockets,
    close: () => new Promise<void>((resolve) => (server.closeAllConnections(), server.close(() => resolve()))),
  };
  receivers.push(r);
  return r;
}

function options(overrides: Partial<PostOptions> & { lookup?: LookupAll } = {}): PostOptions {
  const { lookup, ...rest } = overrides;
  const agent = new GuardedAgent({ policy: outboundPolicy({ allowLoopback: true }), ...(lookup && { lookup }) });
  agents.push(agent);
  return { agent, ...ATTEMPT_LIMITS.event, ...rest };
}

const closedWithin = (socket: Socket, ms: number) =>
  new Promise<boolean>((resolve) => {
    if (socket.destroyed) return resolve(true);
    const timer = setTimeout(() => resolve(false), ms);
    socket.once('close', () => (clearTimeout(timer), resolve(true)));
  });

test('the request: POST, JSON content type, Switchboard user agent, caller headers, the exact body', async () => {
  const r = await receiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'retry-after': '7', 'content-length': '6' }).end('thanks'));
  const body = JSON.stringify({ text: 'héllo ✓ 🚀', n: 1 });
  const result = await postJson(`${r.url}/hook?x=1`, body, { 'Webhook-Id': 'msg_1', 'content-type': 'text/plain', 'x-extra': 'yes', Cookie: 'a=b', Host: 'elsewhere.example', 'Content-Length': '1' }, options());

  assert.equal(result.ok, true);
  assert.equal(result.status, 200);
  assert.equal(result.body, 'thanks');
  assert.equal(result.error, undefined);
  assert.equal(result.tooLarge, false);
  assert.deepEqual(result.headers, { 'content-type': 'text/plain', 'retry-after': '7', 'content-length': '6' });
  assert.ok(result.durationMs >= 0);

  const [hit] = r.hits;
  assert.ok(hit);
  assert.equal(hit.method, 'POST');
  assert.equal(hit.url, '/hook?x=1');
  assert.equal(hit.body, body, 'byte-identical UTF-8 body');
  assert.equal(hit.headers['content-type'], 'application/json', 'the contract content type wins over a caller header');
  const version = (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  assert.equal(hit.headers['user-agent'], `Switchboard/${version}`);
  assert.equal(USER_AGENT, `Switchboard/${version}`);
  assert.equal(hit.headers['webhook-id'], 'msg_1');
  assert.equal(hit.headers['x-extra'], 'yes');
  assert.equal(hit.headers['content-length'], String(Buffer.byteLength(body)));
  assert.equal(hit.headers.cookie, undefined, 'no cookies (§3)');
  assert.equal(hit.headers.host, new URL(r.url).host);
});

test('a signed app request verifies at the receiver, over the raw body as received', async () => {
  const secret = 'receiver-test-secret';
  const r = await receiver((_req, res) => res.writeHead(200).end());
  const body = JSON.stringify({ messageType: 'PUMBLE_EVENT', body: { tx: 'ünïcödé' } });
  const headers = appRequestHeaders({ deliveryId: newDeliveryId(), body, signingSecret: secret });
  const result = await postJson(r.url, body, { ...headers, 'switchboard-delivery-attempt': '1' }, options());
  assert.equal(result.ok, true);
  const hit = r.hits[0]!;
  const received = Object.fromEntries(Object.entries(hit.headers).map(([k, v]) => [k, String(v)]));
  assert.doesNotThrow(() => new Webhook(standardWebhookSecretForApp(secret)).verify(hit.body, received));
  assert.deepEqual(verifyPumbleSignature(hit.headers, hit.body, secret), { ok: true });
  assert.equal(hit.headers['switchboard-delivery-attempt'], '1');
});

test('success is any 2xx; any other status is a failure with the status recorded', async () => {
  for (const status of [200, 201, 202, 204, 299]) {
    const r = await receiver((_req, res) => res.writeHead(status).end());
    const result = await postJson(r.url, '{}', {}, options());
    assert.equal(result.ok, true, `status ${status}`);
    assert.equal(result.status, status);
  }
  for (const status of [400, 403, 410, 429, 500, 503]) {
    const r = await receiver((_req, res) => res.writeHead(status, { 'retry-after': '30' }).end(`status ${status}`));
    const result = await postJson(r.url, '{}', {}, options());
    assert.equal(result.ok, false, `status ${status}`);
    assert.equal(result.status, status);
    assert.equal(result.error, undefined, 'an answer is not a network error');
    assert.equal(result.body, `status ${status}`);
    assert.equal(result.headers['retry-after'], '30');
  }
});

test('redirects are never followed: a 3xx is a failure and its target is never hit', async () => {
  const target = await receiver((_req, res) => res.writeHead(200).end('reached'));
  for (const status of [301, 302, 303, 307, 308]) {
    const redirector = await receiver((_req, res) => res.writeHead(status, { location: `${target.url}/landing` }).end());
    const result = await postJson(`${redirector.url}/start`, '{}', {}, options());
    assert.equal(result.ok, false, `status ${status}`);
    assert.equal(result.status, status);
    assert.equal(redirector.hits.length, 1);
  }
  await new Promise((resolve) => setTimeout(resolve, 100));
  assert.equal(target.hits.length, 0, 'no redirect was followed');
});

test('an answer that never comes times out within the limit, and the socket is closed', async () => {
  const r = await receiver(() => {}); // reads the request, never answers
  const result = await postJson(r.url, '{}', {}, options({ timeoutMs: 300 }));
  assert.equal(result.ok, false);
  assert.equal(result.error, 'timeout');
  assert.equal(result.status, undefined);
  assert.ok(result.durationMs >= 290, `took ${result.durationMs} ms`);
  assert.equal(r.hits.length, 1);
  const [socket] = r.sockets;
  assert.ok(socket);
  assert.equal(await closedWithin(socket, 1000), true, 'the connection was aborted');
});

test('a body that trickles past the deadline times out too, status notwithstanding', async () => {
  const r = await receiver((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write('{"partial":'); // and nothing more
  });
  const result = await postJson(r.url, '{}', {}, options({ timeoutMs: 300 }));
  assert.equal(result.error, 'timeout');
  assert.equal(result.ok, false, 'the total covers reading the body');
  assert.equal(result.status, 200);
  assert.equal(await closedWithin(r.sockets[0]!, 1000), true);
});

test('the body is read up to the cap only; the status still decides', async () => {
  const big = 'x'.repeat(100 * 1024);
  const r = await receiver((_req, res) => res.writeHead(200, { 'content-type': 'text/plain', 'content-length': String(big.length) }).end(big));
  const result = await postJson(r.url, '{}', {}, options({ maxBodyBytes: 64 * 1024 }));
  assert.equal(result.ok, true);
  assert.equal(result.status, 200);
  assert.equal(result.tooLarge, true);
  assert.equal(result.error, 'too-large');
  assert.equal(result.body.length, 64 * 1024);
  assert.equal(result.headers['content-length'], String(big.length));

  const failing = await receiver((_req, res) => res.writeHead(500).end(big));
  const failed = await postJson(failing.url, '{}', {}, options({ maxBodyBytes: 1024 }));
  assert.equal(failed.ok, false);
  assert.equal(failed.status, 500);
  assert.equal(failed.tooLarge, true);
  assert.equal(failed.body.length, 1024);

  const exact = await receiver((_req, res) => res.writeHead(200).end('y'.repeat(1024)));
  const fits = await postJson(exact.url, '{}', {}, options({ maxBodyBytes: 1024 }));
  assert.equal(fits.tooLarge, false, 'exactly the cap is not too large');
  assert.equal(fits.body.length, 1024);
});

test('an endless body stops being read at the cap and the connection is closed', async () => {
  const r = await receiver((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    const chunk = Buffer.alloc(16 * 1024, 'z');
    const pump = () => {
      while (!res.destroyed && res.write(chunk));
      if (!res.destroyed) res.once('drain', pump);
    };
    pump();
  });
  const result = await postJson(r.url, '{}', {}, options({ maxBodyBytes: 64 * 1024, timeoutMs: 5000 }));
  assert.equal(result.ok, true);
  assert.equal(result.tooLarge, true);
  assert.equal(result.body.length, 64 * 1024);
  assert.equal(result.error, 'too-large', 'stopped at the cap, not by the 5 s timeout');
  assert.equal(await closedWithin(r.sockets[0]!, 1000), true);
});

test('network failures are reported, never thrown', async () => {
  const gone = await receiver(() => {});
  await gone.close();
  const refused = await postJson(gone.url, '{}', {}, options());
  assert.equal(refused.ok, false);
  assert.equal(refused.error, 'connect');
  assert.ok(refused.errorMessage);

  const reset = await receiver((req) => req.socket.destroy());
  assert.equal((await postJson(reset.url, '{}', {}, options())).error, 'connect');

  const dns = await postJson('http://missing.example/', '{}', {}, options({ lookup: async () => Promise.reject(Object.assign(new Error('nope'), { code: 'ENOTFOUND' })) }));
  assert.equal(dns.error, 'dns');

  for (const url of ['not a url', 'ftp://example.com/', '/relative', 'https://u:p@example.com/']) {
    const result = await postJson(url, '{}', {}, options());
    assert.equal(result.error, 'invalid-url', url);
    assert.equal(result.ok, false);
  }
  assert.equal((await postJson('http://169.254.169.254/', '{}', {}, options())).error, 'ssrf-blocked');
});

test('the per-class limits match docs/delivery.md §3', () => {
  assert.deepEqual(ATTEMPT_LIMITS.trigger, { timeoutMs: 3000, maxBodyBytes: 1024 * 1024 });
  assert.deepEqual(ATTEMPT_LIMITS.event, { timeoutMs: 15000, maxBodyBytes: 64 * 1024 });
  assert.deepEqual(ATTEMPT_LIMITS.outgoingWebhook, { timeoutMs: 15000, maxBodyBytes: 10 * 1024 * 1024 });
});

test('parseRetryAfter: delta-seconds or an HTTP date, as a delay in ms', () => {
  const now = Date.parse('2026-03-01T12:00:00Z');
  assert.equal(parseRetryAfter('120', now), 120_000);
  assert.equal(parseRetryAfter(' 0 ', now), 0);
  assert.equal(parseRetryAfter('Sun, 01 Mar 2026 12:00:30 GMT', now), 30_000);
  assert.equal(parseRetryAfter('Sunday, 01-Mar-26 12:01:00 GMT', now), 60_000, 'RFC 850 form');
  assert.equal(parseRetryAfter('Sun Mar  1 12:00:05 2026', now), 5_000, 'asctime form, which means GMT');
  assert.equal(parseRetryAfter('Sat, 28 Feb 2026 12:00:00 GMT', now), 0, 'a date in the past means now');
  for (const bad of [undefined, null, '', 'soon', '-5', '1.5', '2026-03-01T12:00:30Z', '12 apples']) {
    assert.equal(parseRetryAfter(bad, now), undefined, String(bad));
  }
});
