/**
 * Messages through real HTTP: post, fetch, history pages (BEFORE / AFTER / AROUND with a cursor),
 * threads, edit, delete, ephemeral messages and reactions, with the Message shape of spec §12.1.
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { Client, Listener, createUser, freshPostgresDatabase, needs, type TestServer, startTestServer } from '../support/helpers.js';
import { assertError, assertEmpty200 } from '../support/assertions.js';

const ID = /^[0-9a-f]{24}$/;
const UNKNOWN_ID = 'ffffffffffffffffffffffff';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

let s: TestServer;
let alice: Client;
let bob: Client;
let carol: Client;

before(async () => {
  s = await startTestServer();
  [alice, bob, carol] = await Promise.all([
    createUser(s.owner, 'MEMBER', 'Alice'),
    createUser(s.owner, 'MEMBER', 'Bob'),
    createUser(s.owner, 'MEMBER', 'Carol'),
  ]);
});
after(() => s.close());

// ---- helpers ----------------------------------------------------------------------------------

const MESSAGE_KEYS = new Set([
  'id', 'workspaceId', 'channelId', 'author', 'text', 'timestamp', 'timestampMilli', 'subtype', 'reactions', 'linkPreviews',
  'isFollowing', 'threadRootInfo', 'threadReplyInfo', 'files', 'deleted', 'edited', 'localId', 'attachments', 'sharedMessage',
  'blocks', 'meta', 'quote', 'isEphemeral',
]);

/** Spec §12.1 Message. */
function assertMessage(m: any, expected: Record<string, unknown> = {}): void {
  for (const key of Object.keys(m)) assert.ok(MESSAGE_KEYS.has(key), `unexpected Message key ${key}`);
  assert.match(m.id, ID);
  assert.equal(m.workspaceId, s.workspaceId);
  assert.match(m.channelId, ID);
  assert.match(m.author, ID);
  assert.equal(typeof m.text, 'string');
  assert.equal(typeof m.timestamp, 'string');
  assert.ok(Number.isInteger(m.timestampMilli));
  assert.equal(m.timestamp, new Date(m.timestampMilli).toISOString(), 'timestamp is the ISO form of timestampMilli');
  if (m.reactions !== undefined) {
    assert.ok(Array.isArray(m.reactions));
    for (const r of m.reactions) {
      assert.deepEqual(Object.keys(r).sort(), ['code', 'user']);
      assert.match(r.user, ID);
      assert.match(r.code, /^:.+:$/);
    }
  }
  if (m.files !== undefined) assert.ok(Array.isArray(m.files));
  if (m.edited !== undefined) assert.equal(typeof m.edited, 'boolean');
  if (m.deleted !== undefined) assert.equal(typeof m.deleted, 'boolean');
  if (m.threadRootInfo !== undefined) {
    assert.equal(typeof m.threadRootInfo.repliesCount, 'number');
    assert.ok(Array.isArray(m.threadRootInfo.repliers));
  }
  if (m.threadReplyInfo !== undefined) assert.match(m.threadReplyInfo.rootId, ID);
  for (const [k, v] of Object.entries(expected)) assert.deepEqual(m[k], v, `Message.${k}`);
}

let seq = 0;
async function channelWith(owner: Client, members: Client[], type: 'PUBLIC' | 'PRIVATE' = 'PUBLIC'): Promise<string> {
  const r = await owner.post('/v1/channels', { name: `msg ${++seq} ${Date.now().toString(36)}`, type });
  assert.equal(r.status, 200, r.text);
  const id = r.body.channel.id;
  if (members.length) {
    const add = await owner.post(`/v1/channels/${id}/users`, { userIds: members.map((m) => m.userId) });
    assert.equal(add.status, 200, add.text);
  }
  return id;
}

async function post(by: Client, channelId: string, text: string, rootId?: string): Promise<any> {
  const r = await by.post(`/v1/channels/${channelId}/messages${rootId ? `/${rootId}` : ''}`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function getMessage(by: Client, channelId: string, id: string): Promise<any> {
  const r = await by.get(`/v1/channels/${channelId}/messages/${id}`);
  assert.equal(r.status, 200, r.text);
  return r.body;
}

async function history(by: Client, channelId: string, query = '') {
  const r = await by.get(`/v1/channels/${channelId}/messages${query}`);
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(Object.keys(r.body).sort(), ['hasMoreAfter', 'hasMoreBefore', 'messages']);
  assert.equal(typeof r.body.hasMoreBefore, 'boolean');
  assert.equal(typeof r.body.hasMoreAfter, 'boolean');
  for (const m of r.body.messages) assertMessage(m, { channelId });
  return r.body as { messages: any[]; hasMoreBefore: boolean; hasMoreAfter: boolean };
}

// ---- posting and fetching ---------------------------------------------------------------------------

test('POST a message: a §12.1 Message; GET it back, the same; it heads the history', async () => {
  const channelId = await channelWith(alice, [bob]);
  const t0 = Date.now();
  const r = await alice.post(`/v1/channels/${channelId}/messages`, { text: 'Hello, *world*' });
  const t1 = Date.now();
  assert.equal(r.status, 200, r.text);
  const m = r.body;
  assertMessage(m, { channelId, author: alice.userId, text: 'Hello, *world*', reactions: [] });
  assert.ok(m.timestampMilli >= t0 - 5 && m.timestampMilli <= t1 + 5, 'timestampMilli is the posting time');
  assert.ok(m.edited === false || m.edited === undefined);
  assert.ok(m.deleted === false || m.deleted === undefined);
  assert.equal(m.threadReplyInfo, undefined);
  assert.equal(m.isEphemeral, undefined);

  assert.deepEqual(await getMessage(bob, channelId, m.id), m);
  const page = await history(bob, channelId);
  assert.deepEqual(page.messages, [m]);
  assert.equal(page.hasMoreBefore, false);
  assert.equal(page.hasMoreAfter, false);
});

test('blocks and attachments come back as posted', async () => {
  const channelId = await channelWith(alice, []);
  const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'rich', style: { bold: true } }] }] }];
  const attachments = [{ color: '#ff0000', title: 'An attachment', text: 'body' }];
  const r = await alice.post(`/v1/channels/${channelId}/messages`, { text: 'rich', blocks, attachments });
  assert.equal(r.status, 200, r.text);
  assertMessage(r.body, { text: 'rich', blocks, attachments });
  assert.deepEqual(await getMessage(alice, channelId, r.body.id), r.body);
});

