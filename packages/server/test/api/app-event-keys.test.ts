/**
 * Event bodies key by key (docs/app-platform.md §8.2), as a subscribed app receives them over
 * real HTTP: for each event type, the exact set of keys and the type of each value, checked against
 * the spec's table; keys without a value are absent, never null or "" (§8.2). Also the changes
 * that cause them: unarchiving, deleting a channel, custom statuses, ephemeral messages (§8.1).
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, freshPostgresDatabase, http, needs, startTestServer, type Client, type Reply, type TestServer } from '../support/helpers.js';
import { ReceivingApp, type Received } from '../support/app-receiver.js';
import { assertError } from '../support/assertions.js';

// ---- §8.2, as tables: key → value type; `?` marks keys the spec allows to be absent ----------------

type Kind = 'string' | 'number' | 'boolean' | 'string[]' | 'object[]' | 'object';
type Table = Record<string, Kind | `${Kind}?`>;

const MESSAGE: Table = {
  mId: 'string',
  wId: 'string',
  cId: 'string',
  trId: 'string',
  stc: 'boolean',
  trMt: 'string?',
  aId: 'string',
  tx: 'string',
  bl: 'object[]?',
  ty: 'string',
  ts: 'string',
  tsm: 'number',
  st: 'string?',
  rid: 'string',
  f: 'object[]?',
  lId: 'string?',
  att: 'object[]?',
  sm: 'object?',
  mm: 'object?',
  md: 'string[]?',
  mc: 'string[]?',
  mu: 'string[]?',
  au: 'string[]?',
  e: 'boolean?',
  eph: 'boolean?',
};
const REACTION_ADDED: Table = { wId: 'string', cId: 'string', mId: 'string', mat: 'string', uId: 'string', rc: 'string', ty: 'string', rid: 'string' };
const CHANNEL_CREATED: Table = { wId: 'string', cId: 'string', cN: 'string?', cU: 'string[]', cT: 'string', ty: 'string', rid: 'string' };
const CHANNEL_ARCHIVED: Table = { m: 'string[]', wId: 'string', cId: 'string', v: 'boolean', ty: 'string', rid: 'string', uId: 'string' };
const CHANNEL_DELETED: Table = { m: 'string[]', wId: 'string', cId: 'string', ty: 'string', rid: 'string' };
const USER_JOINED: Table = {
  uId: 'string',
  uN: 'string',
  uE: 'string',
  wId: 'string',
  ty: 'string',
  rid: 'string',
  afp: 'string?',
  asp: 'string?',
  tz: 'string?',
  st: 'string',
  ro: 'string',
  cs: 'object?',
  ib: 'string?',
  pt: 'string?',
  pp: 'string?',
  au: 'number?',
};
const USER_UPDATED: Table = { ...USER_JOINED, puE: 'string?', cb: 'string?', atz: 'boolean?' };
const CUSTOM_STATUS: Table = { st: 'string?', co: 'string?', ex: 'string?', ea: 'number?', su: 'boolean?' };
/** Text that may be empty: `trId` ("" when not a reply, §8.2), `tx` and the root's text `trMt` (a message of blocks only). */
const MAY_BE_EMPTY = new Set(['trId', 'tx', 'trMt']);

function kindOf(v: unknown): Kind | 'other' {
  if (typeof v === 'string') return 'string';
  if (typeof v === 'number') return 'number';
  if (typeof v === 'boolean') return 'boolean';
  if (Array.isArray(v)) {
    if (v.every((x) => typeof x === 'string')) return 'string[]';
    if (v.every((x) => typeof x === 'object' && x !== null && !Array.isArray(x))) return 'object[]';
    return 'other';
  }
  if (typeof v === 'object' && v !== null) return 'object';
  return 'other';
}

