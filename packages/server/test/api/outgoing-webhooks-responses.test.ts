/**
 * What Switchboard does with a receiver's answer (docs/integrations.md §8.6, §8.8, §8.9; §12.3 #14–#16,
 * #29–#38; docs/integrations.md §12.4): success for any 2xx, replies and where they go, 410 disabling the integration
 * and telling its creator, failures without retries, the SSRF guard, and what history keeps.
 */
import { test, before, after, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  deliveriesOf,
  finishedHistory,
  historyOf,
  hitsUntil,
  messagesIn,
  postMessage,
  receiver,
  newRoom,
  scopedOutgoing,
  settleAt,
  sleep,
  startEnv,
  until,
  type Answer,
  type Env,
} from '../support/outgoing-webhooks-fixtures.js';

let env: Env;
before(async () => {
  env = await startEnv();
});
after(async () => {
  await env.s.close();
});

const scoped = (t: TestContext, fields: Record<string, unknown>) => scopedOutgoing(env, t, fields);
const room = (withMember = false) => newRoom(env, 'resp', { withMember });

const json = (status: number, body: unknown, type = 'application/json'): Answer => ({ status, headers: { 'content-type': type }, body: JSON.stringify(body) });

/** One message → one call answered as told → the finished history record and the delivery. */
async function callOnce(t: TestContext, answer: Answer | ((n: number) => Answer), extra: Record<string, unknown> = {}) {
  const r0 = await room();
  let n = 0;
  const r = await receiver(() => (typeof answer === 'function' ? answer(++n) : answer));
  const doc = await scoped(t, { channel: `#${r0.name}`, urls: [`${r.url}/hook`], ...extra });
  await postMessage(env.s.owner, r0.id, 'ping');
  await hitsUntil(r, 1);
  const [h] = await finishedHistory(env, doc._id);
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds[0] && ds[0].status !== 'pending' ? ds : undefined;
  });
  return { room: r0, receiver: r, doc, history: h!.record, delivery: d! };
}

const botReplies = async (channelId: string) => (await messagesIn(env, channelId)).filter((m) => m.bot);

test('#30 any 2xx is success: an empty 200 and a 204 post nothing and are not retried', async (t) => {
  for (const answer of [{ status: 200 }, { status: 204 }, { status: 299 }]) {
    const { history, delivery, room: r0, receiver: r } = await callOnce(t, answer, { retryFailedCalls: true, retryCount: 3, retryDelay: 'powers-of-ten' });
    assert.equal(delivery.status, 'succeeded');
    assert.equal(delivery.attempts.length, 1);
    assert.equal(history.step, 'after-http-call');
    assert.equal(history.error, undefined);
    assert.deepEqual(await botReplies(r0.id), []);
    await settleAt(r, 1, 300);
  }
});

test('#33 201/202 answers with text or attachments are posted as replies, tagged with the integration; #34 other JSON is not', async (t) => {
  const a = await callOnce(t, json(201, { text: 'created reply' }));
  assert.equal(a.history.step, 'url-response-sent-message');
  const [reply] = await botReplies(a.room.id);
  assert.equal(reply!.text, 'created reply');
  assert.deepEqual(reply!.bot, { i: a.doc._id, hops: 1 });
  assert.equal(reply!.authorId, env.owner.id);
  assert.deepEqual((a.history.resultMessage as Array<{ channel: string; message: { _id: string } }>)[0]!.message._id, reply!.id);

  const b = await callOnce(t, json(202, { attachments: [{ title: 'only a card', text: 'card text' }] }));
  assert.equal(b.history.step, 'url-response-sent-message');
  assert.equal((await botReplies(b.room.id))[0]!.attachments!.length, 1);

  const c = await callOnce(t, json(200, { ok: true, message: 'not a reply' }));
  assert.equal(c.history.step, 'after-http-call');
  assert.deepEqual(await botReplies(c.room.id), []);
});

test('#29 only JSON/JavaScript types are parsed (charset allowed); bad JSON is tolerated', async (t) => {
  const parsed = await callOnce(t, json(200, { text: 'js reply' }, 'application/x-javascript; charset=utf-8'));
  assert.equal((await botReplies(parsed.room.id))[0]?.text, 'js reply');
  const plain = await callOnce(t, json(200, { text: 'plain text is no reply' }, 'text/plain'));
  assert.deepEqual(await botReplies(plain.room.id), []);
  assert.equal(plain.history.httpResult, '{"text":"plain text is no reply"}');
  const bad = await callOnce(t, { status: 200, headers: { 'content-type': 'application/json' }, body: '{"text": oops' });
  assert.equal(bad.delivery.status, 'succeeded');
  assert.equal(bad.history.step, 'after-http-call');
});

