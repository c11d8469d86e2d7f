/**
 * The other incoming-webhook URL forms and the limits (docs/integrations.md §7.2, §10, §11, §12.4):
 * Slack's `/services/{id}/{token}` (`ok` and every Slack error string), Pumble's
 * `/workspaces/{ws}/incomingWebhooks/postMessage/…` (its `{}` success, app-platform error body and
 * 1 request/s), and the per-integration rate limit with Retry-After. This server keeps the hook
 * rate limits ON (no HOOK_RATE_LIMITS=off).
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, http, startTestServer, tamper, type TestServer } from '../support/helpers.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import { HOOK_IP_LIMIT, HOOK_IP_WINDOW_MS } from '../../src/domain/integrations/incoming-rate-limit.js';
import type { Message, User } from '../../src/domain/model.js';

let server: TestServer;
let owner: User;

before(async () => {
  server = await startTestServer({ env: { SCRIPT_CALL_MS: '400' } });
  owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
});
after(async () => {
  await server.close();
});

let seq = 0;
const unique = (label = 'msg') => `${label}-${Date.now().toString(36)}-${++seq}`;

/** Unlimited by default here, so that only the rate-limit tests meet the limit. */
async function incoming(fields: Record<string, unknown> = {}): Promise<IntegrationDoc> {
  return server.sb.core.integrations.create(owner, {
    type: 'webhook-incoming',
    name: unique('hook'),
    enabled: true,
    username: owner.username,
    channel: '#general',
    scriptEnabled: false,
    rateLimitPerSecond: 0,
    ...fields,
  });
}

async function messagesIn(channelId: string): Promise<Message[]> {
  return server.sb.store.messagePage({ channelId, threadRootId: null, cursor: null, direction: 'older', limit: 50 });
}
const findMessage = async (text: string, channelId = server.generalId) => (await messagesIn(channelId)).find((m) => m.text === text);