/** The body has exactly `keys`, each allowed by `table` with the type it gives; nothing null, nothing "" that has no value. */
function assertKeys(body: Record<string, unknown>, table: Table, keys: string[], what: string): void {
  assert.deepEqual(Object.keys(body).sort(), [...keys].sort(), `${what}: the key set`);
  for (const [key, spec] of Object.entries(table)) {
    if (!spec.endsWith('?')) assert.ok(key in body, `${what}: ${key} is required by §8.2`);
  }
  for (const [key, value] of Object.entries(body)) {
    const spec = table[key];
    assert.ok(spec, `${what}: ${key} is not a §8.2 key of this event`);
    const want = spec.replace('?', '') as Kind;
    // An empty list is a list of anything.
    const got = Array.isArray(value) && value.length === 0 && want.endsWith('[]') ? want : kindOf(value);
    assert.equal(got, want, `${what}: ${key} should be ${want}, is ${JSON.stringify(value)}`);
    assert.ok(value !== '' || MAY_BE_EMPTY.has(key), `${what}: ${key} is "" — a key without a value is absent`);
  }
}

// ---- the app ----------------------------------------------------------------------------------------

const EVENTS = [
  'NEW_MESSAGE',
  'UPDATED_MESSAGE',
  'REACTION_ADDED',
  'CHANNEL_CREATED',
  'CHANNEL_ARCHIVED',
  'CHANNEL_DELETED',
  'WORKSPACE_USER_JOINED',
  'WORKSPACE_USER_UPDATED',
];
const READ_SCOPES = ['messages:read', 'reaction:read', 'channels:read', 'user:read'];

let s: TestServer;
let alice: Client;
let bob: Client;
let receiver: ReceivingApp;
let botId: string;

