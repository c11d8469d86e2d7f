/**
 * Incoming-webhook scripts and history through real HTTP (docs/integrations.md §7.4 step 3, §7.7, §9,
 * §8.9 "Incoming history", §12.4): what each kind of script result answers and posts, scripts that
 * throw, time out, exhaust memory or do not compile (fail closed), old sloppy-mode scripts, and the
 * history record each request leaves — redacted, with the privacy switch and history turned off.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, http, startTestServer, type Reply, type TestServer } from '../support/helpers.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { Message, User } from '../../src/domain/model.js';

let server: TestServer;
let owner: User;

before(async () => {
  server = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off', SCRIPT_CALL_MS: '400', SCRIPT_MEMORY_MB: '8' } });
  owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
});
after(async () => {
  await server.close();
});

let seq = 0;
const unique = (label = 'msg') => `${label}-${Date.now().toString(36)}-${++seq}`;

async function incoming(fields: Record<string, unknown> = {}): Promise<IntegrationDoc> {
  return server.sb.core.integrations.create(owner, {
    type: 'webhook-incoming',
    name: unique('hook'),
    enabled: true,
    username: owner.username,
    channel: '#general',
    scriptEnabled: false,
    ...fields,
  });
}
const withScript = (script: string, fields: Record<string, unknown> = {}) => incoming({ scriptEnabled: true, script, ...fields });

const hookPath = (doc: Pick<IntegrationDoc, '_id' | 'token'>) => `/hooks/${doc._id}/${doc.token}`;
const postHook = (doc: IntegrationDoc, body: unknown, headers: Record<string, string> = {}): Promise<Reply> => http(server.url, 'POST', hookPath(doc), { body, headers });

async function findMessage(text: string): Promise<Message | undefined> {
  const page = await server.sb.store.messagePage({ channelId: server.generalId, threadRootId: null, cursor: null, direction: 'older', limit: 50 });
  return page.find((m) => m.text === text);
}

async function history(doc: IntegrationDoc) {
  const { items } = await server.sb.store.integrations.listHistory(server.workspaceId, {
    integrationId: doc._id,
    type: 'incoming-webhook',
    sort: { field: '_createdAt', direction: 'asc' },
    offset: 0,
    count: 100,
  });
  return items;
}

describe('script results (§7.4 step 3)', () => {
  test('{content} replaces the payload; the script sees the request', async () => {
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          return { content: { text: 'via script: ' + request.content.event + ' ' + request.url.query.tag + ' ' + request.headers['x-sender'] + ' ' + request.user.username } };
        }
      }`);
    const tag = unique('q');
    const r = await http(server.url, 'POST', `${hookPath(doc)}?tag=${tag}`, { body: { event: 'push' }, headers: { 'x-sender': 'ci' } });
    assert.deepEqual([r.status, r.body], [200, { success: true }], r.text);
    assert.ok(await findMessage(`via script: push ${tag} ci ${owner.username}`));
  });

  test('a script `response` becomes the body; a script `user` posts as that user', async () => {
    const other = await createUser(server.owner, 'MEMBER');
    const otherUser = (await server.sb.store.user(server.workspaceId, other.userId))!;
    const text = unique('as-user');
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          return { content: { text: request.content.t }, response: { accepted: 1 }, user: { username: request.content.u } };
        }
      }`);
    const r = await postHook(doc, { t: text, u: otherUser.username });
    assert.deepEqual([r.status, r.body], [200, { accepted: 1, success: true }], r.text);
    assert.equal((await findMessage(text))?.authorId, otherUser.id);
    const missing = await postHook(doc, { t: unique(), u: 'nobody-by-that-name' });
    assert.equal(missing.status, 400);
  });

  test('{error} as a string and as an object; a falsy result posts nothing', async () => {
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          const kind = request.content.kind;
          if (kind === 'string') return { error: 'not today' };
          if (kind === 'object') return { error: { reason: 'bad input', code: 42 } };
          return false;
        }
      }`);
    const s = await postHook(doc, { kind: 'string' });
    assert.deepEqual([s.status, s.body], [400, { success: false, error: 'not today' }]);
    const o = await postHook(doc, { kind: 'object' });
    assert.deepEqual([o.status, o.body], [400, { reason: 'bad input', code: 42, success: false }]);
    const text = unique('falsy');
    const f = await postHook(doc, { kind: 'none', text });
    assert.deepEqual([f.status, f.body], [200, { success: true }]);
    assert.equal(await findMessage(text), undefined);
  });

  test('a script that throws, loops or exhausts memory: error-running-script, nothing posted; it works again afterwards', async () => {
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          const k = request.content.kind;
          if (k === 'throw') throw new Error('boom');
          if (k === 'loop') { while (true) {} }
          if (k === 'memory') { let s = 'ab'; while (true) { s = s + s; s.charCodeAt(s.length - 1); } }
          return { content: { text: request.content.text } };
        }
      }`);
    for (const kind of ['throw', 'loop', 'memory']) {
      const text = unique(kind);
      const r = await postHook(doc, { kind, text });
      assert.deepEqual([r.status, r.body], [400, { success: false, error: 'error-running-script' }], kind);
      assert.equal(await findMessage(text), undefined);
    }
    const text = unique('recovered');
    assert.equal((await postHook(doc, { kind: 'ok', text })).status, 200);
    assert.ok(await findMessage(text));
    // Each failure was the one it claims to be (history keeps the sandbox's reason).
    const errors = (await history(doc)).map((h) => String((h.record as { error?: string }).error ?? ''));
    assert.match(errors[0]!, /^exception: Error: boom/);
    assert.match(errors[1]!, /^timeout/);
    assert.match(errors[2]!, /^memory/);
  });

  test('a script that does not compile fails closed (§13)', async () => {
    const doc = await withScript('class Script { process_incoming_request({ request }) { return { content: ');
    assert.ok(doc.scriptError, 'create records the compile error');
    const text = unique('closed');
    const r = await postHook(doc, { text });
    assert.deepEqual([r.status, r.body], [400, { success: false, error: 'error-invalid-script' }]);
    assert.equal(await findMessage(text), undefined);
  });

  test('an enabled but blank script counts as no script', async () => {
    const doc = await withScript('   ');
    const text = unique('blank');
    assert.equal((await postHook(doc, { text })).status, 200);
    assert.ok(await findMessage(text));
  });

  test('old sloppy-mode scripts work: an undeclared variable assigned in a class method (§9.4)', async () => {
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          greeting = 'sloppy ' + request.content.name;
          var self = this;
          return { content: { text: greeting } };
        }
      }`);
    const name = unique('name');
    const r = await postHook(doc, { name });
    assert.equal(r.status, 200, r.text);
    assert.ok(await findMessage(`sloppy ${name}`));
  });
});

describe('incoming history (§8.9 extension)', () => {
  test('one record per request: steps, status, headers without credentials, payload, console, no token', async () => {
    const doc = await withScript(`
      class Script {
        process_incoming_request({ request }) {
          console.log('saw', request.content.text);
          if (request.content.reject) return { error: 'rejected by script' };
          return { content: { text: request.content.text } };
        }
      }`);
    const text = unique('hist');
    const ok = await postHook(doc, { text, token: doc.token }, { authorization: 'Bearer secret-value', cookie: 'session=abc', 'x-trace': `echo ${doc.token}` });
    assert.equal(ok.status, 200, ok.text);
    const bad = await postHook(doc, { text: 'no', reject: true });
    assert.equal(bad.status, 400);

    const records = await history(doc);
    assert.equal(records.length, 2);
    const [first, second] = records.map((h) => h.record as Record<string, any>) as [Record<string, any>, Record<string, any>];
    assert.equal(records[0]!.integrationCreatedBy, owner.id);
    assert.equal(first.type, 'incoming-webhook');
    assert.equal(first.step, 'message-posted');
    assert.equal(first.httpStatus, 200);
    assert.equal(first.data.text, text);
    assert.equal(first.headers.authorization, undefined);
    assert.equal(first.headers.cookie, undefined);
    assert.equal(first.headers['x-trace'], 'echo [redacted]');
    assert.ok(first.consoleOutput.some((l: string) => l.includes(`saw ${text}`)), JSON.stringify(first.consoleOutput));
    assert.equal(first.integration._id, doc._id);
    assert.equal(first.integration.token, undefined);
    assert.equal(first.integration.scriptCompiled, undefined);
    assert.equal(JSON.stringify(records).includes(doc.token), false, 'the token appears nowhere');

    assert.equal(second.step, 'rejected');
    assert.equal(second.httpStatus, 400);
    assert.equal(second.error, 'rejected by script');
  });

  test('rejections before the script are recorded; unknown integrations are not', async () => {
    const doc = await incoming({ enabled: false });
    assert.equal((await postHook(doc, { text: 'x' })).status, 503);
    const [rec] = await history(doc);
    assert.equal((rec!.record as any).step, 'rejected');
    assert.equal((rec!.record as any).httpStatus, 503);
  });

  test('storePayloadsInHistory: false keeps only size and digest; historyEnabled: false keeps nothing', async () => {
    const privateDoc = await incoming({ storePayloadsInHistory: false });
    const text = unique('private');
    assert.equal((await postHook(privateDoc, { text })).status, 200);
    const [rec] = await history(privateDoc);
    const data = (rec!.record as any).data;
    assert.equal(typeof data.size, 'number');
    assert.match(data.sha256, /^[0-9a-f]{64}$/);
    assert.equal(JSON.stringify(rec).includes(text), false);

    const quiet = await incoming({ historyEnabled: false });
    assert.equal((await postHook(quiet, { text: unique() })).status, 200);
    assert.equal((await history(quiet)).length, 0);
  });
});
