/**
 * Outgoing scripts in the real sandbox (docs/integrations.md §8.6 step 3, §8.8, §9.4; §12.3 #21–#28,
 * #31–#32): `prepare_outgoing_request` shaping or cancelling the call, `process_outgoing_response`
 * taking over the answer, errors and compile failures failing closed, console output in history.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { bodyOf, deliveriesOf, finishedHistory, hitsUntil, messagesIn, newRoom, postMessage, receiver, scopedOutgoing, settleAt, startEnv, until, type Answer, type Env } from '../support/outgoing-webhooks-fixtures.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.s.close();
});

/** A fresh room with one scripted integration listening to it, and its receiver. */
async function scripted(t: TestContext, script: string, answer: (path: string) => Answer = () => ({ status: 200 }), extra: Record<string, unknown> = {}) {
  const room = await newRoom(env, 'scripts');
  const r = await receiver((h) => answer(h.path));
  const doc: IntegrationDoc = await scopedOutgoing(env, t, { channel: `#${room.name}`, urls: [`${r.url}/hook`], scriptEnabled: true, script, ...extra });
  return { room, r, doc };
}

async function fire(room: { id: string }, integrationId: string, text = 'trigger') {
  await postMessage(env.s.owner, room.id, text);
  const [h] = await finishedHistory(env, integrationId);
  return h!.record;
}

const replies = async (roomId: string) => (await messagesIn(env, roomId)).filter((m) => m.bot).map((m) => m.text);

test('#21 prepare returning nothing cancels the call (after-prepare-no-opts); the delivery is cancelled', async (t) => {
  const { room, r, doc } = await scripted(t, 'class Script { prepare_outgoing_request() { return undefined } }');
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'after-prepare-no-opts');
  assert.equal(rec.ranPrepareScript, true);
  assert.equal('url' in rec, false);
  await settleAt(r, 0, 200);
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds[0]?.status === 'cancelled' ? ds : undefined;
  });
  assert.deepEqual(d!.attempts, []);
});

test('#22 prepare {message} is posted before the call; #24 without url or method it stops there', async (t) => {
  const withCall = await scripted(
    t,
    `class Script { prepare_outgoing_request({ request }) { return { ...request, message: { text: 'working on: ' + request.data.text } } } }`,
    () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'done' }) }),
  );
  const rec = await fire(withCall.room, withCall.doc._id, 'a task');
  assert.equal(rec.step, 'url-response-sent-message');
  assert.equal((rec.prepareSentMessage as unknown[]).length, 1);
  await hitsUntil(withCall.r, 1);
  // Newest first: the reply to the answer came after the prepare message.
  assert.deepEqual(await replies(withCall.room.id), ['done', 'working on: a task']);

  const noCall = await scripted(t, `class Script { prepare_outgoing_request() { return { message: { text: 'help text only' } } } }`);
  const rec2 = await fire(noCall.room, noCall.doc._id);
  assert.equal(rec2.step, 'after-prepare-no-url_or_method');
  assert.deepEqual(await replies(noCall.room.id), ['help text only']);
  await settleAt(noCall.r, 0, 200);
});

test('#23 a prepare message that cannot be posted stops everything', async (t) => {
  const { room, r, doc } = await scripted(t, `class Script { prepare_outgoing_request({ request }) { return { ...request, message: { text: 'x', channel: '#no-such-room' } } } }`);
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'after-prepare-send-message-failed');
  assert.equal(rec.error, 'invalid-channel');
  await settleAt(r, 0, 200);
});

test('#25 a throwing script is recorded with its stack and makes no call; console output is kept', async (t) => {
  const { room, r, doc } = await scripted(t, `class Script { prepare_outgoing_request() { console.log('about to fail'); throw new Error('prepare broke') } }`);
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'execute-script-error-running-prepare_outgoing_request');
  assert.equal(rec.error, true);
  assert.match(String(rec.errorStack), /prepare broke/);
  assert.deepEqual(rec.consoleOutput, ['[log] about to fail']);
  await settleAt(r, 0, 200);
});

test('a script that does not compile fails closed: no call (execute-script-not-compiled)', async (t) => {
  const { room, r, doc } = await scripted(t, 'class Script { prepare_outgoing_request( {');
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'execute-script-not-compiled');
  assert.equal(rec.error, 'error-invalid-script');
  await settleAt(r, 0, 200);
});

