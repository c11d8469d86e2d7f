/**
 * docs/integrations.md §12.3, the outgoing engine cases, ported in order where they are pure rules
 * (matching, payloads, requests, response handling, retries, replies). Cases that need a database or
 * a real receiver (#4 removal, #13 stored history, #25 a throwing script, #28 SSRF guard, #42–#44
 * replay) are covered by the integration suite; the rule each relies on is asserted here where one exists.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  matchOutgoing,
  outgoingCalls,
  roomKeys,
  type MatchEvent,
  type MatchRoom,
  type OutgoingIntegrationConfig,
} from '../../src/domain/integrations/outgoing-match.js';
import type { PayloadMessage, PayloadRoom, PayloadUser } from '../../src/domain/integrations/outgoing-event-data.js';
import { buildOutgoingPayload } from '../../src/surfaces/rocketchat/outgoing/payload.js';
import { defaultPreparedRequest, interpretPrepareResult } from '../../src/domain/integrations/outgoing-request.js';
import { buildHttpCall } from '../../src/surfaces/rocketchat/outgoing/request.js';
import { judgeOutgoingResponse, parseResponseContent, nextRetryDelay, decideAfterFailure } from '../../src/domain/integrations/retry-strategy.js';
import {
  buildReplyRequest,
  choosePostingUser,
  interpretProcessResponseResult,
  replyDestination,
} from '../../src/domain/integrations/outgoing-reply.js';
import { historyIntegration, recordForStorage, type OutgoingHistoryRecord } from '../../src/domain/integrations/history-redaction.js';

const base: OutgoingIntegrationConfig = {
  _id: 'out1',
  enabled: true,
  event: 'sendMessage',
  channel: ['#general'],
  urls: ['https://a.example/hook'],
  token: 'TOKEN-abcdefgh',
  username: 'rocket.cat',
};
const cfg = (over: Partial<OutgoingIntegrationConfig>): OutgoingIntegrationConfig => ({ ...base, ...over });

const pub: MatchRoom = { id: 'c1', type: 'PUBLIC', name: 'general' };
const priv: MatchRoom = { id: 'p1', type: 'PRIVATE', name: 'secret' };
const dm: MatchRoom = {
  id: 'd1',
  type: 'DIRECT',
  name: null,
  participants: [
    { id: 'u1', username: 'alice' },
    { id: 'u2', username: 'bob' },
  ],
};
const say = (room: MatchRoom, text = 'hello', extra: Partial<NonNullable<MatchEvent['message']>> = {}): MatchEvent => ({
  event: 'sendMessage',
  room,
  userId: 'u1',
  message: { text, edited: false, ...extra },
});
const fires = (i: OutgoingIntegrationConfig, ev: MatchEvent) => matchOutgoing(i, ev).fires;

const alice: PayloadUser = { id: 'u1', username: 'alice', name: 'Alice', isBot: false, active: true, roles: ['user'], createdAt: Date.UTC(2025, 0, 1) };
const room: PayloadRoom = { id: 'c1', type: 'PUBLIC', name: 'general', createdBy: { id: 'u9', username: 'admin' }, createdAt: Date.UTC(2025, 0, 2), isArchived: false };
const message: PayloadMessage = {
  id: 'm1',
  roomId: 'c1',
  text: '!gif cats',
  createdAt: Date.UTC(2026, 0, 1),
  author: { id: 'u1', username: 'alice', name: 'Alice' },
  threadRootId: null,
};
const ctx = { token: '8DFS89DMKLWEN', siteUrl: 'https://chat.example.com', now: Date.UTC(2026, 1, 1) };

describe('§12.3 outgoing engine cases', () => {
  test('#1 events without channel use run in any room, private and DM included', () => {
    for (const r of [pub, priv]) {
      assert.ok(fires(cfg({ event: 'roomArchived', channel: ['#elsewhere'] }), { event: 'roomArchived', room: r, userId: 'u1' }));
      assert.ok(fires(cfg({ event: 'roomCreated', channel: [] }), { event: 'roomCreated', room: r, userId: 'u1' }));
    }
    assert.ok(fires(cfg({ event: 'roomArchived', channel: [] }), { event: 'roomArchived', room: dm, userId: 'u1' }));
    assert.ok(fires(cfg({ event: 'userCreated', channel: [], targetRoom: '#general' }), { event: 'userCreated', userId: 'u5' }));
  });

  test('#2 channel event with empty channel: public channels only', () => {
    const i = cfg({ channel: [] });
    assert.ok(fires(i, say(pub)));
    assert.ok(!fires(i, say(priv)));
    assert.ok(!fires(i, say(dm)));
    assert.ok(fires(cfg({ channel: '' }), say(pub)));
  });

  test("#3 ['#alpha','#beta'] fires in both; the string '#gamma' also works", () => {
    const i = cfg({ channel: ['#alpha', '#beta'] });
    assert.ok(fires(i, say({ id: 'a', type: 'PUBLIC', name: 'alpha' })));
    assert.ok(fires(i, say({ id: 'b', type: 'PRIVATE', name: 'beta' })));
    assert.ok(!fires(i, say({ id: 'g', type: 'PUBLIC', name: 'gamma' })));
    assert.ok(fires(cfg({ channel: '#gamma' }), say({ id: 'g', type: 'PUBLIC', name: 'gamma' })));
    assert.ok(fires(cfg({ channel: '#x, #gamma' }), say({ id: 'g', type: 'PUBLIC', name: 'gamma' })));
  });

  test('#4 a removed integration is not in the set handed to the engine, so never fires', () => {
    const list = [cfg({ _id: 'a' }), cfg({ _id: 'b' })];
    const afterRemove = list.filter((i) => i._id !== 'a');
    assert.deepEqual(outgoingCalls(afterRemove, say(pub)).map((c) => c.integration._id), ['b']);
  });

  test('#5 DM selection: all_direct_messages, @uid of participants, @username except the sender', () => {
    assert.deepEqual(roomKeys(dm, 'u1'), ['all_direct_messages', '@u1', '@u2', '@bob']);
    assert.ok(fires(cfg({ channel: ['all_direct_messages'] }), say(dm)));
    assert.ok(fires(cfg({ channel: ['@u1'] }), say(dm)));
    assert.ok(fires(cfg({ channel: ['@u2'] }), say(dm)));
    assert.ok(fires(cfg({ channel: ['@bob'] }), say(dm)));
    assert.ok(!fires(cfg({ channel: ['@alice'] }), say(dm)), 'the sender’s own username does not select the DM');
    assert.ok(!fires(cfg({ channel: ['all_public_channels'] }), say(dm)));
  });

  test('#6 public selection: all_public_channels, #id, #name; listed three ways fires once', () => {
    for (const c of ['all_public_channels', '#c1', '#general']) assert.ok(fires(cfg({ channel: [c] }), say(pub)), c);
    assert.ok(!fires(cfg({ channel: ['all_private_groups'] }), say(pub)));
    const thrice = cfg({ channel: ['all_public_channels', '#c1', '#general'] });
    assert.equal(outgoingCalls([thrice, thrice], say(pub)).length, 1);
  });

  test('#7 private selection: all_private_groups, #id, #name', () => {
    for (const c of ['all_private_groups', '#p1', '#secret']) assert.ok(fires(cfg({ channel: [c] }), say(priv)), c);
    assert.ok(!fires(cfg({ channel: ['all_public_channels'] }), say(priv)));
  });

  test('#8 only enabled + matching event; once per URL, in order', () => {
    const list = [
      cfg({ _id: 'a', urls: ['https://1', 'https://2'] }),
      cfg({ _id: 'off', enabled: false }),
      cfg({ _id: 'other', event: 'fileUploaded' }),
      cfg({ _id: 'b', urls: ['https://3'] }),
    ];
    assert.deepEqual(
      outgoingCalls(list, say(pub)).map((c) => [c.integration._id, c.url]),
      [
        ['a', 'https://1'],
        ['a', 'https://2'],
        ['b', 'https://3'],
      ],
    );
  });

  test('#9 no urls: no call (and so no history)', () => {
    assert.deepEqual(matchOutgoing(cfg({ urls: [] }), say(pub)), { fires: false, reason: 'no-urls' });
    assert.deepEqual(outgoingCalls([cfg({ urls: ['  '] })], say(pub)), []);
  });

  test('#10 sendMessage payload: exactly these fields', () => {
    const p = buildOutgoingPayload(ctx, { event: 'sendMessage', room, message, user: alice });
    assert.deepEqual(p, {
      token: '8DFS89DMKLWEN',
      bot: false,
      channel_id: 'c1',
      channel_name: 'general',
      message_id: 'm1',
      timestamp: '2026-01-01T00:00:00.000Z',
      user_id: 'u1',
      user_name: 'alice',
      text: '!gif cats',
      siteUrl: 'https://chat.example.com',
    });
    // the spec's example, with its trigger word in place
    const withWord = buildOutgoingPayload(ctx, { event: 'sendMessage', room, message, user: alice, triggerWord: '!gif' });
    assert.deepEqual(Object.keys(withWord), ['token', 'bot', 'trigger_word', 'channel_id', 'channel_name', 'message_id', 'timestamp', 'user_id', 'user_name', 'text', 'siteUrl']);
  });

  test('#11 optional sendMessage fields: alias, bot:true, isEdited:true, tmid', () => {
    const p = buildOutgoingPayload(ctx, {
      event: 'sendMessage',
      room,
      message: { ...message, alias: 'Bot Name', bot: { i: 'inc1' }, editedAt: Date.UTC(2026, 0, 2), threadRootId: 'root1' },
      user: alice,
    });
    assert.equal(p.alias, 'Bot Name');
    assert.equal(p.bot, true);
    assert.equal(p.isEdited, true);
    assert.equal(p.tmid, 'root1');
    assert.equal(buildOutgoingPayload(ctx, { event: 'sendMessage', room, message, user: { ...alice, isBot: true } }).bot, true);
    const inDm = buildOutgoingPayload(ctx, { event: 'sendMessage', room: { ...room, type: 'DIRECT', name: null }, message, user: alice });
    assert.equal('channel_name' in inDm, false);
  });

  test('#12 fileUploaded: no siteUrl; plus user, room, message', () => {
    const p = buildOutgoingPayload(ctx, { event: 'fileUploaded', room, message: { ...message, file: { _id: 'f1', name: 'a.png' } }, user: alice });
    assert.equal('siteUrl' in p, false);
    assert.deepEqual(p.message, {
      _id: 'm1',
      rid: 'c1',
      msg: '!gif cats',
      ts: '2026-01-01T00:00:00.000Z',
      u: { _id: 'u1', username: 'alice', name: 'Alice' },
      file: { _id: 'f1', name: 'a.png' },
    });
    assert.deepEqual(p.room, { _id: 'c1', t: 'c', name: 'general', fname: 'general', u: { _id: 'u9', username: 'admin' }, ts: '2025-01-02T00:00:00.000Z' });
  });

  test('#13 user objects: secrets stripped (payload and history)', () => {
    const richer = { ...alice, password: 'hash', services: { resume: { loginTokens: ['t'] } }, totpSecret: 'x' } as PayloadUser;
    const p = buildOutgoingPayload(ctx, { event: 'userCreated', user: richer });
    assert.deepEqual(p.user, { _id: 'u1', username: 'alice', name: 'Alice', type: 'user', active: true, roles: ['user'], createdAt: '2025-01-01T00:00:00.000Z' });
    const record: OutgoingHistoryRecord = {
      _id: 'h1',
      type: 'outgoing-webhook',
      step: 'after-http-call',
      integration: historyIntegration({ ...base, scriptCompiled: 'x', webhookSecret: 'whsec_abc' }),
      event: 'userCreated',
      data: { ...p, user: { ...(p.user as object), password: 'hash', services: {} } },
      _createdAt: '2026-01-01T00:00:00.000Z',
      _updatedAt: '2026-01-01T00:00:00.000Z',
    };
    const stored = JSON.stringify(recordForStorage(record, { secrets: [ctx.token, base.token] }));
    for (const secret of ['hash', ctx.token, base.token, 'whsec_abc', '"scriptCompiled"']) assert.ok(!stored.includes(secret), secret);
  });

  test('#14 reply user: sender if impersonateUser and exists, else username, else nothing', () => {
    assert.equal(choosePostingUser({ impersonateUser: true }, { triggeringUser: 'alice', integrationUser: 'rocket.cat' }), 'alice');
    assert.equal(choosePostingUser({ impersonateUser: true }, { triggeringUser: null, integrationUser: 'rocket.cat' }), 'rocket.cat');
    assert.equal(choosePostingUser({ impersonateUser: false }, { triggeringUser: 'alice', integrationUser: 'rocket.cat' }), 'rocket.cat');
    assert.equal(choosePostingUser({ impersonateUser: true }, { triggeringUser: null, integrationUser: null }), undefined);
  });

  test('#15 reply destination: explicit → message channel → targetRoom → triggering room', () => {
    const r = { id: 'c1', type: 'PUBLIC' as const };
    assert.equal(replyDestination({ explicit: '#x', messageChannel: '#y', targetRoom: '#z', room: r }), '#x');
    assert.equal(replyDestination({ messageChannel: '#y', targetRoom: '#z', room: r }), '#y');
    assert.equal(replyDestination({ targetRoom: '#z', room: r }), '#z');
    assert.equal(replyDestination({ room: r }), '#c1');
    assert.equal(replyDestination({}), undefined);
  });

  test('#16 reply tagging bot:{i}; default destination @rid (DM) / #rid', () => {
    const inDm = buildReplyRequest({ text: 'pong' }, { integration: base, room: { id: 'd1', type: 'DIRECT' } });
    assert.deepEqual(inDm.bot, { i: 'out1', hops: 1 });
    assert.deepEqual(inDm.destinations, [{ kind: 'user', ref: 'd1', raw: '@d1' }]);
    const inChannel = buildReplyRequest({ text: 'pong' }, { integration: base, room: { id: 'c1', type: 'PRIVATE' } });
    assert.deepEqual(inChannel.destinations, [{ kind: 'room', ref: 'c1', raw: '#c1' }]);
  });

  test('#17 disabled integration: no-op', () => {
    assert.deepEqual(matchOutgoing(cfg({ enabled: false }), say(pub)), { fires: false, reason: 'disabled' });
  });

  test('#18 trigger word at the start vs triggerWordAnywhere', () => {
    const i = cfg({ triggerWords: ['!gif', '!guggy'] });
    assert.deepEqual(matchOutgoing(i, say(pub, '!gif cats')), { fires: true, triggerWord: '!gif' });
    assert.deepEqual(matchOutgoing(i, say(pub, '!giffy')), { fires: true, triggerWord: '!gif' });
    assert.deepEqual(matchOutgoing(i, say(pub, 'cats !gif')), { fires: false, reason: 'trigger-word' });
    assert.deepEqual(matchOutgoing(i, say(pub, '!GIF cats')), { fires: false, reason: 'trigger-word' });
    const anywhere = cfg({ triggerWords: ['!gif'], triggerWordAnywhere: true });
    assert.deepEqual(matchOutgoing(anywhere, say(pub, 'cats !gif')), { fires: true, triggerWord: '!gif' });
    assert.deepEqual(matchOutgoing(cfg({ triggerWords: ['b', 'a'], triggerWordAnywhere: true }), say(pub, 'a b')), { fires: true, triggerWord: 'b' });
    assert.deepEqual(matchOutgoing(cfg({ triggerWords: ['', '  '] }), say(pub, 'anything')), { fires: true });
  });

  test('#19 trigger words on events without them are ignored', () => {
    const i = cfg({ event: 'roomJoined', triggerWords: ['!never'] });
    assert.deepEqual(matchOutgoing(i, { event: 'roomJoined', room: pub, userId: 'u1' }), { fires: true });
    const f = cfg({ event: 'fileUploaded', triggerWords: ['!never'] });
    assert.deepEqual(matchOutgoing(f, { event: 'fileUploaded', room: pub, userId: 'u1', message: { text: 'file', edited: false } }), { fires: true });
  });

  test('#20 edit without runOnEdits is skipped', () => {
    assert.deepEqual(matchOutgoing(base, say(pub, 'x', { edited: true })), { fires: false, reason: 'edit' });
    assert.ok(fires(cfg({ runOnEdits: true }), say(pub, 'x', { edited: true })));
  });

  test('#21 prepare returns undefined: after-prepare-no-opts', () => {
    assert.deepEqual(interpretPrepareResult(undefined), { kind: 'cancel', step: 'after-prepare-no-opts' });
  });

  test('#22 prepare returns {message}: posted before the call', () => {
    const r = interpretPrepareResult({ message: { text: 'first' }, url: 'https://x', method: 'POST' });
    assert.equal(r.kind, 'proceed');
    if (r.kind !== 'proceed') return;
    assert.deepEqual(r.message, { text: 'first' });
    assert.equal(r.request?.url, 'https://x');
    assert.equal(r.stopStep, undefined);
  });

  test('#23 prepare message fails to post: stops (the step the caller records)', async () => {
    const { replyStep } = await import('../../src/domain/integrations/outgoing-reply.js');
    assert.equal(replyStep('prepare', false), 'after-prepare-send-message-failed');
  });

  test('#24 prepare without url or method stops', () => {
    assert.deepEqual(interpretPrepareResult({ message: { text: 'only' } }), { kind: 'proceed', message: { text: 'only' }, stopStep: 'after-prepare-no-url_or_method' });
    assert.deepEqual(interpretPrepareResult({ url: 'https://x' }), { kind: 'proceed', stopStep: 'after-prepare-no-url_or_method' });
  });

  test("#26 auth 'nocolon': invalid-auth, no call", () => {
    const req = { ...defaultPreparedRequest('https://x', { a: 1 }, 'Switchboard/1'), auth: 'nocolon' };
    assert.deepEqual(buildHttpCall(req), { ok: false, error: 'invalid-auth' });
  });

  test("#27 auth 'user:pass': Basic header", () => {
    const r = buildHttpCall({ ...defaultPreparedRequest('https://x', { a: 1 }, 'UA'), auth: 'user:pass' });
    assert.ok(r.ok);
    if (r.ok) assert.equal(r.call.headers.Authorization, 'Basic dXNlcjpwYXNz');
  });

  test('#28 request body: JSON with Content-Type; no data → no body, no type; timeout forwarded', () => {
    const r = buildHttpCall(defaultPreparedRequest('https://x/h', { a: 1 }, 'UA'));
    assert.deepEqual(r, { ok: true, call: { method: 'POST', url: 'https://x/h', headers: { 'User-Agent': 'UA', 'Content-Type': 'application/json' }, body: '{"a":1}', timeoutMs: 15_000 } });
    const none = buildHttpCall({ ...defaultPreparedRequest('https://x/h', undefined, 'UA'), timeout: 5000 });
    assert.deepEqual(none, { ok: true, call: { method: 'POST', url: 'https://x/h', headers: { 'User-Agent': 'UA' }, timeoutMs: 5000 } });
    const capped = buildHttpCall({ ...defaultPreparedRequest('https://x/h', undefined, 'UA'), timeout: 120_000 });
    assert.equal(capped.ok && capped.call.timeoutMs, 30_000);
  });

  test('#29 response parsing: only json/javascript types (charset allowed); bad JSON tolerated', () => {
    assert.deepEqual(parseResponseContent('application/json; charset=utf-8', '{"text":"hi"}'), { text: 'hi' });
    for (const t of ['text/javascript', 'application/javascript', 'application/x-javascript']) assert.deepEqual(parseResponseContent(t, '{"a":1}'), { a: 1 });
    assert.equal(parseResponseContent('text/plain', '{"text":"hi"}'), undefined);
    assert.equal(parseResponseContent('application/json', '{bad'), null);
  });

  test('#30 empty body: success, no reply', () => {
    const retrying = { retryFailedCalls: true, retryCount: 3, retryDelay: 'powers-of-two' };
    assert.deepEqual(judgeOutgoingResponse(retrying, { status: 200, body: '', contentType: 'application/json' }, 0), { kind: 'success' });
    assert.deepEqual(judgeOutgoingResponse(retrying, { status: 204 }, 0), { kind: 'success' });
  });

  test('#31 process script {content:{text}}: posted', () => {
    assert.deepEqual(interpretProcessResponseResult({ content: { text: 'x' } }), { kind: 'post', message: { text: 'x' }, step: 'after-process-send-message' });
  });

  test('#32 process script false: stops', () => {
    assert.deepEqual(interpretProcessResponseResult(false), { kind: 'stop', step: 'after-process-false-result' });
    assert.deepEqual(interpretProcessResponseResult(undefined), { kind: 'continue' });
    assert.deepEqual(interpretProcessResponseResult({ other: 1 }), { kind: 'continue' });
  });

  test('#33 any 2xx with text/attachments: reply posted', () => {
    for (const status of [200, 201, 202, 203, 299]) {
      const v = judgeOutgoingResponse({}, { status, contentType: 'application/json', body: '{"text":"pong"}' }, 0);
      assert.deepEqual(v, { kind: 'success', reply: { text: 'pong' } }, String(status));
    }
    assert.deepEqual(judgeOutgoingResponse({}, { status: 200, contentType: 'application/json', body: '{"attachments":[{"text":"a"}]}' }, 0), {
      kind: 'success',
      reply: { attachments: [{ text: 'a' }] },
    });
  });

  test('#34 other JSON: not posted', () => {
    assert.deepEqual(judgeOutgoingResponse({}, { status: 200, contentType: 'application/json', body: '{"ok":true}' }, 0), { kind: 'success' });
    assert.deepEqual(judgeOutgoingResponse({}, { status: 200, contentType: 'text/plain', body: '{"text":"x"}' }, 0), { kind: 'success' });
  });

  test('#35 410 disables, any body', () => {
    for (const body of ['', 'gone']) {
      assert.deepEqual(judgeOutgoingResponse({ retryFailedCalls: true, retryCount: 5, retryDelay: 'powers-of-ten' }, { status: 410, body }, 0), {
        kind: 'disable',
        reason: 'http-410',
        step: 'after-process-http-status-410',
      });
    }
  });

  test('#36 500 with body: retried when retries are configured', () => {
    const v = judgeOutgoingResponse({ retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-ten' }, { status: 500, body: 'oops' }, 0);
    assert.deepEqual(v, { kind: 'retry', delayMs: 100, step: 'going-to-retry-1' });
  });

  test('#37 400 without retry config: failed-and-not-configured-to-retry', () => {
    assert.deepEqual(judgeOutgoingResponse({}, { status: 400, body: 'bad' }, 0), { kind: 'fail', step: 'failed-and-not-configured-to-retry' });
  });

  test('#38 network error: retried when configured', () => {
    const conf = { retryFailedCalls: true, retryCount: 1, retryDelay: 'increments-of-two' };
    assert.deepEqual(judgeOutgoingResponse(conf, { error: 'connect' }, 0), { kind: 'retry', delayMs: 2000, step: 'going-to-retry-1' });
    assert.deepEqual(judgeOutgoingResponse(conf, { error: 'timeout' }, 1), { kind: 'fail', step: 'too-many-retries' });
    assert.deepEqual(judgeOutgoingResponse({}, { error: 'timeout' }, 0), { kind: 'fail', step: 'failed-and-not-configured-to-retry' });
  });

  test('#39 retry delays, exact', () => {
    assert.deepEqual([0, 1].map((t) => nextRetryDelay('powers-of-ten', t, 5)), [100, 1000]);
    assert.deepEqual([0, 1].map((t) => nextRetryDelay('powers-of-two', t, 5)), [2000, 4000]);
    assert.deepEqual([0, 1].map((t) => nextRetryDelay('increments-of-two', t, 5)), [2000, 4000]);
  });

  test('#40 invalid retryDelay: recorded, not retried', () => {
    assert.deepEqual(decideAfterFailure({ retryFailedCalls: true, retryCount: 3, retryDelay: 'fibonacci' }, 0), { retry: false, step: 'failed-and-retry-delay-is-invalid' });
    assert.equal(nextRetryDelay('fibonacci', 0, 3), undefined);
  });

  test('#41 exhausted tries, or retryDelay / retryCount missing: no retry', () => {
    assert.deepEqual(decideAfterFailure({ retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-ten' }, 2), { retry: false, step: 'too-many-retries' });
    assert.deepEqual(decideAfterFailure({ retryFailedCalls: true, retryCount: 2 }, 0), { retry: false, step: 'too-many-retries' });
    assert.deepEqual(decideAfterFailure({ retryFailedCalls: true, retryDelay: 'powers-of-ten' }, 0), { retry: false, step: 'too-many-retries' });
    assert.equal(nextRetryDelay('powers-of-ten', 0, undefined), undefined);
    assert.equal(nextRetryDelay('powers-of-ten', 3, 3), undefined);
  });

  test('#45 message-less events: the full §8.4 mapping, not {token, bot}', () => {
    const owner = { ...alice, id: 'u9', username: 'admin', name: 'Admin', roles: ['admin'] };
    const rcRoom = { _id: 'c1', t: 'c', name: 'general', fname: 'general', u: { _id: 'u9', username: 'admin' }, ts: '2025-01-02T00:00:00.000Z' };
    const rcAlice = { _id: 'u1', username: 'alice', name: 'Alice', type: 'user', active: true, roles: ['user'], createdAt: '2025-01-01T00:00:00.000Z' };
    assert.deepEqual(buildOutgoingPayload(ctx, { event: 'roomCreated', room, owner }), {
      token: ctx.token,
      bot: false,
      channel_id: 'c1',
      channel_name: 'general',
      timestamp: '2025-01-02T00:00:00.000Z',
      user_id: 'u9',
      user_name: 'admin',
      owner: { ...rcAlice, _id: 'u9', username: 'admin', name: 'Admin', roles: ['admin'] },
      room: rcRoom,
    });
    for (const event of ['roomArchived', 'roomJoined', 'roomLeft'] as const) {
      assert.deepEqual(buildOutgoingPayload(ctx, { event, room: { ...room, isArchived: event === 'roomArchived' }, user: alice }), {
        token: ctx.token,
        bot: false,
        timestamp: '2026-02-01T00:00:00.000Z',
        channel_id: 'c1',
        channel_name: 'general',
        user_id: 'u1',
        user_name: 'alice',
        user: rcAlice,
        room: event === 'roomArchived' ? { ...rcRoom, archived: true } : rcRoom,
      });
    }
    const bot = buildOutgoingPayload(ctx, { event: 'roomJoined', room, user: { ...alice, isBot: true } });
    assert.equal(bot.bot, true);
    assert.equal((bot.user as { type: string }).type, 'bot');
    assert.deepEqual(buildOutgoingPayload(ctx, { event: 'userCreated', user: alice }), {
      token: ctx.token,
      bot: false,
      timestamp: '2025-01-01T00:00:00.000Z',
      user_id: 'u1',
      user_name: 'alice',
      user: rcAlice,
    });
  });
});