test('message ids are 24 hex characters and increase with time, whoever posts', async () => {
  const channelId = await channelWith(alice, [bob]);
  const posted: any[] = [];
  for (let i = 0; i < 8; i++) {
    posted.push(await post(i % 2 ? bob : alice, channelId, `tick ${i}`));
    if (i % 3 === 0) await sleep(2);
  }
  const ids = posted.map((m) => m.id);
  for (const id of ids) assert.match(id, ID);
  for (let i = 1; i < ids.length; i++) {
    assert.ok(ids[i]! > ids[i - 1]!, `id ${i} (${ids[i]}) > id ${i - 1} (${ids[i - 1]})`);
    assert.ok(posted[i].timestampMilli >= posted[i - 1].timestampMilli);
  }
  const page = await history(alice, channelId);
  assert.deepEqual(page.messages.map((m) => m.id), [...ids].reverse(), 'history is newest first');
});

test('posting with bad input: 400 naming the field', async () => {
  const channelId = await channelWith(alice, []);
  const url = `/v1/channels/${channelId}/messages`;
  assertError(await alice.post(url, { text: 5 }), 400, 'text');
  assertError(await alice.post(url, { text: null }), 400, 'text');
  assertError(await alice.post(url, {}), 400, 'text');
  assertError(await alice.post(url, { text: '' }), 400, 'text');
  assertError(await alice.post(url, { text: '  \n ' }), 400, 'text');
  assertError(await alice.post(url, { text: 'x'.repeat(100_001) }), 400, 'text');
  assertError(await alice.post(url, { text: 'ok', blocks: 'nope' }), 400, 'blocks');
  assertError(await alice.post(url, { text: 'ok', attachments: {} }), 400, 'attachments');
  assertError(await alice.post(url, { text: 'ok', ephemeral: { sendToUsers: 'x' } }), 400, 'ephemeral.sendToUsers');
  assert.deepEqual((await history(alice, channelId)).messages, [], 'nothing was posted');

  const longest = await alice.post(url, { text: 'y'.repeat(100_000) });
  assert.equal(longest.status, 200, 'exactly 100 000 characters is allowed');
  assert.equal(longest.body.text.length, 100_000);
});

test('posting to, or reading from, a channel that does not exist: 404', async () => {
  assertError(await alice.post(`/v1/channels/${UNKNOWN_ID}/messages`, { text: 'hi' }), 404);
  assertError(await alice.post('/v1/channels/nope/messages', { text: 'hi' }), 404);
  assertError(await alice.get(`/v1/channels/${UNKNOWN_ID}/messages`), 404);
  assertError(await alice.get(`/v1/channels/${s.generalId}/messages/${UNKNOWN_ID}`), 404);
  assertError(await alice.get(`/v1/channels/${s.generalId}/messages/nope`), 404);
});

test('a message is only found under its own channel', async () => {
  const a = await channelWith(alice, []);
  const b = await channelWith(alice, []);
  const m = await post(alice, a, 'lives in a');
  assertError(await alice.get(`/v1/channels/${b}/messages/${m.id}`), 404);
  assertError(await alice.put(`/v1/channels/${b}/messages/${m.id}`, { text: 'moved?' }), 404);
  assertError(await alice.delete(`/v1/channels/${b}/messages/${m.id}`), 404);
  assertError(await alice.post(`/v1/channels/${b}/messages/${m.id}`, { text: 'reply across channels' }), 404);
  assert.equal((await getMessage(alice, a, m.id)).text, 'lives in a');
});

// ---- history pages -------------------------------------------------------------------------------