async function channel(name: string, type: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<string> {
  const r = await server.owner.post('/v1/channels', { name, type });
  assert.equal(r.status, 200, r.text);
  return r.body.channel.id as string;
}

const slack = (doc: Pick<IntegrationDoc, '_id' | 'token'>, body: unknown, raw?: string) =>
  http(server.url, 'POST', `/services/${doc._id}/${doc.token}`, raw !== undefined ? { raw, headers: { 'content-type': 'application/json' } } : { body });

/** A Slack answer: status, content type and the plain-text body. */
function assertSlack(r: { status: number; headers: Headers; text: string }, status: number, text: string) {
  assert.deepEqual([r.status, r.text], [status, text]);
  assert.match(r.headers.get('content-type') ?? '', /^text\/plain/);
}

describe('Slack URL form (§10)', () => {
  test('success is a plain `ok`; `channel` is ignored without the override; script responses still say ok', async () => {
    const doc = await incoming();
    const text = unique('slack');
    assertSlack(await slack(doc, { text, channel: '#somewhere-else' }), 200, 'ok');
    assert.ok(await findMessage(text));

    const scripted = await incoming({
      scriptEnabled: true,
      script: `class Script { process_incoming_request({ request }) { return request.content.skip ? false : { content: { text: request.content.text }, response: { custom: true } } } }`,
    });
    const t2 = unique('slack-script');
    assertSlack(await slack(scripted, { text: t2 }), 200, 'ok');
    assert.ok(await findMessage(t2));
    assertSlack(await slack(scripted, { skip: true }), 200, 'ok');
  });

  test('payload errors: invalid_payload, no_text, too_many_attachments', async () => {
    const doc = await incoming();
    assertSlack(await slack(doc, undefined, '{"text": '), 400, 'invalid_payload');
    assertSlack(await http(server.url, 'POST', `/services/${doc._id}/${doc.token}`, { raw: 'payload=%7Bbroken', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 400, 'invalid_payload');
    assertSlack(await slack(doc, {}), 400, 'no_text');
    assertSlack(await slack(doc, { text: '' }), 400, 'no_text');
    assertSlack(await slack(doc, { text: 'x', attachments: Array.from({ length: 101 }, (_, i) => ({ text: `a${i}` })) }), 400, 'too_many_attachments');
    const blocks = unique('blocks');
    assertSlack(await slack(doc, { blocks: [{ type: 'section', text: { type: 'mrkdwn', text: blocks } }] }), 200, 'ok');
    assert.ok(await findMessage(blocks));
  });

  test('integration errors: no_service, invalid_token, no_active_hooks, user_not_found', async () => {
    const doc = await incoming();
    assertSlack(await http(server.url, 'POST', `/services/0123456789abcdef01234567/${doc.token}`, { body: { text: 'x' } }), 404, 'no_service');
    assertSlack(await http(server.url, 'POST', `/services/${doc._id}/${tamper(doc.token)}`, { body: { text: 'x' } }), 403, 'invalid_token');
    const off = await incoming({ enabled: false });
    assertSlack(await slack(off, { text: 'x' }), 404, 'no_active_hooks');

    const poster = await createUser(server.owner, 'MEMBER');
    const posterUser = (await server.sb.store.user(server.workspaceId, poster.userId))!;
    const asPoster = await incoming({ username: posterUser.username });
    await server.sb.store.updateUser(server.workspaceId, poster.userId, { status: 'DEACTIVATED' }, Date.now());
    assertSlack(await slack(asPoster, { text: 'x' }), 400, 'user_not_found');
    const scriptUser = await incoming({ scriptEnabled: true, script: `class Script { process_incoming_request() { return { content: { text: 'x' }, user: { username: 'no-such-user' } } } }` });
    assertSlack(await slack(scriptUser, { text: 'x' }), 400, 'user_not_found');
  });

  test('destination errors: channel_not_found, channel_is_archived, action_prohibited', async () => {
    const override = await incoming({ overrideDestinationChannelEnabled: true });
    assertSlack(await slack(override, { text: 'x', channel: '#no-such-room' }), 404, 'channel_not_found');

    const archivedName = unique('archived');
    const archivedId = await channel(archivedName);
    const toArchived = await incoming({ channel: `#${archivedName}` });
    await server.sb.core.channels.archive(owner, archivedId);
    assertSlack(await slack(toArchived, { text: 'x' }), 410, 'channel_is_archived');

    const outsider = await createUser(server.owner, 'MEMBER');
    const outsiderUser = (await server.sb.store.user(server.workspaceId, outsider.userId))!;
    const privName = unique('private');
    await channel(privName, 'PRIVATE');
    const toPrivate = await incoming({ username: outsiderUser.username, channel: `#${privName}` });
    assertSlack(await slack(toPrivate, { text: 'x' }), 403, 'action_prohibited');
  });

  test('script errors: {error} is invalid_payload; throwing and not compiling are rollup_error', async () => {
    const errors = await incoming({ scriptEnabled: true, script: `class Script { process_incoming_request({ request }) { if (request.content.fail) throw new Error('x'); return { error: 'no' } } }` });
    assertSlack(await slack(errors, { text: 'x' }), 400, 'invalid_payload');
    assertSlack(await slack(errors, { fail: true }), 500, 'rollup_error');
    const broken = await incoming({ scriptEnabled: true, script: 'class Script {' });
    assertSlack(await slack(broken, { text: 'x' }), 500, 'rollup_error');
  });
});

describe('Pumble URL form (§11)', () => {
  const pumble = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    http(server.url, 'POST', `/workspaces/${server.workspaceId}/incomingWebhooks/postMessage/${path}`, typeof body === 'string' ? { raw: body, headers } : { body, headers });

  test('by code and by id/secret: `{}`; Pumble markup is kept as written; payload= forms', async () => {
    const doc = await incoming();
    const text = `**bold** *italic* ${unique('pumble')}`;
    const r = await pumble(doc.token, { text });
    assert.deepEqual([r.status, r.body], [200, {}], r.text);
    const stored = await findMessage(text);
    assert.ok(stored, 'posted verbatim');
    assert.deepEqual(stored.bot, { i: doc._id });

    const legacy = unique('legacy');
    assert.deepEqual((await pumble(`${doc._id}/${doc.token}`, { text: legacy })).body, {});
    assert.ok(await findMessage(legacy));

    const form = unique('form');
    const f = await pumble(doc.token, 'payload=' + encodeURIComponent(JSON.stringify({ text: form })), { 'content-type': 'application/x-www-form-urlencoded' });
    assert.equal(f.status, 200, f.text);
    assert.ok(await findMessage(form));
  });

  test('errors use the app-platform body: 404 unknown code or workspace, 400 empty or too long', async () => {
    const doc = await incoming();
    const unknown = await pumble('not-a-code', { text: 'x' });
    assert.equal(unknown.status, 404);
    assert.deepEqual(Object.keys(unknown.body).sort(), ['code', 'localizedMessage', 'message']);
    assert.equal(unknown.body.code, 404000);
    const wrongSecret = await pumble(`${doc._id}/${tamper(doc.token)}`, { text: 'x' });
    assert.deepEqual([wrongSecret.status, wrongSecret.body.code], [404, 404000]);
    const otherWorkspace = await http(server.url, 'POST', `/workspaces/0123456789abcdef01234567/incomingWebhooks/postMessage/${doc.token}`, { body: { text: 'x' } });
    assert.equal(otherWorkspace.status, 404);
    const empty = await pumble(doc.token, {});
    assert.deepEqual([empty.status, empty.body.code], [400, 400000]);
    const long = await pumble(doc.token, { text: 'x'.repeat(10_001) });
    assert.deepEqual([long.status, long.body.code], [400, 400000]);
    const broken = await pumble(doc.token, '{"text":', { 'content-type': 'application/json' });
    assert.deepEqual([broken.status, broken.body.code], [400, 400000]);
  });
});

describe('rate limits (§7.2, §11)', () => {
  test('per integration: the default admits a burst, then 429 with Retry-After and the §3 body', async () => {
    const doc = await incoming({ rateLimitPerSecond: 1 });
    const path = `/hooks/${doc._id}/${doc.token}`;
    // The default token bucket (1/s, bursts of 30): the burst, plus whatever refilled meanwhile.
    let admitted = 0;
    let limited: Awaited<ReturnType<typeof http>> | undefined;
    while (!limited && admitted < 500) {
      const r = await http(server.url, 'GET', path);
      if (r.status === 429) limited = r;
      else {
        assert.equal(r.status, 200, `request ${admitted + 1}: ${r.text}`);
        admitted += 1;
      }
    }
    assert.ok(limited, 'refused once the bucket ran dry');
    assert.ok(admitted >= 30, `the burst of 30 at least (${admitted})`);
    // At 1/s the next token is always less than a second away.
    assert.equal(limited.headers.get('retry-after'), '1');
    assert.deepEqual(limited.body, {
      success: false,
      error: 'Error, too many requests. Please slow down. You must wait 1 seconds before trying this endpoint again. [error-too-many-requests]',
      errorType: 'error-too-many-requests',
    });
    // Slack's form shares the bucket: a slow one (0.001/s), so no token refills between the two calls.
    const slow = await incoming({ rateLimitPerSecond: 0.001 });
    for (let i = 0; i < 30; i++) assert.equal((await http(server.url, 'GET', `/hooks/${slow._id}/${slow.token}`)).status, 200);
    const viaSlack = await http(server.url, 'POST', `/services/${slow._id}/${slow.token}`, { body: { text: 'x' } });
    assert.deepEqual([viaSlack.status, viaSlack.text], [429, 'rate_limited']);
    assert.equal(viaSlack.headers.get('retry-after'), '1000');
    // Another integration is not affected.
    const other = await incoming({ rateLimitPerSecond: 1 });
    assert.equal((await http(server.url, 'GET', `/hooks/${other._id}/${other.token}`)).status, 200);
  });

  test('rateLimitPerSecond: 0 is unlimited', async () => {
    const doc = await incoming({ rateLimitPerSecond: 0 });
    for (let i = 0; i < 70; i++) assert.equal((await http(server.url, 'GET', `/hooks/${doc._id}/${doc.token}`)).status, 200);
  });

  test('the Pumble form allows 1 request per second per webhook', async () => {
    const doc = await incoming({ rateLimitPerSecond: 1 });
    const url = `/workspaces/${server.workspaceId}/incomingWebhooks/postMessage/${doc.token}`;
    assert.equal((await http(server.url, 'POST', url, { body: { text: unique('first') } })).status, 200);
    const second = await http(server.url, 'POST', url, { body: { text: unique('second') } });
    assert.equal(second.status, 429);
    assert.equal(second.headers.get('retry-after'), '1');
    assert.equal(second.body.code, 429000);
  });

  // Last: it leaves this address limited for the rest of the window.
  test('a flood from one address is cut before any lookup (per-IP limit)', async () => {
    // The window is filled directly (a real flood outpaces 1 000 per 10 s only on an idle machine):
    // the next request over HTTP is the 1 001st.
    const { limiter } = server.sb.core.incomingHooks.ctx;
    for (let i = 0; i < HOOK_IP_LIMIT; i++) await limiter.hit('hook-ip:127.0.0.1', HOOK_IP_WINDOW_MS);
    const limited = await http(server.url, 'POST', '/hooks/0123456789abcdef01234567/guess', { body: { text: 'x' } });
    assert.equal(limited.status, 429);
    assert.equal(limited.body.errorType, 'error-too-many-requests');
    assert.ok(Number(limited.headers.get('retry-after')) >= 1);
    // Even a valid hook is refused from this address now.
    const doc = await incoming();
    assert.equal((await http(server.url, 'POST', `/hooks/${doc._id}/${doc.token}`, { body: { text: 'x' } })).status, 429);
  });
});