test('#15 reply destination: the answer\'s channel, else targetRoom, else the triggering room', async (t) => {
  const elsewhere = await room();
  const target = await room();
  const viaChannel = await callOnce(t, json(200, { text: 'to elsewhere', channel: `#${elsewhere.name}` }), { targetRoom: `#${target.name}` });
  assert.equal((await botReplies(elsewhere.id))[0]?.text, 'to elsewhere');
  assert.deepEqual(await botReplies(viaChannel.room.id), []);
  await callOnce(t, json(200, { text: 'to target' }), { targetRoom: `#${target.name}` });
  assert.equal((await botReplies(target.id)).map((m) => m.text).includes('to target'), true);
});

test('#14 reply user: the sender with impersonateUser, else the post-as user; with neither, nothing is posted and history says why', async (t) => {
  const r0 = await room(true);
  const r = await receiver(() => json(200, { text: 'as you' }));
  await scoped(t, { channel: `#${r0.name}`, urls: [`${r.url}/imp`], impersonateUser: true });
  await postMessage(env.member, r0.id, 'member speaks');
  const reply = await until(async () => (await botReplies(r0.id))[0]);
  assert.equal(reply.authorId, env.member.userId);
  assert.equal(reply.text, 'as you');

  // A post-as user that no longer exists (the document points at an unknown id).
  const gone = await callOnce(t, json(200, { text: 'nobody to say it' }), {});
  assert.equal(gone.history.step, 'url-response-sent-message');
  const orphan = await scoped(t, { channel: `#${gone.room.name}`, urls: [`${gone.receiver.url}/orphan`] });
  await env.s.sb.store.integrations.save(env.s.workspaceId, { ...orphan, userId: '0123456789abcdef01234567' });
  await postMessage(env.s.owner, gone.room.id, 'again');
  const [h] = await finishedHistory(env, orphan._id);
  assert.equal(h!.record.step, 'after-http-call-send-message-failed');
  assert.equal(h!.record.error, 'no-posting-user');
});

test('#16 a DM reply goes back to the DM (@<rid>) and is tagged bot {i}', async (t) => {
  const dm = await env.s.owner.post('/v1/channels/direct', { participantIds: [env.member.userId] });
  const dmId = dm.body.channel.id as string;
  const r = await receiver(() => json(200, { text: 'dm reply' }));
  const doc = await scoped(t, { channel: 'all_direct_messages', urls: [`${r.url}/dm`] });
  await postMessage(env.member, dmId, 'hello in private');
  const [h] = await finishedHistory(env, doc._id);
  assert.equal(h!.record.step, 'url-response-sent-message', JSON.stringify(h!.record));
  const reply = (await botReplies(dmId))[0]!;
  assert.equal(reply.text, 'dm reply');
  assert.deepEqual(reply.bot, { i: doc._id, hops: 1 });
});

test('#35 a 410 (any body) disables the integration, fails what is pending, and tells its creator by DM', async (t) => {
  const r0 = await room(true);
  const r = await receiver(() => ({ status: 410 }));
  // Post-as the member, so the notice is a DM from the member to the creator (the owner).
  const doc = await scoped(t, { channel: `#${r0.name}`, urls: [`${r.url}/gone`], username: env.memberUser.username, retryFailedCalls: true, retryCount: 5 });
  await postMessage(env.s.owner, r0.id, 'knock knock');
  await hitsUntil(r, 1);
  const disabled = await until(async () => {
    const d = await env.s.sb.store.integrations.get(env.s.workspaceId, doc._id);
    return d && !d.enabled ? d : undefined;
  });
  assert.equal(disabled.disabledReason, 'http-410');
  const [h] = await finishedHistory(env, doc._id);
  assert.equal(h!.record.step, 'after-process-http-status-410');
  const [d] = await deliveriesOf(env, doc._id);
  assert.equal(d!.status, 'failed');
  assert.equal(d!.reason, 'endpoint-gone');
  assert.equal(d!.attempts.length, 1);

  const notice = await until(async () => {
    const id = (await env.s.sb.core.channels.findDirect(env.owner, [env.memberUser.id]).catch(() => undefined))?.channel.id;
    if (!id) return undefined;
    return (await messagesIn(env, id)).find((m) => m.text.includes(doc.name));
  });
  assert.match(notice.text, /was disabled/);
  assert.match(notice.text, /410/);
  assert.equal(notice.authorId, env.memberUser.id);
  assert.equal(notice.bot?.i, doc._id);

  // Disabled: new messages are not delivered.
  await postMessage(env.s.owner, r0.id, 'still there?');
  await settleAt(r, 1, 500);

  // Re-enabled once the receiver is back: deliveries resume from a clean slate.
  r.respond = () => ({ status: 200 });
  const again = await env.s.sb.core.integrations.update(env.owner, { type: 'webhook-outgoing', integrationId: doc._id, enabled: true });
  assert.equal(again.disabledReason, undefined);
  await postMessage(env.s.owner, r0.id, 'back again');
  await hitsUntil(r, 2);
  await until(async () => ((await deliveriesOf(env, doc._id)).some((x) => x.status === 'succeeded') ? true : undefined));
});