describe('history pages over 30 messages', () => {
  let channelId: string;
  /** ids[i] is message m{i}; m0 the oldest */
  const ids: string[] = [];
  const byId = new Map<string, number>();

  before(async () => {
    channelId = await channelWith(alice, [bob]);
    for (let i = 0; i < 30; i++) {
      const m = await post(i % 3 === 2 ? bob : alice, channelId, `m${i}`);
      ids.push(m.id);
      byId.set(m.id, i);
    }
    // thread replies are not part of the channel's history
    await post(bob, channelId, 'a reply to m5', ids[5]);
    await post(alice, channelId, 'a reply to m29', ids[29]);
  });

  /** the message numbers of a page, e.g. [29, 28, ...] */
  const nums = (page: { messages: any[] }) => page.messages.map((m) => byId.get(m.id) ?? `?${m.text}`);
  /** newest first, from `hi` down to `lo`, both included */
  const down = (hi: number, lo: number) => Array.from({ length: hi - lo + 1 }, (_, i) => hi - i);

  test('no query: the newest 20 (default limit), hasMoreBefore, not hasMoreAfter', async () => {
    const page = await history(alice, channelId);
    assert.deepEqual(nums(page), down(29, 10));
    assert.equal(page.hasMoreBefore, true);
    assert.equal(page.hasMoreAfter, false);
    assert.deepEqual(page.messages.map((m) => m.text), down(29, 10).map((i) => `m${i}`));
    const explicit = await history(alice, channelId, '?strategy=BEFORE&limit=20');
    assert.deepEqual(explicit, page);
  });

  test('limit: 29 leaves one behind, 30 and 100 take all, 1 takes one', async () => {
    let page = await history(alice, channelId, '?limit=29');
    assert.deepEqual(nums(page), down(29, 1));
    assert.equal(page.hasMoreBefore, true);
    page = await history(alice, channelId, '?limit=30');
    assert.deepEqual(nums(page), down(29, 0));
    assert.equal(page.hasMoreBefore, false);
    assert.equal(page.hasMoreAfter, false);
    page = await history(alice, channelId, '?limit=100');
    assert.deepEqual(nums(page), down(29, 0));
    assert.equal(page.hasMoreBefore, false);
    page = await history(alice, channelId, '?limit=1');
    assert.deepEqual(nums(page), [29]);
    assert.equal(page.hasMoreBefore, true);
    assert.equal(page.hasMoreAfter, false);
  });

  test('BEFORE a cursor: strictly older messages; flags exact at the oldest edge', async () => {
    let page = await history(alice, channelId, `?cursor=${ids[20]}&strategy=BEFORE&limit=5`);
    assert.deepEqual(nums(page), down(19, 15));
    assert.equal(page.hasMoreBefore, true);
    assert.equal(page.hasMoreAfter, true);

    page = await history(alice, channelId, `?cursor=${ids[10]}&limit=10`);
    assert.deepEqual(nums(page), down(9, 0), 'exactly the 10 oldest');
    assert.equal(page.hasMoreBefore, false, 'nothing older than m0');
    assert.equal(page.hasMoreAfter, true);

    page = await history(alice, channelId, `?cursor=${ids[11]}&limit=10`);
    assert.deepEqual(nums(page), down(10, 1));
    assert.equal(page.hasMoreBefore, true, 'm0 is still older');

    page = await history(alice, channelId, `?cursor=${ids[3]}&limit=10`);
    assert.deepEqual(nums(page), down(2, 0));
    assert.equal(page.hasMoreBefore, false);
    assert.equal(page.hasMoreAfter, true);

    page = await history(alice, channelId, `?cursor=${ids[0]}&strategy=BEFORE`);
    assert.deepEqual(page.messages, []);
    assert.equal(page.hasMoreBefore, false);
    assert.equal(page.hasMoreAfter, true);
  });

  test('AFTER a cursor: strictly newer messages, newest first; flags exact at the newest edge', async () => {
    let page = await history(alice, channelId, `?cursor=${ids[19]}&strategy=AFTER&limit=10`);
    assert.deepEqual(nums(page), down(29, 20), 'exactly the 10 newest');
    assert.equal(page.hasMoreAfter, false, 'nothing newer than m29');
    assert.equal(page.hasMoreBefore, true);

    page = await history(alice, channelId, `?cursor=${ids[18]}&strategy=AFTER&limit=10`);
    assert.deepEqual(nums(page), down(28, 19));
    assert.equal(page.hasMoreAfter, true, 'm29 is still newer');
    assert.equal(page.hasMoreBefore, true);

    page = await history(alice, channelId, `?cursor=${ids[5]}&strategy=AFTER&limit=3`);
    assert.deepEqual(nums(page), down(8, 6));
    assert.equal(page.hasMoreAfter, true);
    assert.equal(page.hasMoreBefore, true);

    page = await history(alice, channelId, `?cursor=${ids[29]}&strategy=AFTER`);
    assert.deepEqual(page.messages, []);
    assert.equal(page.hasMoreAfter, false);
    assert.equal(page.hasMoreBefore, true);
  });

  test('AFTER without a cursor starts from the oldest', async () => {
    const page = await history(alice, channelId, '?strategy=AFTER&limit=5');
    assert.deepEqual(nums(page), down(4, 0));
    assert.equal(page.hasMoreBefore, false);
    assert.equal(page.hasMoreAfter, true);
  });

  test('AROUND a cursor: the cursor message with its neighbours on both sides, newest first', async () => {
    const check = (page: { messages: any[]; hasMoreBefore: boolean; hasMoreAfter: boolean }, cursor: number, limit: number) => {
      const n = nums(page) as number[];
      assert.ok(n.includes(cursor), `the cursor message m${cursor} is on the page: ${n}`);
      assert.ok(n.length <= limit);
      assert.deepEqual(n, down(n[0]!, n[n.length - 1]!), `a contiguous run, newest first: ${n}`);
      assert.equal(page.hasMoreBefore, n[n.length - 1]! > 0, `hasMoreBefore for ${n}`);
      assert.equal(page.hasMoreAfter, n[0]! < 29, `hasMoreAfter for ${n}`);
      return n;
    };
    // in the middle: a full page, centred on the cursor
    let n = check(await history(alice, channelId, `?cursor=${ids[15]}&strategy=AROUND&limit=10`), 15, 10);
    assert.equal(n.length, 10);
    const newer = n.filter((i) => i > 15).length;
    const older = n.filter((i) => i < 15).length;
    assert.ok(Math.abs(newer - older) <= 1, `centred: ${newer} newer, ${older} older`);
    assert.ok(newer >= 4 && older >= 4);

    n = check(await history(alice, channelId, `?cursor=${ids[15]}&strategy=AROUND&limit=3`), 15, 3);
    assert.deepEqual(n, [16, 15, 14]);

    // at the edges
    n = check(await history(alice, channelId, `?cursor=${ids[0]}&strategy=AROUND&limit=10`), 0, 10);
    assert.ok(n.length >= 5);
    n = check(await history(alice, channelId, `?cursor=${ids[29]}&strategy=AROUND&limit=10`), 29, 10);
    assert.ok(n.length >= 5);
    check(await history(alice, channelId, `?cursor=${ids[1]}&strategy=AROUND&limit=4`), 1, 4);
    check(await history(alice, channelId, `?cursor=${ids[28]}&strategy=AROUND&limit=4`), 28, 4);
    check(await history(alice, channelId, `?cursor=${ids[27]}&strategy=AROUND&limit=4`), 27, 4);
    check(await history(alice, channelId, `?cursor=${ids[2]}&strategy=AROUND&limit=4`), 2, 4);
    check(await history(alice, channelId, `?cursor=${ids[15]}&strategy=AROUND&limit=100`), 15, 100);
    const all = await history(alice, channelId, `?cursor=${ids[15]}&strategy=AROUND&limit=100`);
    assert.deepEqual(nums(all), down(29, 0));
  });

  test('walking back with BEFORE and the last id as cursor visits every message once', async () => {
    const seen: number[] = [];
    let query = '?limit=7';
    let pages = 0;
    for (;;) {
      const page = await history(alice, channelId, query);
      pages++;
      if (pages > 1) assert.equal(page.hasMoreAfter, true, 'every page after the first has newer messages');
      else assert.equal(page.hasMoreAfter, false);
      seen.push(...(nums(page) as number[]));
      if (!page.hasMoreBefore) break;
      assert.equal(page.messages.length, 7);
      query = `?limit=7&strategy=BEFORE&cursor=${page.messages[page.messages.length - 1].id}`;
      assert.ok(pages < 10, 'the walk ends');
    }
    assert.equal(pages, 5);
    assert.deepEqual(seen, down(29, 0));
  });

  test('walking forward with AFTER and the newest id as cursor visits every message once', async () => {
    const seen: number[] = [];
    let query = '?limit=8&strategy=AFTER';
    let pages = 0;
    for (;;) {
      const page = await history(bob, channelId, query);
      pages++;
      assert.equal(page.hasMoreBefore, pages > 1);
      seen.push(...(nums(page) as number[]).reverse());
      if (!page.hasMoreAfter) break;
      query = `?limit=8&strategy=AFTER&cursor=${page.messages[0].id}`;
      assert.ok(pages < 10, 'the walk ends');
    }
    assert.equal(pages, 4);
    assert.deepEqual(seen, down(29, 0).reverse());
  });

  test('bad paging parameters: 400 naming the parameter', async () => {
    const url = `/v1/channels/${channelId}/messages`;
    assertError(await alice.get(`${url}?limit=101`), 400, 'limit');
    assertError(await alice.get(`${url}?limit=1000`), 400, 'limit');
    assertError(await alice.get(`${url}?limit=0`), 400, 'limit');
    assertError(await alice.get(`${url}?limit=-5`), 400, 'limit');
    assertError(await alice.get(`${url}?limit=abc`), 400, 'limit');
    assertError(await alice.get(`${url}?limit=2.5`), 400, 'limit');
    assertError(await alice.get(`${url}?strategy=SIDEWAYS`), 400, 'strategy');
    assertError(await alice.get(`${url}?strategy=before`), 400, 'strategy');
    assertError(await alice.get(`${url}?cursor=not-an-id`), 400, 'cursor');
    assertError(await alice.get(`${url}/${ids[5]}/replies?limit=101`), 400, 'limit');
  });

  test('a deleted message leaves the history; the pages close over the gap', async () => {
    const extra = await post(alice, channelId, 'to be deleted');
    assert.deepEqual(nums(await history(alice, channelId, '?limit=2')), ['?to be deleted', 29]);
    assertEmpty200(await alice.delete(`/v1/channels/${channelId}/messages/${extra.id}`));
    const page = await history(alice, channelId, '?limit=2');
    assert.deepEqual(nums(page), [29, 28]);
    assert.equal(page.hasMoreAfter, false);
    const after = await history(alice, channelId, `?cursor=${ids[28]}&strategy=AFTER&limit=5`);
    assert.deepEqual(nums(after), [29]);
    assert.equal(after.hasMoreAfter, false);
  });
});

