/**
 * `POST /v1/messages/search` over HTTP (docs/pumble-api.md §11.2; issue #14 item 5): only what the
 * caller can read is ever found — a private channel's message never by a non-member, a DM never by
 * a third person, public channels not by guests; words, "phrases", prefix*, the in: from: before:
 * after: filters in the text beside the JSON ones; edits and deletes reflected at once; orders,
 * skip/limit pages with totalElements and hasMore; highlightedBlocks; the app scopes; and clear 400s.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Client, createUser, http, startTestServer, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
let alice: Client;
let bob: Client;
let carol: Client;
let guest: Client;
let team: string;
let secret: string;
let dm: string;

const search = (by: Client, body: Record<string, unknown>) => by.post('/v1/messages/search', body);
/** The texts found, in order (status 200 asserted). */
async function texts(by: Client, body: Record<string, unknown>): Promise<string[]> {
  const r = await search(by, body);
  assert.equal(r.status, 200, r.text);
  return r.body.content.map((m: { text: string }) => m.text);
}
async function post(by: Client, channelId: string, text: string): Promise<{ id: string; timestampMilli: number }> {
  const r = await by.post(`/v1/channels/${channelId}/messages`, { text });
  assert.equal(r.status, 200, `${text}: ${r.text}`);
  return r.body;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

before(async () => {
  s = await startTestServer();
  [alice, bob, carol, guest] = await Promise.all([
    createUser(s.owner, 'MEMBER', 'Alice'),
    createUser(s.owner, 'MEMBER', 'Bob'),
    createUser(s.owner, 'MEMBER', 'Carol'),
    createUser(s.owner, 'GUEST', 'Gus'),
  ]);
  team = (await alice.post('/v1/channels', { name: 'team-room', type: 'PUBLIC' })).body.channel.id;
  secret = (await alice.post('/v1/channels', { name: 'secret-plans', type: 'PRIVATE' })).body.channel.id;
  assert.equal((await alice.post(`/v1/channels/${secret}/users`, { userIds: [bob.userId] })).status, 200);
  dm = (await alice.post('/v1/channels/direct', { participantIds: [alice.userId, bob.userId] })).body.channel.id;
  assert.equal((await bob.post(`/v1/channels/${team}/join`)).status, 200);
  await post(alice, team, 'Quarterly rollout plan is ready');
  await post(bob, team, 'rollout blocked by the database migration');
  await post(alice, secret, 'secret rollout codename: blue heron');
  await post(alice, dm, 'rollout gossip between alice and bob only');
  assert.equal((await carol.post(`/v1/channels/${s.generalId}/join`)).status, 200);
  await post(carol, s.generalId, 'Carol says the rollout went fine');
});
after(() => s.close());

describe('visibility', () => {
  test("a private channel's message is never found by a non-member; a DM never by a third person", async () => {
    assert.deepEqual((await texts(alice, { text: 'rollout' })).sort(), [
      'Carol says the rollout went fine',
      'Quarterly rollout plan is ready',
      'rollout blocked by the database migration',
      'rollout gossip between alice and bob only',
      'secret rollout codename: blue heron',
    ]);
    const carolSees = await texts(carol, { text: 'rollout' });
    assert.deepEqual(carolSees.sort(), ['Carol says the rollout went fine', 'Quarterly rollout plan is ready', 'rollout blocked by the database migration']);
    assert.deepEqual(await texts(carol, { text: 'heron' }), [], 'not by its words');
    assert.deepEqual(await texts(carol, { text: 'rollout', in: [secret] }), [], 'not by naming the channel id');
    assert.deepEqual(await texts(carol, { text: 'in:#secret-plans rollout' }), [], 'not by naming the channel');
    assert.deepEqual(await texts(carol, { text: 'gossip' }), [], 'not a DM of others');
    assert.deepEqual(await texts(carol, { text: 'gossip', in: [dm] }), []);
    assert.equal((await search(carol, { text: 'rollout' })).body.totalElements, 3, 'totals count only what the caller may read');
    assert.deepEqual(await texts(bob, { text: 'heron' }), ['secret rollout codename: blue heron'], 'members find it');
  });

  test('guests see only the channels they belong to, not every public channel', async () => {
    assert.deepEqual(await texts(guest, { text: 'rollout' }), []);
  });

  test('fromMyChannelsOnly: only channels the caller is a member of', async () => {
    assert.deepEqual((await texts(carol, { text: 'rollout', fromMyChannelsOnly: true })), ['Carol says the rollout went fine']);
  });

  test('leaving a private channel ends finding its messages', async () => {
    const temp = (await alice.post('/v1/channels', { name: 'short-lived', type: 'PRIVATE' })).body.channel.id;
    await alice.post(`/v1/channels/${temp}/users`, { userIds: [carol.userId] });
    await post(alice, temp, 'ephemeralword inside');
    assert.deepEqual(await texts(carol, { text: 'ephemeralword' }), ['ephemeralword inside']);
    assert.equal((await alice.delete(`/v1/channels/${temp}/users/${carol.userId}`)).status, 200);
    assert.deepEqual(await texts(carol, { text: 'ephemeralword' }), []);
  });
});

describe('the query language', () => {
  test('all words must match, in any case; "phrases" keep their order; word* is a prefix', async () => {
    assert.deepEqual(await texts(alice, { text: 'ROLLOUT plan' }), ['Quarterly rollout plan is ready']);
    assert.deepEqual(await texts(alice, { text: '"plan rollout"' }), []);
    assert.deepEqual(await texts(alice, { text: '"rollout plan"' }), ['Quarterly rollout plan is ready']);
    assert.deepEqual(await texts(alice, { text: 'migra*' }), ['rollout blocked by the database migration']);
    assert.deepEqual(await texts(alice, { text: 'migra' }), [], 'a word is a whole word');
    assert.deepEqual(await texts(alice, { text: '100%' }), [], 'punctuation is no syntax error');
    assert.deepEqual(await texts(alice, { text: '%%%' }), [], 'text without words finds nothing (not everything)');
  });

  test('in:#channel and from: in the text, beside the JSON filters (each narrows)', async () => {
    assert.deepEqual((await texts(alice, { text: 'rollout in:#team-room' })).sort(), ['Quarterly rollout plan is ready', 'rollout blocked by the database migration']);
    assert.deepEqual(await texts(alice, { text: `rollout in:#team-room from:${bob.userId}` }), ['rollout blocked by the database migration']);
    assert.deepEqual(await texts(alice, { text: 'rollout from:me in:team-room' }), ['Quarterly rollout plan is ready']);
    assert.deepEqual(await texts(alice, { text: 'rollout', from: [carol.userId] }), ['Carol says the rollout went fine']);
    assert.deepEqual(await texts(alice, { text: 'rollout in:#team-room', in: [s.generalId] }), [], 'the text and the JSON filter both narrow');
    assert.deepEqual((await texts(alice, { text: 'rollout in:#team-room in:#general' })).length, 3, 'several in: widen');
    assert.deepEqual(await texts(alice, { text: 'rollout in:#no-such-channel' }), []);
    assert.deepEqual(await texts(alice, { text: 'rollout from:@nobody-here' }), []);
    const username = (await s.sb.store.user(s.workspaceId, carol.userId))!.username;
    assert.deepEqual(await texts(alice, { text: `from:@${username}` }), ['Carol says the rollout went fine'], 'from:@username, filters alone');
  });

  test('before: and after: days (the person’s days), beforeTs / afterTs to the millisecond', async () => {
    const today = new Date().toISOString().slice(0, 10);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    assert.equal((await texts(alice, { text: `rollout before:${tomorrow}` })).length, 5);
    assert.equal((await texts(alice, { text: `rollout before:${yesterday}` })).length, 0);
    assert.equal((await texts(alice, { text: `rollout after:${yesterday}` })).length, 5);
    assert.equal((await texts(alice, { text: `rollout after:${tomorrow}` })).length, 0);
    assert.equal((await texts(alice, { text: `rollout on:${today}` })).length, 5);
    const a = await post(alice, team, 'tick one');
    await sleep(5);
    const b = await post(alice, team, 'tick two');
    assert.deepEqual(await texts(alice, { text: 'tick', afterTs: a.timestampMilli }), ['tick two']);
    assert.deepEqual(await texts(alice, { text: 'tick', beforeTs: b.timestampMilli }), ['tick one']);
    assert.deepEqual(await texts(alice, { text: 'tick', before: tomorrow, after: yesterday }), ['tick two', 'tick one'], 'the SDK’s deprecated day fields');
  });
});

describe('changes are reflected at once', () => {
  test('an edit replaces the text found; a delete removes it', async () => {
    const m = await post(bob, team, 'typo in the mesage');
    assert.deepEqual(await texts(carol, { text: 'mesage' }), ['typo in the mesage']);
    assert.equal((await bob.put(`/v1/channels/${team}/messages/${m.id}`, { text: 'fixed the message' })).status, 200);
    assert.deepEqual(await texts(carol, { text: 'mesage' }), []);
    const found = (await search(carol, { text: 'fixed message' })).body.content;
    assert.deepEqual(found.map((x: any) => [x.id, x.text, x.edited]), [[m.id, 'fixed the message', true]]);
    assert.equal((await bob.delete(`/v1/channels/${team}/messages/${m.id}`)).status, 200);
    assert.deepEqual(await texts(carol, { text: 'fixed message' }), []);
    assert.deepEqual(await texts(carol, { text: 'message', from: [bob.userId] }), []);
  });
});

describe('the index (SQLite: messages wait for FTS5, migration 0029)', () => {
  test("the server's indexer indexes posted messages without a search asking", async () => {
    for (const text of ['indexer one', 'indexer two', 'indexer three']) await post(alice, team, text);
    const store = s.sb.store;
    const deadline = Date.now() + 10_000;
    // workers/search-indexer.ts polls every 250 ms; nothing here searches.
    while ((await store.search.unindexed()) > 0 && Date.now() < deadline) await sleep(50);
    assert.equal(await store.search.unindexed(), 0, 'nothing waits once the indexer ran');
    assert.deepEqual(await texts(carol, { text: 'indexer' }), ['indexer three', 'indexer two', 'indexer one']);
  });
});

describe('order, pages and the answer', () => {
  test('newest first by default; OLDEST; MOST_RELEVANT puts the best match first; skip/limit with totalElements and hasMore', async () => {
    const channel = (await alice.post('/v1/channels', { name: 'paging-room', type: 'PUBLIC' })).body.channel.id;
    for (const text of ['pager one', 'pager two', 'pager pager pager three', 'pager four', 'pager five']) await post(alice, channel, text);
    assert.deepEqual(await texts(bob, { text: 'pager' }), ['pager five', 'pager four', 'pager pager pager three', 'pager two', 'pager one']);
    assert.deepEqual(await texts(bob, { text: 'pager', strategy: 'NEWEST' }), await texts(bob, { text: 'pager', strategy: 'MOST_RECENT' }));
    assert.deepEqual(await texts(bob, { text: 'pager', strategy: 'OLDEST', limit: 2 }), ['pager one', 'pager two']);
    assert.equal((await texts(bob, { text: 'pager', strategy: 'MOST_RELEVANT' }))[0], 'pager pager pager three');

    const first = await search(bob, { text: 'pager', limit: 2 });
    assert.deepEqual([first.body.totalElements, first.body.hasMore, first.body.content.length], [5, true, 2]);
    const last = await search(bob, { text: 'pager', limit: 2, skip: 4 });
    assert.deepEqual([last.body.totalElements, last.body.hasMore, last.body.content.map((m: any) => m.text)], [5, false, ['pager one']]);
    const beyond = await search(bob, { text: 'pager', skip: 50 });
    assert.deepEqual([beyond.body.totalElements, beyond.body.hasMore, beyond.body.content], [5, false, []]);
    assert.equal((await search(bob, { text: 'pager' })).body.content.length, 5);
    const defaults = await search(bob, { in: [channel], text: 'pager' });
    assert.ok(defaults.body.content.length <= 10, 'the SDK default page is 10');
  });

  test('hits are Messages of §12.1 with highlightedBlocks marking the matched words', async () => {
    const r = await search(alice, { text: '"rollout plan"' });
    const [hit] = r.body.content;
    assert.deepEqual(Object.keys(r.body).sort(), ['content', 'hasMore', 'totalElements']);
    assert.equal(hit.channelId, team);
    assert.equal(hit.author, alice.userId);
    assert.equal(hit.workspaceId, s.workspaceId);
    assert.equal(hit.timestamp, new Date(hit.timestampMilli).toISOString());
    assert.deepEqual(hit.highlightedBlocks, [
      {
        type: 'rich_text',
        elements: [
          {
            type: 'rich_text_section',
            elements: [
              { type: 'text', text: 'Quarterly ' },
              { type: 'text', text: 'rollout plan', style: { bold: true } },
              { type: 'text', text: ' is ready' },
            ],
          },
        ],
      },
    ]);
    const byFilter = (await search(alice, { from: [carol.userId] })).body.content[0];
    assert.equal(byFilter.highlightedBlocks, undefined, 'nothing to highlight without words');
  });
});

describe('bad input: clear 400s naming the field', () => {
  test('limit over 20, bad dates, unknown strategy, a filter without value, no criteria at all', async () => {
    assertError(await search(alice, { text: 'x', limit: 21 }), 400, 'limit');
    assertError(await search(alice, { text: 'x', limit: 0 }), 400, 'limit');
    assertError(await search(alice, { text: 'x', skip: -1 }), 400, 'skip');
    assertError(await search(alice, { text: 'before:2026-02-30 rollout' }), 400, 'text');
    assertError(await search(alice, { text: 'after:soon' }), 400, 'text');
    assertError(await search(alice, { text: 'in: rollout' }), 400, 'text');
    assertError(await search(alice, { text: 'x', before: '2026-13-01' }), 400, 'before');
    assertError(await search(alice, { text: 'x', after: 'tomorrow' }), 400, 'after');
    assertError(await search(alice, { text: 'x', beforeTs: 'yesterday' }), 400, 'beforeTs');
    assertError(await search(alice, { text: 'x', strategy: 'BEST' }), 400, 'strategy');
    assertError(await search(alice, { text: 'x'.repeat(1001) }), 400, 'text');
    assertError(await search(alice, { from: ['not-an-id'] }), 400, 'from[0]');
    assertError(await search(alice, {}), 400, 'text');
    assertError(await search(alice, { text: '   ' }), 400, 'text');
  });
});

describe('apps', () => {
  async function botWith(scopes: string[]) {
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const manifest = { ...EXAMPLE, name: `search-${scopes.length}-${Date.now()}`, scopes: { botScopes: scopes, userScopes: [] } };
    const app = (await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } })).body;
    assert.ok(app.id, JSON.stringify(app));
    const q = new URLSearchParams({ clientId: app.id, scopes: scopes.map((x) => `bot:${x}`).join(',') });
    const code = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${q}`, { headers: { authtoken: devToken } })).body.code;
    const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code } })).body;
    return (body: unknown) => http(s.url, 'POST', '/v1/messages/search', { body, headers: { token: tokens.botToken, 'x-app-token': app.appKey } });
  }

  test('an app needs messages:read and channels:list (§11.2); its bot finds what its bot user may read', async () => {
    const withoutList = await botWith(['messages:read']);
    const refused = await withoutList({ text: 'rollout' });
    assertError(refused, 403);
    assert.match(refused.body.message, /Missing scope: channels:list/);
    const withoutRead = await botWith(['channels:list']);
    assert.match((await withoutRead({ text: 'rollout' })).body.message, /Missing scope: messages:read/);
    const bot = await botWith(['messages:read', 'channels:list']);
    const ok = await bot({ text: 'rollout' });
    assert.equal(ok.status, 200, ok.text);
    const found = ok.body.content.map((m: any) => m.text).sort();
    assert.deepEqual(found, ['Carol says the rollout went fine', 'Quarterly rollout plan is ready', 'rollout blocked by the database migration'], 'public channels only');
  });
});
