/**
 * Outgoing webhooks, pure rules beyond the ported §12.3 cases: the event table (§8.1), the loop guard
 * and hop limit (§8.3), retry settings and sequences (§4, §8.7), Retry-After and the guard's refusals
 * (§8.6), reply building (§8.8) and the prepared request (§8.5).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  OUTGOING_EVENTS,
  EVENT_TRAITS,
  MAX_WEBHOOK_HOPS,
  channelList,
  channelSelects,
  isOutgoingEvent,
  matchOutgoing,
  matchTriggerWord,
  replyHops,
  type OutgoingIntegrationConfig,
} from '../../src/domain/integrations/outgoing-match.js';
import {
  DEFAULT_RETRY_COUNT,
  decideAfterFailure,
  judgeOutgoingResponse,
  MAX_RETRY_AFTER_MS,
  nextRetryDelay,
  normalizeRetrySettings,
  replyContent,
  strategyDelay,
} from '../../src/domain/integrations/retry-strategy.js';
import { buildReplyRequest, defaultReplyDestination, processResponseArgument, replyStep } from '../../src/domain/integrations/outgoing-reply.js';
import { defaultPreparedRequest, interpretPrepareResult } from '../../src/domain/integrations/outgoing-request.js';
import { buildHttpCall } from '../../src/surfaces/rocketchat/outgoing/request.js';
import { rocketChatRoles } from '../../src/domain/integrations/roles.js';
import { roomTypeLetter, samplePayloads, rcMessage } from '../../src/surfaces/rocketchat/outgoing/payload.js';
import { HookError } from '../../src/domain/integrations/hook-errors.js';

const base: OutgoingIntegrationConfig = {
  _id: 'out1',
  enabled: true,
  event: 'sendMessage',
  channel: ['#general'],
  urls: ['https://a.example/hook'],
  token: 'tok',
  username: 'rocket.cat',
  alias: 'guggy',
  avatar: 'http://res.guggy.com/logo_128.png',
  emoji: ':ghost:',
};
const general = { id: 'c1', type: 'PUBLIC' as const, name: 'general' };

describe('§8.1 events', () => {
  test('the seven names, exactly', () => {
    assert.deepEqual([...OUTGOING_EVENTS], ['sendMessage', 'fileUploaded', 'roomArchived', 'roomCreated', 'roomJoined', 'roomLeft', 'userCreated']);
    assert.ok(isOutgoingEvent('roomLeft'));
    assert.ok(!isOutgoingEvent('roomDeleted'));
  });

  test('channel filter, trigger words and targetRoom per the table', () => {
    const usesChannel = OUTGOING_EVENTS.filter((e) => EVENT_TRAITS[e].usesChannel);
    assert.deepEqual(usesChannel, ['sendMessage', 'fileUploaded', 'roomJoined', 'roomLeft']);
    assert.deepEqual(OUTGOING_EVENTS.filter((e) => EVENT_TRAITS[e].usesTriggerWords), ['sendMessage']);
    assert.deepEqual(OUTGOING_EVENTS.filter((e) => EVENT_TRAITS[e].needsTargetRoom), ['userCreated']);
  });

  test('roomCreated is about channels: not DMs', () => {
    const i = { ...base, event: 'roomCreated' };
    assert.equal(matchOutgoing(i, { event: 'roomCreated', room: { id: 'd', type: 'DIRECT', name: null } }).fires, false);
    assert.equal(matchOutgoing(i, { event: 'roomCreated', room: { id: 'p', type: 'PRIVATE', name: 'x' } }).fires, true);
  });

  test('an event of another kind never fires', () => {
    assert.deepEqual(matchOutgoing(base, { event: 'roomJoined', room: general, userId: 'u1' }), { fires: false, reason: 'event' });
  });
});

describe('§8.2 channel lists', () => {
  test('CSV strings and arrays, trimmed, blanks dropped', () => {
    assert.deepEqual(channelList(' #a, @b ,,all_public_channels '), ['#a', '@b', 'all_public_channels']);
    assert.deepEqual(channelList(['#a', ' #b,#c ']), ['#a', '#b', '#c']);
    assert.deepEqual(channelList(undefined), []);
  });

  test('a private channel is not selected by name of another room or by the public scope', () => {
    const priv = { id: 'p1', type: 'PRIVATE' as const, name: 'general' };
    assert.ok(channelSelects(['#general'], priv));
    assert.ok(!channelSelects([], priv));
  });

  test('a room without a name is selected by id only', () => {
    assert.ok(channelSelects(['#c9'], { id: 'c9', type: 'PUBLIC', name: null }));
  });
});

describe('§8.3 trigger words, loop guard, hops', () => {
  test('matchTriggerWord: undefined without words, null when none matches', () => {
    assert.equal(matchTriggerWord('x', undefined), undefined);
    assert.equal(matchTriggerWord('x', []), undefined);
    assert.equal(matchTriggerWord('x', ['!a']), null);
    assert.equal(matchTriggerWord('!a x', ['!b', '!a']), '!a');
  });

  test('a message posted by this integration never triggers it again; others still fire', () => {
    const ev = (bot: { i: string; hops?: number } | null) => ({ event: 'sendMessage' as const, room: general, userId: 'bot', message: { text: 'hi', edited: false, bot } });
    assert.deepEqual(matchOutgoing(base, ev({ i: 'out1' })), { fires: false, reason: 'loop-guard' });
    assert.deepEqual(matchOutgoing(base, ev({ i: 'other', hops: 1 })), { fires: true });
    assert.deepEqual(matchOutgoing(base, ev(null)), { fires: true });
  });

  test(`a chain of ${MAX_WEBHOOK_HOPS} webhook replies stops`, () => {
    const at = (hops: number) =>
      matchOutgoing(base, { event: 'sendMessage', room: general, userId: 'bot', message: { text: 'hi', edited: false, bot: { i: 'other', hops } } });
    assert.equal(at(MAX_WEBHOOK_HOPS - 1).fires, true);
    assert.deepEqual(at(MAX_WEBHOOK_HOPS), { fires: false, reason: 'hop-limit' });
    assert.equal(replyHops(undefined), 1);
    assert.equal(replyHops({ text: '', edited: false, bot: { i: 'x', hops: 3 } }), 4);
    assert.equal(replyHops({ text: '', edited: false, bot: { i: 'incoming' } }), 1);
  });
});

describe('§4 / §8.7 retry settings and sequences', () => {
  test('defaults only when retries are on; retryDelay lower-cased', () => {
    assert.deepEqual(normalizeRetrySettings({ retryFailedCalls: true }), { retryFailedCalls: true, retryCount: DEFAULT_RETRY_COUNT, retryDelay: 'powers-of-ten' });
    assert.deepEqual(normalizeRetrySettings({ retryFailedCalls: true, retryCount: 0, retryDelay: 'Powers-Of-Two' }), { retryFailedCalls: true, retryCount: 4, retryDelay: 'powers-of-two' });
    assert.deepEqual(normalizeRetrySettings({ retryFailedCalls: true, retryCount: 2 }), { retryFailedCalls: true, retryCount: 2, retryDelay: 'powers-of-ten' });
    assert.deepEqual(normalizeRetrySettings({ retryFailedCalls: false, retryCount: 2, retryDelay: 'X' }), { retryFailedCalls: false, retryCount: 2, retryDelay: 'x' });
    assert.deepEqual(normalizeRetrySettings({}), {});
  });

  test('full sequences of the table', () => {
    assert.deepEqual([0, 1, 2, 3, 4, 5].map((t) => strategyDelay('powers-of-ten', t)), [100, 1000, 10_000, 100_000, 1_000_000, 10_000_000]);
    assert.deepEqual([0, 1, 2, 3].map((t) => strategyDelay('powers-of-two', t)), [2000, 4000, 8000, 16_000]);
    assert.deepEqual([0, 1, 2, 3].map((t) => strategyDelay('increments-of-two', t)), [2000, 4000, 6000, 8000]);
  });

  test('at most 1 + retryCount attempts', () => {
    const delays = [0, 1, 2, 3, 4, 5].map((t) => nextRetryDelay('powers-of-two', t, 4));
    assert.deepEqual(delays, [2000, 4000, 8000, 16_000, undefined, undefined]);
    assert.equal(nextRetryDelay('powers-of-two', 0, 0), undefined);
  });

  test('going-to-retry-<n> names the coming attempt', () => {
    const conf = { retryFailedCalls: true, retryCount: 4, retryDelay: 'powers-of-ten' };
    assert.deepEqual(decideAfterFailure(conf, 2), { retry: true, delayMs: 10_000, step: 'going-to-retry-3' });
  });

  test('a 429 Retry-After lengthens the wait, capped at 24 h, never shortens it', () => {
    const conf = { retryFailedCalls: true, retryCount: 4, retryDelay: 'powers-of-two' };
    assert.deepEqual(judgeOutgoingResponse(conf, { status: 429, retryAfterMs: 60_000 }, 0), { kind: 'retry', delayMs: 60_000, step: 'going-to-retry-1' });
    assert.deepEqual(judgeOutgoingResponse(conf, { status: 429, retryAfterMs: 10 }, 0), { kind: 'retry', delayMs: 2000, step: 'going-to-retry-1' });
    assert.equal((judgeOutgoingResponse(conf, { status: 429, retryAfterMs: 1e12 }, 0) as { delayMs: number }).delayMs, MAX_RETRY_AFTER_MS);
    // Retry-After on other statuses is not a throttling signal
    assert.deepEqual(judgeOutgoingResponse(conf, { status: 503, retryAfterMs: 60_000 }, 0), { kind: 'retry', delayMs: 2000, step: 'going-to-retry-1' });
  });

  test('3xx is a failure (redirects are not followed); guard refusals are permanent', () => {
    const conf = { retryFailedCalls: true, retryCount: 4, retryDelay: 'powers-of-two' };
    assert.equal(judgeOutgoingResponse(conf, { status: 302 }, 0).kind, 'retry');
    assert.deepEqual(judgeOutgoingResponse(conf, { error: 'ssrf-blocked' }, 0), { kind: 'fail', step: 'ssrf-blocked', error: 'ssrf-blocked' });
    assert.equal(judgeOutgoingResponse(conf, { error: 'invalid-url' }, 0).kind, 'fail');
  });

  test('replyContent: only objects with text or attachments', () => {
    assert.equal(replyContent(null), undefined);
    assert.equal(replyContent([{ text: 'x' }]), undefined);
    assert.equal(replyContent({ text: '' }), undefined);
    assert.deepEqual(replyContent({ text: 'x', channel: '#y' }), { text: 'x', channel: '#y' });
  });
});

describe('§8.8 replies', () => {
  test('integration defaults for alias/avatar; payload overrides win', () => {
    const r = buildReplyRequest({ text: 'pong' }, { integration: base, room: { id: 'c1', type: 'PUBLIC' } });
    assert.equal(r.alias, 'guggy');
    assert.equal(r.avatar, 'http://res.guggy.com/logo_128.png');
    assert.equal(r.emoji, undefined);
    const o = buildReplyRequest({ text: 'pong', username: 'other', icon_emoji: ':x:' }, { integration: base, room: { id: 'c1', type: 'PUBLIC' } });
    assert.equal(o.alias, 'other');
    assert.equal(o.emoji, ':x:');
  });

  test('the reply channel is honoured without the incoming override setting; roomId is not', () => {
    const r = buildReplyRequest({ text: 'pong', channel: '@bob', roomId: 'zzz' }, { integration: base, room: { id: 'c1', type: 'PUBLIC' } });
    assert.deepEqual(r.destinations, [{ kind: 'user', ref: 'bob', raw: '@bob' }]);
    const t = buildReplyRequest({ text: 'pong' }, { integration: { ...base, targetRoom: '#ops' }, room: { id: 'c1', type: 'PUBLIC' } });
    assert.deepEqual(t.destinations.map((d) => d.raw), ['#ops']);
  });

  test('hops count up along a chain; attachments are sanitized like incoming ones', () => {
    const r = buildReplyRequest(
      { attachments: [{ title: 't', title_link: 'https://x' }] },
      { integration: base, room: { id: 'c1', type: 'PUBLIC' }, trigger: { text: '', edited: false, bot: { i: 'z', hops: 2 } } },
    );
    assert.deepEqual(r.bot, { i: 'out1', hops: 3 });
    assert.throws(
      () => buildReplyRequest({ attachments: [{ title_link: 'javascript:x' }] }, { integration: base, room: { id: 'c1', type: 'PUBLIC' } }),
      (e: unknown) => e instanceof HookError && e.error === 'Invalid href value provided',
    );
  });

  test('nowhere to post (userCreated without targetRoom) is invalid-channel; nothing to post is unknown-error', () => {
    assert.throws(() => buildReplyRequest({ text: 'x' }, { integration: base }), (e: unknown) => e instanceof HookError && e.error === 'invalid-channel');
    assert.throws(() => buildReplyRequest({ foo: 1 }, { integration: base, room: { id: 'c1', type: 'PUBLIC' } }), (e: unknown) => e instanceof HookError && e.error === 'unknown-error');
  });

  test('default destination of SELF channels is the DM form', () => {
    assert.equal(defaultReplyDestination({ id: 's1', type: 'SELF' }), '@s1');
  });

  test('process_outgoing_response gets the raw text as content and content_raw', () => {
    const req = defaultPreparedRequest('https://x', { a: 1 }, 'UA');
    assert.deepEqual(processResponseArgument(req, { status: 201, text: '{"a":1}', headers: { 'content-type': 'application/json' } }), {
      request: req,
      response: { error: null, status_code: 201, content: '{"a":1}', content_raw: '{"a":1}', headers: { 'content-type': 'application/json' } },
    });
  });

  test('history steps of replies', () => {
    assert.equal(replyStep('response', true), 'url-response-sent-message');
    assert.equal(replyStep('response', false), 'after-http-call-send-message-failed');
    assert.equal(replyStep('process', true), 'after-process-send-message');
    assert.equal(replyStep('process', false), 'after-process-send-message-failed');
    assert.equal(replyStep('prepare', true), 'after-prepare-send-message');
  });
});

describe('§8.5 / §8.8 prepared request', () => {
  test('the default request handed to prepare_outgoing_request', () => {
    assert.deepEqual(defaultPreparedRequest('https://x', { a: 1 }, 'Switchboard/1.0'), {
      params: {},
      method: 'POST',
      url: 'https://x',
      data: { a: 1 },
      auth: undefined,
      headers: { 'User-Agent': 'Switchboard/1.0' },
    });
  });

  test('a script result becomes the call: method, headers, params, data', () => {
    const p = interpretPrepareResult({ url: 'https://x/api', method: 'put', headers: { 'X-Num': 5 }, params: { q: 'a b' }, data: { z: 1 } });
    assert.equal(p.kind, 'proceed');
    if (p.kind !== 'proceed' || !p.request) return;
    assert.deepEqual(buildHttpCall(p.request), {
      ok: true,
      call: { method: 'PUT', url: 'https://x/api?q=a+b', headers: { 'X-Num': '5', 'Content-Type': 'application/json' }, body: '{"z":1}', timeoutMs: 15_000 },
    });
  });

  test('GET sends no body; a given Content-Type is kept; a bad URL makes no call', () => {
    const get = buildHttpCall({ ...defaultPreparedRequest('https://x', { a: 1 }, 'UA'), method: 'GET' });
    assert.deepEqual(get.ok && get.call, { method: 'GET', url: 'https://x', headers: { 'User-Agent': 'UA' }, timeoutMs: 15_000 });
    const typed = buildHttpCall({ ...defaultPreparedRequest('https://x', { a: 1 }, 'UA'), headers: { 'content-type': 'application/vnd+json' } });
    assert.deepEqual(typed.ok && typed.call.headers, { 'content-type': 'application/vnd+json' });
    assert.deepEqual(buildHttpCall(defaultPreparedRequest('not a url', {}, 'UA')), { ok: false, error: 'invalid-url' });
  });
});

describe('§8.4 helpers', () => {
  test('room type letters and role names', () => {
    assert.deepEqual((['PUBLIC', 'PRIVATE', 'DIRECT', 'SELF'] as const).map(roomTypeLetter), ['c', 'p', 'd', 'd']);
    assert.deepEqual(rocketChatRoles({ role: 'OWNER', isBot: false }), ['admin']);
    assert.deepEqual(rocketChatRoles({ role: 'MEMBER', isBot: true }), ['user', 'bot']);
    assert.deepEqual(rocketChatRoles({ role: 'GUEST', isBot: false }), ['guest']);
  });

  test('message objects carry optional fields only when present', () => {
    const m = rcMessage({
      id: 'm',
      roomId: 'r',
      text: 't',
      createdAt: 0,
      author: { id: 'u', username: 'n', name: 'N' },
      threadRootId: 'root',
      editedAt: 1000,
      alias: 'A',
      bot: { i: 'i1' },
      attachments: [],
    });
    assert.deepEqual(m, { _id: 'm', rid: 'r', msg: 't', ts: '1970-01-01T00:00:00.000Z', u: { _id: 'u', username: 'n', name: 'N' }, tmid: 'root', editedAt: '1970-01-01T00:00:01.000Z', alias: 'A', bot: { i: 'i1' } });
  });

  test('§7.1 sample payloads', () => {
    const s = samplePayloads({ token: 't', channelId: 'c', userId: 'u', now: 0 });
    assert.equal(s.length, 3);
    assert.deepEqual(s[2], { token: 't', channel_id: 'c', channel_name: 'general', timestamp: '1970-01-01T00:00:00.000Z', user_id: 'u', user_name: 'rocket.cat', text: 'Sample text 3', trigger_word: 'Sample' });
  });
});

describe('§8.8 request headers', () => {
  test('auth replaces an Authorization header of any case', () => {
    const r = buildHttpCall({ ...defaultPreparedRequest('https://x', undefined, 'UA'), auth: 'u:p', headers: { authorization: 'old' } });
    assert.deepEqual(r.ok && r.call.headers, { Authorization: 'Basic dTpw' });
  });
  test('header values that are not scalars are dropped, not sent as "[object Object]"', () => {
    const r = buildHttpCall({ ...defaultPreparedRequest('https://x', undefined, 'UA'), headers: { 'X-A': 1, 'X-B': { nested: true } as unknown as string } });
    assert.deepEqual(r.ok && r.call.headers, { 'X-A': '1' });
  });
});