// ---- threads -------------------------------------------------------------------------------------

test('threads: replies, repliesCount, repliers, replies oldest first, a reply to a reply, a deleted reply', async () => {
  const channelId = await channelWith(alice, [bob, carol]);
  const root = await post(alice, channelId, 'root');
  assert.ok(root.threadRootInfo === undefined || root.threadRootInfo.repliesCount === 0);
  const empty = await bob.get(`/v1/channels/${channelId}/messages/${root.id}/replies`);
  assert.equal(empty.status, 200);
  assert.deepEqual(empty.body, []);

  const r1 = await post(bob, channelId, 'first reply', root.id);
  assertMessage(r1, { channelId, author: bob.userId, text: 'first reply' });
  assert.equal(r1.threadReplyInfo.rootId, root.id);
  assert.equal(r1.threadRootInfo, undefined);
  await sleep(2);
  const r2 = await post(carol, channelId, 'second reply', root.id);
  assert.equal(r2.threadReplyInfo.rootId, root.id);

  let fetched = await getMessage(alice, channelId, root.id);
  assertMessage(fetched, { id: root.id, text: 'root' });
  assert.equal(fetched.threadRootInfo.repliesCount, 2);
  assert.deepEqual([...fetched.threadRootInfo.repliers].sort(), [bob.userId, carol.userId].sort());
  assert.equal(fetched.threadRootInfo.lastReplyTimestampMilli, r2.timestampMilli);
  assert.equal(fetched.threadRootInfo.lastReplyTimestamp, r2.timestamp);
  assert.equal(fetched.threadReplyInfo, undefined);

  // the root in the history carries the same count; the replies are not in the history
  const page = await history(alice, channelId);
  assert.deepEqual(page.messages.map((m) => m.id), [root.id]);
  assert.equal(page.messages[0].threadRootInfo.repliesCount, 2);

  // a reply fetched on its own
  assert.deepEqual(await getMessage(alice, channelId, r1.id), r1);

  // replies: a bare array, oldest first
  let replies = await alice.get(`/v1/channels/${channelId}/messages/${root.id}/replies`);
  assert.equal(replies.status, 200);
  assert.ok(Array.isArray(replies.body));
  for (const m of replies.body) assertMessage(m, { channelId });
  assert.deepEqual(replies.body.map((m: any) => m.id), [r1.id, r2.id]);
  assert.deepEqual(replies.body.map((m: any) => m.text), ['first reply', 'second reply']);

  // replying to a reply lands in the root's thread
  const r3 = await post(alice, channelId, 'reply to a reply', r1.id);
  assert.equal(r3.threadReplyInfo.rootId, root.id);
  fetched = await getMessage(bob, channelId, root.id);
  assert.equal(fetched.threadRootInfo.repliesCount, 3);
  assert.equal(fetched.threadRootInfo.lastReplyTimestampMilli, r3.timestampMilli);
  assert.deepEqual([...fetched.threadRootInfo.repliers].sort(), [alice.userId, bob.userId, carol.userId].sort());
  assert.equal((await getMessage(bob, channelId, r1.id)).threadRootInfo, undefined, 'a reply does not become a root');

  // deleting a reply lowers the count and takes it out of the thread
  assertEmpty200(await carol.delete(`/v1/channels/${channelId}/messages/${r2.id}`));
  fetched = await getMessage(bob, channelId, root.id);
  assert.equal(fetched.threadRootInfo.repliesCount, 2);
  replies = await bob.get(`/v1/channels/${channelId}/messages/${root.id}/replies`);
  assert.deepEqual(replies.body.map((m: any) => m.id), [r1.id, r3.id]);
  assertError(await bob.get(`/v1/channels/${channelId}/messages/${r2.id}`), 404);

  assertEmpty200(await bob.delete(`/v1/channels/${channelId}/messages/${r1.id}`));
  assertEmpty200(await alice.delete(`/v1/channels/${channelId}/messages/${r3.id}`));
  fetched = await getMessage(bob, channelId, root.id);
  assert.ok(fetched.threadRootInfo === undefined || fetched.threadRootInfo.repliesCount === 0, JSON.stringify(fetched.threadRootInfo));
  assert.deepEqual((await bob.get(`/v1/channels/${channelId}/messages/${root.id}/replies`)).body, []);
});