test('#37 a 400 without retry settings: one attempt, failed-and-not-configured-to-retry; #36 a 500 likewise', async (t) => {
  for (const status of [400, 500]) {
    const { history, delivery, receiver: r } = await callOnce(t, json(status, { text: 'error text is not a reply' }));
    assert.equal(history.step, 'failed-and-not-configured-to-retry');
    assert.equal(history.error, true);
    assert.equal(delivery.status, 'failed');
    assert.equal(delivery.reason, 'exhausted');
    assert.equal(delivery.lastStatusCode, status);
    await settleAt(r, 1, 300);
  }
});

test('#38 a network error is recorded in httpError (and, without retries, not retried)', async (t) => {
  // A port that was just free: nothing listens there.
  const probe = createServer();
  await new Promise<void>((res) => probe.listen(0, '127.0.0.1', res));
  const port = (probe.address() as AddressInfo).port;
  await new Promise<void>((res) => probe.close(() => res()));
  const r0 = await room();
  const doc = await scoped(t, { channel: `#${r0.name}`, urls: [`http://127.0.0.1:${port}/nobody`] });
  await postMessage(env.s.owner, r0.id, 'hello?');
  const [h] = await finishedHistory(env, doc._id);
  assert.equal(h!.record.step, 'failed-and-not-configured-to-retry');
  assert.equal((h!.record.httpError as { error: string }).error, 'connect');
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds[0]?.status === 'failed' ? ds : undefined;
  });
  assert.equal(d!.attempts[0]!.error, 'connect');
});

test('SSRF guard: a URL to 169.254.169.254 is never called (ssrf-blocked), even with retries configured', async (t) => {
  const r0 = await room();
  const doc = await scoped(t, { channel: `#${r0.name}`, urls: ['http://metadata-stand-in.example/'], retryFailedCalls: true, retryCount: 3 });
  // The API refuses such a literal at save time (docs/delivery.md §9.6); the guard must hold at call time too.
  await env.s.sb.store.integrations.save(env.s.workspaceId, { ...doc, urls: ['http://169.254.169.254/latest/meta-data/'] });
  await postMessage(env.s.owner, r0.id, 'fetch me credentials');
  const [h] = await finishedHistory(env, doc._id);
  assert.equal(h!.record.step, 'ssrf-blocked');
  assert.equal(h!.record.error, 'ssrf-blocked');
  const [d] = await until(async () => {
    const ds = await deliveriesOf(env, doc._id);
    return ds[0]?.status === 'failed' ? ds : undefined;
  });
  assert.equal(d!.reason, 'ssrf-blocked');
  assert.equal(d!.attempts.length, 1);
  assert.equal(d!.attempts[0]!.error, 'ssrf-blocked');
  await sleep(300);
  assert.equal((await historyOf(env, doc._id)).length, 1);
});

test('history: the integration copy has no token, compiled script or webhook secret; payload tokens are redacted; the privacy switch keeps digests only', async (t) => {
  const open = await callOnce(t, json(200, { text: 'kept' }), { token: 'my-outgoing-token-1234' });
  const rec = open.history;
  const integration = rec.integration as Record<string, unknown>;
  for (const secret of ['token', 'scriptCompiled', 'webhookSecret']) assert.equal(secret in integration, false, secret);
  assert.equal(integration._id, open.doc._id);
  assert.equal((rec.data as Record<string, unknown>).token, '[redacted]');
  assert.equal((rec.data as Record<string, unknown>).text, 'ping');
  assert.doesNotMatch(JSON.stringify(rec), /my-outgoing-token-1234|whsec_/);
  assert.equal(rec.type, 'outgoing-webhook');
  assert.equal(rec.event, 'sendMessage');
  assert.equal(rec.deliveryId, open.delivery.id);
  assert.equal(rec.attempt, 1);
  assert.equal(rec.url, `${open.receiver.url}/hook`);
  assert.equal(rec.httpResult, '{"text":"kept"}');
  assert.equal(typeof rec._createdAt, 'string');

  const closed = await callOnce(t, json(200, { text: 'digest only' }), { storePayloadsInHistory: false });
  const data = closed.history.data as Record<string, unknown>;
  assert.deepEqual(Object.keys(data).sort(), ['sha256', 'size']);
  assert.deepEqual(Object.keys(closed.history.httpResult as object).sort(), ['sha256', 'size']);
  assert.doesNotMatch(JSON.stringify(closed.history), /ping|digest only/);
  // The delivery log drops the body once finished, as the switch says (docs/delivery.md §8).
  assert.equal((await env.s.sb.store.deliveries.delivery(closed.delivery.id))!.payload, null);

  const r0 = await room();
  const r = await receiver();
  const quiet = await scoped(t, { channel: `#${r0.name}`, urls: [`${r.url}/quiet`], historyEnabled: false });
  await postMessage(env.s.owner, r0.id, 'no history please');
  await hitsUntil(r, 1);
  await sleep(300);
  assert.deepEqual(await historyOf(env, quiet._id), []);
});
