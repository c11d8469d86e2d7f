/**
 * Slow clients cannot hold connections (issue #10, item 6): the headers must arrive within
 * headersTimeoutMs, and an idle keep-alive connection is closed after keepAliveTimeoutMs.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { loadConfig } from '../../src/config.js';
import { startTestServer, type TestServer } from '../support/helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer({ http: { headersTimeoutMs: 1000, requestTimeoutMs: 5000, keepAliveTimeoutMs: 500, idleSocketTimeoutMs: 60_000 } });
});
after(() => s.close());

async function open(): Promise<{ socket: Socket; received: () => string; closed: Promise<void> }> {
  const { port } = new URL(s.url);
  const socket = connect(Number(port), '127.0.0.1');
  await new Promise<void>((r) => socket.once('connect', () => r()));
  let data = '';
  socket.on('data', (d) => (data += d));
  socket.on('error', () => undefined);
  const closed = new Promise<void>((r) => socket.once('close', () => r()));
  return { socket, received: () => data, closed };
}

test('the defaults are set on purpose: headers in 10 s, idle keep-alive 5 s, a request in 5 minutes', () => {
  const c = loadConfig({});
  assert.deepEqual(c.http, { headersTimeoutMs: 10_000, requestTimeoutMs: 300_000, keepAliveTimeoutMs: 5_000, idleSocketTimeoutMs: 60_000 });
  assert.equal(s.sb.app.server.headersTimeout, 1000);
  assert.equal(s.sb.app.server.keepAliveTimeout, 500);
  assert.equal(s.sb.app.server.requestTimeout, 5000);
});

test('a slowloris client sending one header line at a time is cut with 408 before its headers end', async () => {
  const c = await open();
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n');
  let sent = 0;
  let cut = false;
  void c.closed.then(() => (cut = true));
  // Up to 100 lines, one every 200 ms: 20 s of trickling, far past the 1 s header deadline.
  while (!cut && sent < 100) {
    await new Promise((r) => setTimeout(r, 200));
    if (cut || c.socket.destroyed) break;
    c.socket.write(`X-Slow-${sent}: still coming\r\n`);
    sent += 1;
  }
  await c.closed;
  assert.ok(sent < 100, 'the server cut the connection while the headers were still arriving');
  assert.match(c.received(), /^HTTP\/1.1 408 Request Timeout/);
  assert.match(c.received(), /"code":408000/);
});

test('an idle keep-alive connection is closed by the server', async () => {
  const c = await open();
  c.socket.write('GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n');
  await c.closed; // the client never closes it: only the server's keep-alive deadline can
  assert.match(c.received(), /^HTTP\/1.1 200 OK/);
  assert.match(c.received(), /Keep-Alive: timeout=/i);
});