test('thread replies page with limit and cursor, oldest first', async () => {
  const channelId = await channelWith(alice, []);
  const root = await post(alice, channelId, 'paged root');
  const replies: string[] = [];
  for (let i = 0; i < 5; i++) replies.push((await post(alice, channelId, `reply ${i}`, root.id)).id);
  const url = `/v1/channels/${channelId}/messages/${root.id}/replies`;

  const all = await alice.get(url);
  assert.deepEqual(all.body.map((m: any) => m.id), replies);
  const first = await alice.get(`${url}?limit=2`);
  assert.equal(first.status, 200);
  assert.deepEqual(first.body.map((m: any) => m.id), replies.slice(0, 2), 'the first page holds the oldest replies');
  const next = await alice.get(`${url}?limit=2&strategy=AFTER&cursor=${replies[1]}`);
  assert.deepEqual(next.body.map((m: any) => m.id), replies.slice(2, 4));
  const back = await alice.get(`${url}?limit=2&strategy=BEFORE&cursor=${replies[4]}`);
  assert.deepEqual(back.body.map((m: any) => m.id), replies.slice(2, 4));
  assert.equal((await getMessage(alice, channelId, root.id)).threadRootInfo.repliesCount, 5);
});

test('threads: unknown roots and replies asked for as roots are 404', async () => {
  const channelId = await channelWith(alice, []);
  const root = await post(alice, channelId, 'a root');
  const reply = await post(alice, channelId, 'a reply', root.id);
  assertError(await alice.post(`/v1/channels/${channelId}/messages/${UNKNOWN_ID}`, { text: 'to nothing' }), 404);
  assertError(await alice.post(`/v1/channels/${channelId}/messages/nope`, { text: 'to nothing' }), 404);
  assertError(await alice.get(`/v1/channels/${channelId}/messages/${UNKNOWN_ID}/replies`), 404);
  assertError(await alice.get(`/v1/channels/${channelId}/messages/${reply.id}/replies`), 404);
  assertError(await alice.post(`/v1/channels/${channelId}/messages/${root.id}`, { text: 7 }), 400, 'text');
  assert.equal((await getMessage(alice, channelId, root.id)).threadRootInfo.repliesCount, 1);

  // a deleted message takes no replies
  const gone = await post(alice, channelId, 'gone');
  assertEmpty200(await alice.delete(`/v1/channels/${channelId}/messages/${gone.id}`));
  assertError(await alice.post(`/v1/channels/${channelId}/messages/${gone.id}`, { text: 'too late' }), 404);
});