test('#26 auth without a colon: invalid-auth, no call; #27 user:pass becomes Basic auth', async (t) => {
  const bad = await scripted(t, `class Script { prepare_outgoing_request({ request }) { return { ...request, auth: 'nocolon' } } }`);
  const rec = await fire(bad.room, bad.doc._id);
  assert.equal(rec.error, 'invalid-auth');
  assert.equal(rec.step, 'pre-http-call');
  await settleAt(bad.r, 0, 200);

  const good = await scripted(t, `class Script { prepare_outgoing_request({ request }) { return { ...request, auth: 'user:pa:ss' } } }`);
  await fire(good.room, good.doc._id);
  const [hit] = await hitsUntil(good.r, 1);
  assert.equal(hit!.headers.authorization, `Basic ${Buffer.from('user:pa:ss').toString('base64')}`);
  // The delivery log never shows it.
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, good.doc._id);
    return ds[0]?.attempts.length ? ds : undefined;
  });
  assert.equal(d!.attempts[0]!.requestHeaders.authorization, '[redacted]');
});

test('#28 the request as the script shapes it: method, params, headers, JSON body with its type, no body without data; still signed', async (t) => {
  const { room, r, doc } = await scripted(
    t,
    `class Script { prepare_outgoing_request({ request }) {
       if (request.data.text === 'get') return { url: request.url, method: 'GET', params: { q: 'a b' }, headers: { 'X-Custom': 'yes' } }
       return { ...request, method: 'PUT', data: { wrapped: request.data.text } }
     } }`,
  );
  await postMessage(env.s.owner, room.id, 'get');
  await postMessage(env.s.owner, room.id, 'put');
  await hitsUntil(r, 2);
  const get = r.hits.find((h) => h.path.startsWith('/hook?'))!;
  assert.equal(get.path, '/hook?q=a+b');
  assert.equal(get.headers['x-custom'], 'yes');
  assert.equal(get.headers['content-type'], undefined);
  assert.equal(get.body, '');
  assert.ok(get.headers['webhook-signature']);
  const put = r.hits.find((h) => h.path === '/hook')!;
  assert.deepEqual(bodyOf(put), { wrapped: 'put' });
  assert.equal(put.headers['content-type'], 'application/json');
  const { Webhook } = await import('standardwebhooks');
  new Webhook(doc.webhookSecret!).verify(put.body, put.headers as Record<string, string>);
  new Webhook(doc.webhookSecret!).verify('', get.headers as Record<string, string>);
});

test('#28 a script timeout is honoured (the call is aborted and recorded as timeout)', async (t) => {
  const { room, doc } = await scripted(t, `class Script { prepare_outgoing_request({ request }) { return { ...request, timeout: 300 } } }`, () => ({ status: 200, delayMs: 3000 }));
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'failed-and-not-configured-to-retry');
  assert.equal((rec.httpError as { error: string }).error, 'timeout');
});

test('#31 process {content} is posted and ends the handling; #32 false stops it (no reply from the answer)', async (t) => {
  const post = await scripted(
    t,
    `class Script { process_outgoing_response({ request, response }) { return { content: { text: 'status ' + response.status_code + ': ' + response.content } } } }`,
    () => ({ status: 200, headers: { 'content-type': 'text/plain' }, body: 'raw answer' }),
  );
  const rec = await fire(post.room, post.doc._id);
  assert.equal(rec.step, 'after-process-send-message');
  assert.deepEqual(await replies(post.room.id), ['status 200: raw answer']);

  const stop = await scripted(t, `class Script { process_outgoing_response() { return false } }`, () => ({
    status: 200,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ text: 'would be a reply' }),
  }));
  const rec2 = await fire(stop.room, stop.doc._id);
  assert.equal(rec2.step, 'after-process-false-result');
  assert.deepEqual(await replies(stop.room.id), []);
});

test('a process script that takes over a 410 keeps the integration enabled', async (t) => {
  const { room, doc } = await scripted(t, `class Script { process_outgoing_response() { return false } }`, () => ({ status: 410 }));
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'after-process-false-result');
  await until(async () => ((await deliveriesOf(env, doc._id))[0]?.status === 'failed' ? true : undefined));
  assert.equal((await env.s.sb.store.integrations.get(env.s.workspaceId, doc._id))!.enabled, true);
});

test('a prepare script cannot send the call to the metadata address (ssrf-blocked)', async (t) => {
  const { room, r, doc } = await scripted(t, `class Script { prepare_outgoing_request({ request }) { return { ...request, url: 'http://169.254.169.254/latest/meta-data/' } } }`);
  const rec = await fire(room, doc._id);
  assert.equal(rec.step, 'ssrf-blocked');
  await settleAt(r, 0, 200);
});