before(async () => {
  s = await startTestServer();
  receiver = new ReceivingApp();
  await receiver.start();
  [alice, bob] = await Promise.all([createUser(s.owner, 'MEMBER', 'Alice'), createUser(s.owner, 'MEMBER', 'Bob')]);
  const devToken = (await s.owner.post('/auth/developer-token')).body.token as string;
  const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}`;
  const manifest = {
    name: 'key_checker',
    displayName: 'Key checker',
    bot: true,
    scopes: { botScopes: READ_SCOPES, userScopes: READ_SCOPES },
    shortcuts: [],
    slashCommands: [],
    eventSubscriptions: { url: `${receiver.url}/events`, events: EVENTS },
    redirectUrls: [`${receiver.url}/redirect`],
  };
  const created = await http(s.url, 'POST', `${base}/apps`, { body: manifest, headers: { authtoken: devToken } });
  assert.equal(created.status, 200, created.text);
  receiver.signingSecret = created.body.signingSecret;
  // The owner installs the app and authorises it: the owner and the bot are the app's users.
  const scopes = [...READ_SCOPES, ...READ_SCOPES.map((x) => `bot:${x}`)].join(',');
  const grant = await http(s.url, 'GET', `${base}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes })}`, { headers: { authtoken: devToken } });
  assert.equal(grant.status, 200, grant.text);
  const users = (await s.owner.get('/v1/workspaceUsers')).body as Array<{ id: string; name: string; isAddonBot: boolean }>;
  botId = users.find((u) => u.isAddonBot && u.name === 'Key checker')!.id;
  assert.ok(botId);
});
after(async () => {
  await receiver.stop();
  await s.close();
});

/** The first delivery of this event type whose body matches; its envelope and parsed body. */
async function received(eventType: string, match: (body: any) => boolean): Promise<{ envelope: any; body: any; raw: Received }> {
  const r = await receiver.next((x) => x.envelope.eventType === eventType && match(JSON.parse(x.envelope.body)));
  return { envelope: r.envelope, body: JSON.parse(r.envelope.body), raw: r };
}

/** Refused with this status (the §4.3 body) and a message saying why. */
function refused(r: Reply, status: number, message: RegExp): void {
  assertError(r, status);
  assert.match(r.body.message, message);
}

const richText = (...elements: unknown[]) => [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements }] }];

// ---- messages ---------------------------------------------------------------------------------------

test('NEW_MESSAGE: blocks, attachments and mentions (md, mc, mu); a reply adds trMt; stc is false unless asked', async () => {
  const group = await s.owner.post('/v1/workspaceUsers/groups', { name: 'Key team', handle: 'key-team', workspaceUserIds: [alice.userId] });
  assert.equal(group.status, 200, group.text);
  const blocks = richText(
    { type: 'text', text: 'hi ' },
    { type: 'user', user_id: alice.userId },
    { type: 'text', text: ' and ' },
    { type: 'user', user_id: alice.userId },
    { type: 'channel', channel_id: s.generalId },
    { type: 'usergroup', usergroup_id: group.body.id },
  );
  const attachments = [{ color: '#36a64f', title: 'A card', text: 'card text' }];
  const root = await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'hi @Alice and @Alice #general @key-team', blocks, attachments });
  assert.equal(root.status, 200, root.text);
  const { envelope, body } = await received('NEW_MESSAGE', (b) => b.mId === root.body.id);
  assert.deepEqual(envelope.workspaceUserIds, [s.ownerId], 'the bot is not in #general');
  assertKeys(body, MESSAGE, ['mId', 'wId', 'cId', 'trId', 'stc', 'aId', 'tx', 'bl', 'att', 'ty', 'ts', 'tsm', 'rid', 'md', 'mc', 'mu'], 'NEW_MESSAGE');
  assert.deepEqual(
    { ...body, rid: undefined },
    {
      mId: root.body.id,
      wId: s.workspaceId,
      cId: s.generalId,
      trId: '',
      stc: false,
      aId: s.ownerId,
      tx: 'hi @Alice and @Alice #general @key-team',
      bl: root.body.blocks,
      att: attachments,
      ty: 'NEW_MESSAGE',
      ts: root.body.timestamp,
      tsm: root.body.timestampMilli,
      rid: undefined,
      md: [alice.userId],
      mc: [s.generalId],
      mu: [group.body.id],
    },
  );

  const reply = await alice.post(`/v1/channels/${s.generalId}/messages/${root.body.id}`, { text: '', blocks: richText({ type: 'text', text: 'a reply' }) });
  assert.equal(reply.status, 200, reply.text);
  const r = (await received('NEW_MESSAGE', (b) => b.mId === reply.body.id)).body;
  assertKeys(r, MESSAGE, ['mId', 'wId', 'cId', 'trId', 'stc', 'trMt', 'aId', 'tx', 'bl', 'ty', 'ts', 'tsm', 'rid'], 'NEW_MESSAGE (reply)');
  assert.equal(r.trId, root.body.id);
  assert.equal(r.trMt, 'hi @Alice and @Alice #general @key-team', 'the thread root text');
  assert.equal(r.tx, '', 'tx is sent even when empty');
  assert.equal(r.stc, false, 'a reply not sent to the channel');
  assert.notEqual(r.rid, body.rid, 'rid is per originating request');
});

test('stc: a reply also sent to the channel says so in NEW_MESSAGE and UPDATED_MESSAGE, /v1 and the channel history', async () => {
  const root = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'root for stc' })).body;
  const reply = await alice.post(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'shown in the channel too', alsoSendToChannel: true });
  assert.equal(reply.status, 200, reply.text);
  assert.deepEqual(reply.body.threadReplyInfo, { rootId: root.id, replySentToChannel: true });
  const created = (await received('NEW_MESSAGE', (b) => b.mId === reply.body.id)).body;
  assert.equal(created.stc, true);
  assert.equal(created.trId, root.id);

  assert.equal((await alice.put(`/v1/channels/${s.generalId}/messages/${reply.body.id}`, { text: 'edited, still in the channel' })).status, 200);
  assert.equal((await received('UPDATED_MESSAGE', (b) => b.mId === reply.body.id)).body.stc, true);

  // The channel's history holds it beside the top-level messages; a plain reply stays in its thread.
  const plain = (await alice.post(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'thread only' })).body;
  assert.deepEqual(plain.threadReplyInfo, { rootId: root.id, replySentToChannel: false });
  const history = await s.owner.get(`/v1/channels/${s.generalId}/messages?limit=5`);
  const ids = history.body.messages.map((m: { id: string }) => m.id);
  assert.ok(ids.includes(reply.body.id) && ids.includes(root.id) && !ids.includes(plain.id), JSON.stringify(ids));
  const replies = await s.owner.get(`/v1/channels/${s.generalId}/messages/${root.id}/replies`);
  assert.deepEqual(replies.body.map((m: { id: string }) => m.id), [reply.body.id, plain.id], 'both stay in the thread');

  // On a top-level message the flag means nothing.
  const top = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'top', alsoSendToChannel: true });
  assert.equal(top.status, 200, top.text);
  assert.equal(top.body.threadReplyInfo, undefined);
  assert.equal((await received('NEW_MESSAGE', (b) => b.mId === top.body.id)).body.stc, false);
});

test('UPDATED_MESSAGE: the keys of NEW_MESSAGE plus e: true, for a top-level message and a reply', async () => {
  const root = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'before' })).body;
  const reply = (await s.owner.post(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'reply before' })).body;
  assert.equal((await s.owner.put(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'after' })).status, 200);
  const top = (await received('UPDATED_MESSAGE', (b) => b.mId === root.id)).body;
  assertKeys(top, MESSAGE, ['mId', 'wId', 'cId', 'trId', 'stc', 'aId', 'tx', 'ty', 'ts', 'tsm', 'rid', 'e'], 'UPDATED_MESSAGE');
  assert.deepEqual(
    { tx: top.tx, e: top.e, ty: top.ty, trId: top.trId, stc: top.stc, tsm: top.tsm, aId: top.aId },
    { tx: 'after', e: true, ty: 'UPDATED_MESSAGE', trId: '', stc: false, tsm: root.timestampMilli, aId: s.ownerId },
  );

  assert.equal((await s.owner.put(`/v1/channels/${s.generalId}/messages/${reply.id}`, { text: 'reply after' })).status, 200);
  const r = (await received('UPDATED_MESSAGE', (b) => b.mId === reply.id)).body;
  assertKeys(r, MESSAGE, ['mId', 'wId', 'cId', 'trId', 'stc', 'trMt', 'aId', 'tx', 'ty', 'ts', 'tsm', 'rid', 'e'], 'UPDATED_MESSAGE (reply)');
  assert.deepEqual({ tx: r.tx, trId: r.trId, trMt: r.trMt }, { tx: 'reply after', trId: root.id, trMt: 'after' });
});

test('NEW_MESSAGE with eph: an ephemeral message reaches the apps a recipient authorised, with au; others write no event', async () => {
  const eph = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'only you two', ephemeral: { sendToUsers: [s.ownerId, bob.userId] } });
  assert.equal(eph.status, 200, eph.text);
  const { envelope, body } = await received('NEW_MESSAGE', (b) => b.mId === eph.body.id);
  assert.deepEqual(envelope.workspaceUserIds, [s.ownerId], 'the recipient who authorised the app; bob did not');
  assertKeys(body, MESSAGE, ['mId', 'wId', 'cId', 'trId', 'stc', 'aId', 'tx', 'ty', 'ts', 'tsm', 'rid', 'au', 'eph'], 'NEW_MESSAGE (ephemeral)');
  assert.deepEqual(
    { eph: body.eph, au: body.au, tx: body.tx, aId: body.aId, cId: body.cId, trId: body.trId },
    { eph: true, au: [s.ownerId, bob.userId], tx: 'only you two', aId: alice.userId, cId: s.generalId, trId: '' },
  );

  // To bob alone: nobody of the app receives it, so it is not even written to the outbox.
  const hidden = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'bob only', ephemeral: { sendToUsers: [bob.userId] } });
  assert.equal(hidden.status, 200, hidden.text);
  const rows = await s.sb.database.db.selectFrom('domain_events').select('payload').where('type', '=', 'message.ephemeral').execute();
  assert.ok(rows.some((r) => r.payload.includes(eph.body.id)), 'the first one went through the outbox');
  assert.ok(!rows.some((r) => r.payload.includes(hidden.body.id)), 'no outbox event for an ephemeral message no app may see');
  const sentinel = (await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'sentinel' })).body;
  await received('NEW_MESSAGE', (b) => b.mId === sentinel.id);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!receiver.received.some((r) => r.raw.includes(hidden.body.id)));
});

test('REACTION_ADDED and CHANNEL_CREATED carry their §8.2 keys', async () => {
  const msg = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'react to me' })).body;
  await alice.post(`/v1/messages/${msg.id}/reactions`, { code: ':tada:' });
  const reaction = await received('REACTION_ADDED', (b) => b.mId === msg.id);
  assertKeys(reaction.body, REACTION_ADDED, Object.keys(REACTION_ADDED), 'REACTION_ADDED');
  assert.deepEqual({ ...reaction.body, rid: undefined }, { wId: s.workspaceId, cId: s.generalId, mId: msg.id, mat: s.ownerId, uId: alice.userId, rc: ':tada:', ty: 'REACTION_ADDED', rid: undefined });

  const ch = (await alice.post('/v1/channels', { name: 'keys-created' })).body.channel.id;
  const created = await received('CHANNEL_CREATED', (b) => b.cId === ch);
  assertKeys(created.body, CHANNEL_CREATED, Object.keys(CHANNEL_CREATED), 'CHANNEL_CREATED');
  assert.deepEqual({ ...created.body, rid: undefined }, { wId: s.workspaceId, cId: ch, cN: 'keys-created', cU: [alice.userId], cT: 'PUBLIC', ty: 'CHANNEL_CREATED', rid: undefined });
  assert.deepEqual(created.envelope.workspaceUserIds.sort(), [botId, s.ownerId].sort(), 'a public channel is news for everyone');
});

// ---- channels ---------------------------------------------------------------------------------------

test('CHANNEL_ARCHIVED: v true on archive, v false on unarchive (one event both ways); unarchived channels take posts', async () => {
  const ch = (await s.owner.post('/v1/channels', { name: 'keys-archive' })).body.channel.id;
  await s.owner.post(`/v1/channels/${ch}/users`, { userIds: [alice.userId] });
  const la = await Listener.connect(s.wsUrl, alice.token);
  try {
    assert.equal((await s.owner.post(`/v1/channels/${ch}/archive`)).status, 200);
    const archived = await received('CHANNEL_ARCHIVED', (b) => b.cId === ch && b.v === true);
    assertKeys(archived.body, CHANNEL_ARCHIVED, Object.keys(CHANNEL_ARCHIVED), 'CHANNEL_ARCHIVED (archived)');
    assert.deepEqual({ ...archived.body, rid: undefined, m: archived.body.m.sort() }, { m: [s.ownerId, alice.userId].sort(), wId: s.workspaceId, cId: ch, v: true, ty: 'CHANNEL_ARCHIVED', rid: undefined, uId: s.ownerId });
    assert.deepEqual(archived.envelope.workspaceUserIds, [s.ownerId], 'members only; the bot is not one');
    assertError(await alice.post(`/v1/channels/${ch}/messages`, { text: 'refused' }), 403);

    refused(await bob.post(`/v1/channels/${ch}/unarchive`), 403, /Only admins and the channel creator can unarchive it/);
    const un = await s.owner.post(`/v1/channels/${ch}/unarchive`);
    assert.equal(un.status, 200, un.text);
    assert.equal(un.body.channel.isArchived, false);
    const unarchived = await received('CHANNEL_ARCHIVED', (b) => b.cId === ch && b.v === false);
    assertKeys(unarchived.body, CHANNEL_ARCHIVED, Object.keys(CHANNEL_ARCHIVED), 'CHANNEL_ARCHIVED (unarchived)');
    assert.deepEqual({ ...unarchived.body, rid: undefined, m: unarchived.body.m.sort() }, { m: [s.ownerId, alice.userId].sort(), wId: s.workspaceId, cId: ch, v: false, ty: 'CHANNEL_ARCHIVED', rid: undefined, uId: s.ownerId });
    const frame = await la.next((f) => f.type === 'channel.unarchived' && f.channelId === ch);
    assert.equal(frame.channel.isArchived, false);
    assert.equal((await alice.post(`/v1/channels/${ch}/messages`, { text: 'posting again' })).status, 200);

    // Unarchiving a channel that is not archived changes nothing and tells nobody.
    assert.equal((await s.owner.post(`/v1/channels/${ch}/unarchive`)).status, 200);
    refused(await s.owner.post(`/v1/channels/${s.generalId}/unarchive`), 403, /general channel cannot be unarchived/);
    await new Promise((r) => setTimeout(r, 200));
    assert.equal(receiver.received.filter((r) => r.envelope.eventType === 'CHANNEL_ARCHIVED' && JSON.parse(r.envelope.body).cId === ch).length, 2);
  } finally {
    la.close();
  }
});

test('CHANNEL_DELETED: the members it had, to the app users among them; the channel and its history are gone; members hear it live', async () => {
  const ch = (await s.owner.post('/v1/channels', { name: 'keys-delete', type: 'PRIVATE' })).body.channel.id;
  await s.owner.post(`/v1/channels/${ch}/users`, { userIds: [alice.userId, botId] });
  const root = (await alice.post(`/v1/channels/${ch}/messages`, { text: 'soon gone' })).body;
  await s.owner.post(`/v1/channels/${ch}/messages/${root.id}`, { text: 'reply, soon gone' });
  await s.owner.post(`/v1/messages/${root.id}/reactions`, { code: ':wave:' });
  await s.owner.post(`/v1/channels/${ch}/messages`, { text: 'psst', ephemeral: { sendToUsers: [alice.userId] } });
  // An archived channel may be deleted too.
  assert.equal((await s.owner.post(`/v1/channels/${ch}/archive`)).status, 200);
  const [la, lb] = await Promise.all([Listener.connect(s.wsUrl, alice.token), Listener.connect(s.wsUrl, bob.token)]);
  try {
    const del = await s.owner.delete(`/v1/channels/${ch}`);
    assert.equal(del.status, 200, del.text);
    assert.equal(del.text, '');
    const { envelope, body } = await received('CHANNEL_DELETED', (b) => b.cId === ch);
    assertKeys(body, CHANNEL_DELETED, Object.keys(CHANNEL_DELETED), 'CHANNEL_DELETED');
    assert.deepEqual({ ...body, rid: undefined, m: body.m.sort() }, { m: [s.ownerId, alice.userId, botId].sort(), wId: s.workspaceId, cId: ch, ty: 'CHANNEL_DELETED', rid: undefined });
    assert.deepEqual(envelope.workspaceUserIds.sort(), [botId, s.ownerId].sort(), 'the bot and the owner were members');

    const frame = await la.next((f) => f.type === 'channel.deleted');
    assert.deepEqual(frame, { type: 'channel.deleted', channelId: ch, workspaceId: s.workspaceId });
    assert.equal((await lb.quiet((f) => f.type === 'channel.deleted')).length, 0, 'bob could not see the private channel');

    assertError(await s.owner.get(`/v1/channels/${ch}`), 404);
    assertError(await alice.get(`/v1/channels/${ch}/messages/${root.id}`), 404);
    assert.ok(!((await alice.get('/v1/channels')).body as any[]).some((c) => c.channel.id === ch));
    const db = s.sb.database.db;
    for (const table of ['messages', 'channel_members', 'ephemeral_messages'] as const) {
      const left = await db.selectFrom(table).select('channel_id').where('channel_id', '=', ch).execute();
      assert.equal(left.length, 0, `nothing left in ${table}`);
    }
    assert.equal((await db.selectFrom('reactions').select('message_id').where('message_id', '=', root.id).execute()).length, 0);
    assertError(await s.owner.delete(`/v1/channels/${ch}`), 404); // deleting twice
  } finally {
    la.close();
    lb.close();
  }
});

test('channel deletion: owners and admins only; never the general channel nor a direct one; the name is free again', async () => {
  const admin = await createUser(s.owner, 'ADMIN', 'Ada');
  const mine = (await alice.post('/v1/channels', { name: 'keys-alices' })).body.channel.id;
  refused(await alice.delete(`/v1/channels/${mine}`), 403, /Only owners and admins can delete a channel/);
  refused(await s.owner.delete(`/v1/channels/${s.generalId}`), 403, /The general channel cannot be deleted/);
  const dm = (await s.owner.post('/v1/channels/direct', { participantIds: [alice.userId] })).body.channel.id;
  refused(await s.owner.delete(`/v1/channels/${dm}`), 403, /Direct channels cannot be deleted/);
  assertError(await s.owner.delete('/v1/channels/0123456789abcdef01234567'), 404);

  assert.equal((await admin.delete(`/v1/channels/${mine}`)).status, 200, 'an admin deletes a channel that is not archived');
  // Alice alone was a member: nobody of the app could see the channel, so the app is not told.
  const sentinel = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'after the delete' })).body;
  await received('NEW_MESSAGE', (b) => b.mId === sentinel.id);
  await new Promise((r) => setTimeout(r, 200));
  assert.ok(!receiver.received.some((r) => r.envelope.eventType === 'CHANNEL_DELETED' && JSON.parse(r.envelope.body).cId === mine));
  const again = await alice.post('/v1/channels', { name: 'keys-alices' });
  assert.equal(again.status, 200, again.text);
  assert.notEqual(again.body.channel.id, mine);
});

// ---- workspace users --------------------------------------------------------------------------------

test('WORKSPACE_USER_JOINED: no empty strings for values Switchboard does not have (afp, asp, pt…): absent keys', async () => {
  const carol = await createUser(s.owner, 'GUEST', 'Carol');
  const { envelope, body } = await received('WORKSPACE_USER_JOINED', (b) => b.uId === carol.userId);
  assertKeys(body, USER_JOINED, ['uId', 'uN', 'uE', 'wId', 'ty', 'rid', 'tz', 'st', 'ro'], 'WORKSPACE_USER_JOINED');
  assert.deepEqual(
    { ...body, rid: undefined },
    { uId: carol.userId, uN: 'Carol', uE: carol.email, wId: s.workspaceId, ty: 'WORKSPACE_USER_JOINED', rid: undefined, tz: 'UTC', st: 'ACTIVATED', ro: 'GUEST_MULTI_CHANNEL' },
  );
  assert.deepEqual(envelope.workspaceUserIds.sort(), [botId, s.ownerId].sort(), 'everyone in the workspace may see it');
});

test('WORKSPACE_USER_UPDATED: on a custom status (cs, cb the user), and on deactivation (cb the admin); atz', async () => {
  const set = await alice.put('/v1/workspaceUsers/customStatus', { code: ':palm_tree:', status: 'On holiday', expiresAt: 0 });
  assert.equal(set.status, 200, set.text);
  const first = await received('WORKSPACE_USER_UPDATED', (b) => b.uId === alice.userId && b.cs?.co === ':palm_tree:');
  assertKeys(first.body, USER_UPDATED, ['uId', 'uN', 'uE', 'wId', 'ty', 'rid', 'tz', 'st', 'ro', 'cs', 'cb', 'atz'], 'WORKSPACE_USER_UPDATED (custom status)');
  assertKeys(first.body.cs, CUSTOM_STATUS, ['st', 'co', 'ea'], 'cs');
  assert.deepEqual(
    { ...first.body, rid: undefined },
    {
      uId: alice.userId,
      uN: 'Alice',
      uE: alice.email,
      wId: s.workspaceId,
      ty: 'WORKSPACE_USER_UPDATED',
      rid: undefined,
      tz: 'UTC',
      st: 'ACTIVATED',
      ro: 'USER',
      cs: { st: 'On holiday', co: ':palm_tree:', ea: 0 },
      cb: alice.userId,
      atz: true,
    },
  );
  assert.deepEqual(first.envelope.workspaceUserIds.sort(), [botId, s.ownerId].sort());

  // An emoji alone: the status text has no value, so it is absent.
  const until = Date.now() + 3_600_000;
  assert.equal((await alice.put('/v1/workspaceUsers/customStatus', { code: ':coffee:', expiresAt: until })).status, 200);
  const second = (await received('WORKSPACE_USER_UPDATED', (b) => b.uId === alice.userId && b.cs?.co === ':coffee:')).body;
  assertKeys(second.cs, CUSTOM_STATUS, ['co', 'ea'], 'cs (emoji only)');
  assert.deepEqual(second.cs, { co: ':coffee:', ea: until });

  const dave = await createUser(s.owner, 'MEMBER', 'Dave');
  assert.equal((await s.owner.post(`/v1/workspaceUsers/${dave.userId}/deactivate`)).status, 200);
  const off = (await received('WORKSPACE_USER_UPDATED', (b) => b.uId === dave.userId && b.st === 'DEACTIVATED')).body;
  assertKeys(off, USER_UPDATED, ['uId', 'uN', 'uE', 'wId', 'ty', 'rid', 'tz', 'st', 'ro', 'cb', 'atz'], 'WORKSPACE_USER_UPDATED (deactivated)');
  assert.equal(off.cb, s.ownerId);
});

test('PostgreSQL: deleting a channel with a history, twice at once or while people post, never answers 500', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url });
  try {
    const member = await createUser(server.owner, 'MEMBER', 'PgMember');
    const ch = (await server.owner.post('/v1/channels', { name: 'pg-delete' })).body.channel.id;
    await server.owner.post(`/v1/channels/${ch}/users`, { userIds: [member.userId] });
    const root = (await member.post(`/v1/channels/${ch}/messages`, { text: 'root' })).body;
    await server.owner.post(`/v1/channels/${ch}/messages/${root.id}`, { text: 'reply' });
    await member.post(`/v1/messages/${root.id}/reactions`, { code: ':ok:' });
    await server.owner.post(`/v1/channels/${ch}/messages`, { text: 'psst', ephemeral: { sendToUsers: [member.userId] } });
    const answers = await Promise.all(Array.from({ length: 4 }, () => server.owner.delete(`/v1/channels/${ch}`)));
    assert.deepEqual(answers.map((r) => r.status).sort(), [200, 404, 404, 404], answers.map((r) => r.text).join('\n'));
    assertError(await member.get(`/v1/channels/${ch}`), 404);
    const events = await server.sb.database.db.selectFrom('domain_events').select('payload').where('type', '=', 'channel.deleted').execute();
    assert.equal(events.length, 1, 'one event for one deletion');

    // Posts, replies, edits, reactions and joins racing a deletion: each is done before it, or finds nothing (404).
    for (let round = 0; round < 10; round++) {
      const busy = (await server.owner.post('/v1/channels', { name: `pg-busy-${round}` })).body.channel.id;
      await server.owner.post(`/v1/channels/${busy}/users`, { userIds: [member.userId] });
      const m = (await member.post(`/v1/channels/${busy}/messages`, { text: 'x' })).body;
      const race = await Promise.all([
        member.post(`/v1/channels/${busy}/messages`, { text: 'y' }),
        member.post(`/v1/channels/${busy}/messages/${m.id}`, { text: 'reply' }),
        member.put(`/v1/channels/${busy}/messages/${m.id}`, { text: 'edited' }),
        member.post(`/v1/messages/${m.id}/reactions`, { code: ':ok:' }),
        server.owner.post(`/v1/channels/${busy}/join`),
        server.owner.delete(`/v1/channels/${busy}`),
      ]);
      for (const r of race) assert.ok(r.status === 200 || r.status === 404, `${r.status} ${r.text}`);
      assert.equal(race.at(-1)!.status, 200, 'the deletion itself always succeeds');
    }
  } finally {
    await server.close();
    await pg.drop();
  }
});