// ---- edit and delete ---------------------------------------------------------------------------------

test('PUT edits a message: new text, edited: true, same id, author and time', async () => {
  const channelId = await channelWith(alice, [bob]);
  const m = await post(alice, channelId, 'first draft');
  await sleep(2);
  const r = await alice.put(`/v1/channels/${channelId}/messages/${m.id}`, { text: 'final text' });
  assert.equal(r.status, 200, r.text);
  assertMessage(r.body, {
    id: m.id,
    channelId,
    author: alice.userId,
    text: 'final text',
    edited: true,
    timestamp: m.timestamp,
    timestampMilli: m.timestampMilli,
  });
  assert.deepEqual(await getMessage(bob, channelId, m.id), r.body);
  assert.deepEqual((await history(bob, channelId)).messages, [r.body]);

  assertError(await alice.put(`/v1/channels/${channelId}/messages/${m.id}`, { text: '' }), 400, 'text');
  assertError(await alice.put(`/v1/channels/${channelId}/messages/${m.id}`, { text: 5 }), 400, 'text');
  assertError(await alice.put(`/v1/channels/${channelId}/messages/${m.id}`, { text: 'x'.repeat(100_001) }), 400, 'text');
  assertError(await alice.put(`/v1/channels/${channelId}/messages/${UNKNOWN_ID}`, { text: 'x' }), 404);
  assert.equal((await getMessage(bob, channelId, m.id)).text, 'final text');
});

test('DELETE a message: 200 empty; then it is gone everywhere', async () => {
  const channelId = await channelWith(alice, [bob]);
  const keep = await post(alice, channelId, 'keep me');
  const m = await post(alice, channelId, 'delete me');
  assertEmpty200(await alice.delete(`/v1/channels/${channelId}/messages/${m.id}`));
  assertError(await bob.get(`/v1/channels/${channelId}/messages/${m.id}`), 404);
  const page = await history(bob, channelId);
  assert.deepEqual(page.messages.map((x) => x.id), [keep.id]);
  assert.ok(!JSON.stringify(page).includes('delete me'));
  assertError(await alice.delete(`/v1/channels/${channelId}/messages/${m.id}`), 404);
  assertError(await alice.put(`/v1/channels/${channelId}/messages/${m.id}`, { text: 'revive' }), 404);
  assertError(await alice.post(`/v1/messages/${m.id}/reactions`, { code: ':wave:' }), 404);
  assertError(await alice.delete(`/v1/channels/${channelId}/messages/${UNKNOWN_ID}`), 404);
});

// ---- ephemeral -----------------------------------------------------------------------------------------

test('ephemeral messages reach only their targets and never enter history', async () => {
  const channelId = await channelWith(alice, [bob, carol]);
  const [lb, lc] = await Promise.all([Listener.connect(s.wsUrl, bob.token), Listener.connect(s.wsUrl, carol.token)]);
  try {
    const r = await alice.post(`/v1/channels/${channelId}/messages`, { text: 'psst, bob', ephemeral: { sendToUsers: [bob.userId] } });
    assert.equal(r.status, 200, r.text);
    assertMessage(r.body, { channelId, author: alice.userId, text: 'psst, bob' });
    const id = r.body.id;

    const frame = await lb.next((f) => f.message?.id === id);
    assert.equal(frame.message.text, 'psst, bob');
    assert.equal(frame.channelId, channelId);

    // carol hears the next ordinary message, but never the ephemeral one
    const normal = await post(alice, channelId, 'hello everyone');
    await lc.next((f) => f.message?.id === normal.id);
    await lb.next((f) => f.message?.id === normal.id);
    assert.deepEqual(lc.frames.filter((f) => JSON.stringify(f).includes(id) || JSON.stringify(f).includes('psst')), []);

    for (const c of [alice, bob, carol]) {
      const page = await history(c, channelId);
      assert.deepEqual(page.messages.map((m) => m.id), [normal.id]);
      assertError(await c.get(`/v1/channels/${channelId}/messages/${id}`), 404);
    }
  } finally {
    lb.close();
    lc.close();
  }
});

