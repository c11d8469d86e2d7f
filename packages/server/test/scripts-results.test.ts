/**
 * What script results mean (integrations.md §7.4 step 3, §8.6 step 3, §8.8), and ScriptCache's
 * life cycle of runners (§7.7: one Script instance until the script changes).
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import {
  compileScript,
  interpretIncomingResult,
  interpretPrepareOutgoing,
  interpretProcessOutgoingResponse,
  MAX_OUTGOING_TIMEOUT_MS,
  ScriptCache,
} from '../src/scripts/index.js';

test('incoming: falsy → ignore, {error} → 400 body, {content} → message with response and user', () => {
  for (const falsy of [undefined, null, false, 0, '']) assert.deepEqual(interpretIncomingResult(falsy), { kind: 'ignore' });
  assert.deepEqual(interpretIncomingResult({ error: 'nope' }), { kind: 'error', body: { success: false, error: 'nope' } });
  assert.deepEqual(interpretIncomingResult({ error: { message: 'bad', code: 7, success: true } }), {
    kind: 'error',
    body: { message: 'bad', code: 7, success: false },
  });
  assert.deepEqual(interpretIncomingResult({ content: { text: 'hi', channel: '#x' } }), { kind: 'message', content: { text: 'hi', channel: '#x' } });
  assert.deepEqual(interpretIncomingResult({ content: { text: 'hi' }, response: { custom: 1 }, user: { username: 'bot', extra: 1 } }), {
    kind: 'message',
    content: { text: 'hi' },
    response: { custom: 1 },
    user: { username: 'bot' },
  });
  assert.deepEqual(interpretIncomingResult({ content: { text: 'hi' }, user: { name: 'no id' } }), { kind: 'message', content: { text: 'hi' } });
  // truthy without content posts nothing; a response still becomes the body
  assert.deepEqual(interpretIncomingResult({ response: { accepted: true } }), { kind: 'ignore', response: { accepted: true } });
  assert.deepEqual(interpretIncomingResult({ content: 'not an object' }), { kind: 'ignore' });
  assert.deepEqual(interpretIncomingResult(true), { kind: 'ignore' });
  assert.deepEqual(interpretIncomingResult({ error: '', content: { text: 'x' } }), { kind: 'message', content: { text: 'x' } });
});

test('prepare_outgoing_request: cancel, message-only stop, the request, auth', () => {
  assert.deepEqual(interpretPrepareOutgoing(undefined), { kind: 'cancel' });
  assert.deepEqual(interpretPrepareOutgoing(null), { kind: 'cancel' });
  assert.deepEqual(interpretPrepareOutgoing({ message: { text: 'help' } }), { kind: 'stop', message: { text: 'help' } });
  assert.deepEqual(interpretPrepareOutgoing({ url: 'https://x.test' }), { kind: 'stop' });
  assert.deepEqual(interpretPrepareOutgoing({ url: 'https://x.test/a', method: 'post', headers: { 'X-A': 'b', n: 1, bad: {} }, data: { q: 1 }, timeout: 60_000 }), {
    kind: 'request',
    request: { url: 'https://x.test/a', method: 'POST', headers: { 'X-A': 'b', n: '1' }, data: { q: 1 }, timeoutMs: MAX_OUTGOING_TIMEOUT_MS },
  });
  assert.deepEqual(interpretPrepareOutgoing({ url: 'https://x.test', method: 'GET', auth: 'user:pa:ss', headers: { authorization: 'old' }, message: { text: 'first' } }), {
    kind: 'request',
    message: { text: 'first' },
    request: { url: 'https://x.test', method: 'GET', headers: { Authorization: `Basic ${Buffer.from('user:pa:ss').toString('base64')}` } },
  });
  assert.deepEqual(interpretPrepareOutgoing({ url: 'https://x.test', method: 'GET', auth: 'nocolon' }), { kind: 'invalid-auth' });
  assert.deepEqual(interpretPrepareOutgoing({ url: 'https://x.test', method: 'GET', auth: 'nocolon', message: { text: 'm' } }), {
    kind: 'invalid-auth',
    message: { text: 'm' },
  });
});

test('process_outgoing_response: {content} posts, false stops, anything else continues', () => {
  assert.deepEqual(interpretProcessOutgoingResponse({ content: { text: 'reply' } }), { kind: 'post', content: { text: 'reply' } });
  assert.deepEqual(interpretProcessOutgoingResponse(false), { kind: 'stop' });
  for (const other of [undefined, null, 0, '', true, {}, { content: 'x' }, []]) {
    assert.deepEqual(interpretProcessOutgoingResponse(other), { kind: 'continue' }, JSON.stringify(other));
  }
});

const cache = new ScriptCache({ limits: { callMs: 500, wallMs: 2000 }, maxRunners: 2 });
after(() => cache.clear());

test('ScriptCache: one runner per integration and version; edits and removal reset Store; LRU cap', async () => {
  const compiled = await compileScript(`class Script { count() { return Store.set('n', (Store.get('n') || 0) + 1) } }`);
  assert.ok(compiled.ok);
  const count = async (id: string, version: string) => {
    const r = await cache.get(id, compiled.compiled, version).call('count', {});
    assert.ok(r.ok, JSON.stringify(r));
    return r.result;
  };
  assert.equal(await count('a', 'v1'), 1);
  assert.equal(await count('a', 'v1'), 2);
  assert.equal(cache.get('a', compiled.compiled, 'v1'), cache.get('a', compiled.compiled, 'v1'));
  assert.equal(await count('a', 'v2'), 1, 'an edit (new version) starts a fresh Store');
  assert.equal(await count('b', 'v1'), 1);
  cache.delete('b');
  assert.equal(await count('b', 'v1'), 1, 'a removed integration starts over');

  const b = cache.get('b', compiled.compiled, 'v1');
  const a = cache.get('a', compiled.compiled, 'v2'); // used last
  assert.equal(cache.size, 2);
  cache.get('c', compiled.compiled, 'v1'); // over the cap: the least recently used idle runner goes
  assert.equal(cache.size, 2);
  await assert.rejects(b.call('count', {}), /disposed/);
  assert.equal((await a.call('count', {})).ok, true);
});

test('ScriptCache: an edit lets the call already running on the old script finish', async () => {
  const slow = await compileScript(`class Script { async m() { await new Promise((resolve) => resolve()); let x = 0; for (let i = 0; i < 1e5; i++) x += i; return 'old' } }`);
  const fresh = await compileScript(`class Script { m() { return 'new' } }`);
  assert.ok(slow.ok && fresh.ok);
  const running = cache.get('edit', slow.compiled).call('m', {});
  const next = cache.get('edit', fresh.compiled);
  const [before, after] = await Promise.all([running, next.call('m', {})]);
  assert.deepEqual([before.ok && before.result, after.ok && after.result], ['old', 'new']);
});