test('an ephemeral reply does not count as a reply of its thread', async () => {
  const channelId = await channelWith(alice, [bob]);
  const root = await post(alice, channelId, 'thread root');
  await post(bob, channelId, 'real reply', root.id);
  const r = await alice.post(`/v1/channels/${channelId}/messages/${root.id}`, { text: 'only bob', ephemeral: { sendToUsers: [bob.userId] } });
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.text, 'only bob');
  assert.equal((await getMessage(bob, channelId, root.id)).threadRootInfo.repliesCount, 1);
  const replies = await bob.get(`/v1/channels/${channelId}/messages/${root.id}/replies`);
  assert.deepEqual(replies.body.map((m: any) => m.text), ['real reply']);
});

test('ephemeral replies follow the rules of replies: unknown roots are 404, a reply to a reply joins the root', async () => {
  const channelId = await channelWith(alice, [bob]);
  const root = await post(alice, channelId, 'eph root');
  const reply = await post(bob, channelId, 'eph reply', root.id);
  const eph = { ephemeral: { sendToUsers: [bob.userId] } };
  const toReply = await alice.post(`/v1/channels/${channelId}/messages/${reply.id}`, { text: 'to the reply', ...eph });
  assert.equal(toReply.status, 200, toReply.text);
  assert.equal(toReply.body.threadReplyInfo?.rootId, root.id);
  const toRoot = await alice.post(`/v1/channels/${channelId}/messages/${root.id}`, { text: 'to the root', ...eph });
  assert.equal(toRoot.status, 200, toRoot.text);
  assert.equal(toRoot.body.threadReplyInfo?.rootId, root.id);
  assertError(await alice.post(`/v1/channels/${channelId}/messages/${UNKNOWN_ID}`, { text: 'to nothing', ...eph }), 404);
});

test('ephemeral targets must be users who can see the channel', async () => {
  const channelId = await channelWith(alice, [bob], 'PRIVATE');
  const url = `/v1/channels/${channelId}/messages`;
  assertError(await alice.post(url, { text: 'x', ephemeral: { sendToUsers: [] } }), 400, 'ephemeral.sendToUsers');
  assertError(await alice.post(url, { text: 'x', ephemeral: {} }), 400, 'ephemeral.sendToUsers');
  assertError(await alice.post(url, { text: 'x', ephemeral: { sendToUsers: ['nope'] } }), 400, 'ephemeral.sendToUsers[0]');
  assertError(await alice.post(url, { text: 'x', ephemeral: { sendToUsers: [bob.userId, carol.userId] } }), 400, 'ephemeral.sendToUsers[1]');
  assertError(await alice.post(url, { text: 'x', ephemeral: { sendToUsers: [bob.userId, UNKNOWN_ID] } }), 400, 'ephemeral.sendToUsers[1]');
  assertError(await alice.post(url, { text: '', ephemeral: { sendToUsers: [bob.userId] } }), 400, 'text');
});

// ---- reactions -----------------------------------------------------------------------------------------

test('reactions: add (idempotent per user and code), several users and codes, remove with a JSON body', async () => {
  const channelId = await channelWith(alice, [bob]);
  const m = await post(alice, channelId, 'react to me');
  const url = `/v1/messages/${m.id}/reactions`;

  assertEmpty200(await alice.post(url, { code: ':thumbsup:' }));
  assert.deepEqual((await getMessage(bob, channelId, m.id)).reactions, [{ user: alice.userId, code: ':thumbsup:' }]);

  assertEmpty200(await alice.post(url, { code: ':thumbsup:' }));
  assert.deepEqual((await getMessage(bob, channelId, m.id)).reactions, [{ user: alice.userId, code: ':thumbsup:' }], 'one entry per user and code');

  assertEmpty200(await bob.post(url, { code: ':thumbsup:' }));
  assertEmpty200(await bob.post(url, { code: ':tada:', skinTone: 3 }));
  const three = (await getMessage(alice, channelId, m.id)).reactions;
  assert.equal(three.length, 3);
  assert.deepEqual(
    [...three].sort((a: any, b: any) => (a.user + a.code).localeCompare(b.user + b.code)),
    [
      { user: alice.userId, code: ':thumbsup:' },
      { user: bob.userId, code: ':tada:' },
      { user: bob.userId, code: ':thumbsup:' },
    ].sort((a, b) => (a.user + a.code).localeCompare(b.user + b.code)),
  );
  // the history shows them too
  assert.equal((await history(alice, channelId)).messages[0].reactions.length, 3);

  assertEmpty200(await alice.delete(url, { code: ':thumbsup:' }));
  const left = (await getMessage(alice, channelId, m.id)).reactions;
  assert.equal(left.length, 2);
  assert.ok(left.every((r: any) => r.user === bob.userId));

  // removing is per user: alice cannot take bob's reaction away
  await alice.delete(url, { code: ':tada:' });
  assert.equal((await getMessage(alice, channelId, m.id)).reactions.length, 2);
});

test('reactions with bad input: 400 naming the field; unknown messages 404', async () => {
  const channelId = await channelWith(alice, []);
  const m = await post(alice, channelId, 'reaction target');
  const url = `/v1/messages/${m.id}/reactions`;
  assertError(await alice.post(url, { code: 'thumbsup' }), 400, 'code');
  assertError(await alice.post(url, { code: ':thumbs up:' }), 400, 'code');
  assertError(await alice.post(url, { code: '::' }), 400, 'code');
  assertError(await alice.post(url, { code: 5 }), 400, 'code');
  assertError(await alice.post(url, {}), 400, 'code');
  assertError(await alice.post(url, { code: ':ok:', skinTone: 7 }), 400, 'skinTone');
  assertError(await alice.post(url, { code: ':ok:', skinTone: 0 }), 400, 'skinTone');
  assertError(await alice.delete(url, { code: 'thumbsup' }), 400, 'code');
  assertError(await alice.post(`/v1/messages/${UNKNOWN_ID}/reactions`, { code: ':ok:' }), 404);
  assertError(await alice.post('/v1/messages/nope/reactions', { code: ':ok:' }), 404);
  assertError(await alice.delete(`/v1/messages/${UNKNOWN_ID}/reactions`, { code: ':ok:' }), 404);
  assert.deepEqual((await getMessage(alice, channelId, m.id)).reactions, []);
});

// ---- concurrency ---------------------------------------------------------------------------------

test('concurrent posts: every message kept once, with distinct ids, history in id order', async () => {
  const channelId = await channelWith(alice, [bob, carol]);
  const posted = await Promise.all(Array.from({ length: 24 }, (_, i) => [alice, bob, carol][i % 3]!.post(`/v1/channels/${channelId}/messages`, { text: `c${i}` })));
  for (const r of posted) assert.equal(r.status, 200, r.text);
  const ids = posted.map((r) => r.body.id);
  assert.equal(new Set(ids).size, 24);
  const page = await history(alice, channelId, '?limit=100');
  assert.equal(page.messages.length, 24);
  assert.deepEqual(page.messages.map((m) => m.id), [...ids].sort().reverse(), 'newest (greatest id) first');
});

test('concurrent replies: repliesCount is exact', async () => {
  const channelId = await channelWith(alice, [bob, carol]);
  const root = await post(alice, channelId, 'busy thread');
  const replies = await Promise.all(Array.from({ length: 15 }, (_, i) => [alice, bob, carol][i % 3]!.post(`/v1/channels/${channelId}/messages/${root.id}`, { text: `r${i}` })));
  for (const r of replies) assert.equal(r.status, 200, r.text);
  const fetched = await getMessage(alice, channelId, root.id);
  assert.equal(fetched.threadRootInfo.repliesCount, 15);
  assert.deepEqual([...fetched.threadRootInfo.repliers].sort(), [alice.userId, bob.userId, carol.userId].sort());
  assert.equal(fetched.threadRootInfo.lastReplyTimestampMilli, Math.max(...replies.map((r) => r.body.timestampMilli)));
  const list = await alice.get(`/v1/channels/${channelId}/messages/${root.id}/replies?limit=100`);
  assert.equal(list.body.length, 15);
  // and concurrent deletes bring it down exactly
  const dels = await Promise.all(replies.slice(0, 6).map((r, i) => [alice, bob, carol][i % 3]!.delete(`/v1/channels/${channelId}/messages/${r.body.id}`)));
  for (const d of dels) assert.equal(d.status, 200, d.text);
  assert.equal((await getMessage(alice, channelId, root.id)).threadRootInfo.repliesCount, 9);
});

test('concurrent identical reactions: one entry', async () => {
  const channelId = await channelWith(alice, [bob]);
  const m = await post(alice, channelId, 'pile on');
  const rs = await Promise.all(Array.from({ length: 6 }, () => bob.post(`/v1/messages/${m.id}/reactions`, { code: ':fire:' })));
  for (const r of rs) assert.equal(r.status, 200, r.text);
  assert.deepEqual((await getMessage(alice, channelId, m.id)).reactions, [{ user: bob.userId, code: ':fire:' }]);
});

test('PostgreSQL: concurrent replies keep an exact count and every replier', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url });
  try {
    const people = await Promise.all([createUser(server.owner, 'MEMBER', 'PA'), createUser(server.owner, 'MEMBER', 'PB'), createUser(server.owner, 'MEMBER', 'PC')]);
    const [a] = people as [Client, Client, Client];
    const channelId = (await a.post('/v1/channels', { name: 'pg thread' })).body.channel.id;
    assert.equal((await a.post(`/v1/channels/${channelId}/users`, { userIds: people.slice(1).map((p) => p.userId) })).status, 200);
    const root = (await a.post(`/v1/channels/${channelId}/messages`, { text: 'pg root' })).body;
    const replies = await Promise.all(
      Array.from({ length: 15 }, (_, i) => people[i % 3]!.post(`/v1/channels/${channelId}/messages/${root.id}`, { text: `r${i}` })),
    );
    for (const r of replies) assert.equal(r.status, 200, r.text);
    const info = (await a.get(`/v1/channels/${channelId}/messages/${root.id}`)).body.threadRootInfo;
    assert.equal(info.repliesCount, 15);
    assert.deepEqual([...info.repliers].sort(), people.map((p) => p.userId).sort(), 'no replier lost to a concurrent update');
    assert.equal(info.lastReplyTimestampMilli, Math.max(...replies.map((r) => r.body.timestampMilli)));
  } finally {
    await server.close();
    await pg.drop();
  }
});
