/**
 * Which apps get which events, for whom, in which shape (docs/app-platform.md §7.6, §8):
 * rendered from the outbox exactly as the delivery engine will send them.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { appEventCopies } from '../../src/domain/apps/app-event-routing.js';
import { renderAppEvent } from '../../src/surfaces/pumble/app-events.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
let alice: Client;
let appId: string;
let botId: string;

before(async () => {
  s = await startTestServer();
  await s.sb.dispatcher.stop(); // keep the outbox as written; this test expands by hand
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const manifest = {
    ...EXAMPLE,
    scopes: { botScopes: ['messages:read', 'reaction:read', 'channels:read'], userScopes: ['messages:read'] },
    eventSubscriptions: {
      url: 'https://app.example/events',
      events: ['NEW_MESSAGE', 'UPDATED_MESSAGE', 'MESSAGE_DELETED', 'REACTION_ADDED', 'CHANNEL_CREATED', 'CHANNEL_MEMBER_JOINED', 'APP_UNAUTHORIZED', 'WORKSPACE_USER_JOINED'],
    },
  };
  const created = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } });
  appId = created.body.id;
  const g = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read,bot:messages:read,bot:reaction:read,bot:channels:read' })}`, { headers: { authtoken: devToken } });
  assert.equal(g.status, 200, g.text);
  botId = ((await s.owner.get('/v1/workspaceUsers')).body as any[]).find((u) => u.isAddonBot).id;
});
after(() => s.close());

/** Expands every event written since `mark` and returns the app copies, newest event last. */
async function copiesSince(mark: string) {
  const store = s.sb.store;
  const rows = await s.sb.database.db.selectFrom('domain_events').selectAll().where('id', '>', mark).orderBy('id').execute();
  const out = [];
  for (const r of rows) {
    const stored = { id: r.id, workspaceId: r.workspace_id, type: r.type as any, event: JSON.parse(r.payload), requestId: r.request_id, createdAt: Number(r.created_at) };
    out.push(...(await appEventCopies(store, stored, renderAppEvent)));
  }
  return out.map((c) => ({ ...c, parsed: JSON.parse(c.envelope) }));
}
const mark = async () => (await s.sb.database.db.selectFrom('domain_events').select('id').orderBy('id', 'desc').limit(1).executeTakeFirst())?.id ?? '';

test('NEW_MESSAGE: one copy per app, for the users who may see it, with the §7.6 envelope and short keys', async () => {
  const m0 = await mark();
  // The bot is not in #general; the owner (authorised with messages:read) is.
  const posted = (await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'hello apps' })).body;
  const [copy, ...rest] = await copiesSince(m0);
  assert.equal(rest.length, 0);
  assert.equal(copy!.appId, appId);
  assert.equal(copy!.url, 'https://app.example/events');
  const env = copy!.parsed;
  assert.deepEqual(Object.keys(env).sort(), ['body', 'eventType', 'messageType', 'workspaceId', 'workspaceUserIds']);
  assert.equal(env.messageType, 'PUMBLE_EVENT');
  assert.equal(env.eventType, 'NEW_MESSAGE');
  assert.deepEqual(env.workspaceUserIds, [s.ownerId], 'the bot is not a member of #general');
  assert.equal(typeof env.body, 'string', 'the body is string-encoded JSON');
  const body = JSON.parse(env.body);
  assert.deepEqual(
    { ...body, rid: typeof body.rid },
    {
      mId: posted.id,
      wId: s.workspaceId,
      cId: s.generalId,
      trId: '',
      stc: false,
      aId: alice.userId,
      tx: 'hello apps',
      ty: 'NEW_MESSAGE',
      ts: posted.timestamp,
      tsm: posted.timestampMilli,
      rid: 'string',
    },
  );
});

test('a channel the bot is in: the bot is entitled; a private channel nobody of the app is in: no copy', async () => {
  const m0 = await mark();
  const withBot = (await s.owner.post('/v1/channels', { name: 'with-bot', type: 'PRIVATE' })).body.channel.id;
  await s.owner.post(`/v1/channels/${withBot}/users`, { userIds: [botId] });
  await s.owner.post(`/v1/channels/${withBot}/messages`, { text: 'in with the bot' });
  const secret = (await alice.post('/v1/channels', { name: 'alice-only', type: 'PRIVATE' })).body.channel.id;
  await alice.post(`/v1/channels/${secret}/messages`, { text: 'not for apps' });
  const copies = await copiesSince(m0);
  const msg = copies.find((c) => c.eventType === 'NEW_MESSAGE' && JSON.parse(c.parsed.body).tx === 'in with the bot')!;
  assert.deepEqual(msg.parsed.workspaceUserIds.sort(), [botId, s.ownerId].sort());
  assert.ok(!copies.some((c) => c.parsed.body.includes('not for apps')), 'nobody of the app may see it');
  const joined = copies.find((c) => c.eventType === 'CHANNEL_MEMBER_JOINED')!;
  assert.deepEqual(JSON.parse(joined.parsed.body).uIds, [botId]);
  assert.deepEqual(joined.parsed.workspaceUserIds, [botId], 'channels:read is a bot scope only');
});

test('edits are UPDATED_MESSAGE with e:true; a reply count change is not an update; deletes and reactions', async () => {
  const channel = (await s.owner.post('/v1/channels', { name: 'ev', type: 'PRIVATE' })).body.channel.id;
  await s.owner.post(`/v1/channels/${channel}/users`, { userIds: [botId] });
  const root = (await s.owner.post(`/v1/channels/${channel}/messages`, { text: 'root' })).body;
  const m0 = await mark();
  await s.owner.post(`/v1/channels/${channel}/messages/${root.id}`, { text: 'reply' });
  await s.owner.put(`/v1/channels/${channel}/messages/${root.id}`, { text: 'root edited' });
  await s.owner.post(`/v1/messages/${root.id}/reactions`, { code: ':+1:' });
  const reply = (await s.owner.get(`/v1/channels/${channel}/messages/${root.id}/replies`)).body[0];
  await s.owner.delete(`/v1/channels/${channel}/messages/${reply.id}`);
  const copies = await copiesSince(m0);
  assert.deepEqual(
    copies.map((c) => c.eventType),
    ['NEW_MESSAGE', 'UPDATED_MESSAGE', 'REACTION_ADDED', 'MESSAGE_DELETED'],
    'the root\'s reply-count updates are not events for apps',
  );
  assert.equal(JSON.parse(copies[0]!.parsed.body).trId, root.id);
  const upd = JSON.parse(copies[1]!.parsed.body);
  assert.equal(upd.e, true);
  assert.equal(upd.tx, 'root edited');
  assert.deepEqual(JSON.parse(copies[2]!.parsed.body), { wId: s.workspaceId, cId: channel, mId: root.id, mat: s.ownerId, uId: s.ownerId, rc: ':+1:', ty: 'REACTION_ADDED', rid: JSON.parse(copies[2]!.parsed.body).rid });
  assert.deepEqual(copies[2]!.parsed.workspaceUserIds, [botId], 'reaction:read is a bot scope only');
  const del = JSON.parse(copies[3]!.parsed.body);
  assert.equal(del.mId, reply.id);
  assert.equal(del.trId, root.id);
  assert.equal(del.aId, s.ownerId);
});

test('workspace events reach every entitled app user; APP_UNAUTHORIZED goes to its app as an APP_EVENT', async () => {
  const m0 = await mark();
  await createUser(s.owner, 'MEMBER', 'Bob');
  const joined = (await copiesSince(m0)).filter((c) => c.eventType === 'WORKSPACE_USER_JOINED');
  assert.equal(joined.length, 0, 'WORKSPACE_USER_JOINED needs user:read, which nobody granted');

  const m1 = await mark();
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const code = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: appId, scopes: 'messages:read' })}`, { headers: { authtoken: devToken } })).body.code;
  const secret = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps/mine/${appId}`, { headers: { authtoken: devToken } })).body;
  const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': appId, 'client-secret': secret.clientSecret, code } })).body;
  const del = await http(s.url, 'DELETE', '/v1/app/authorization', { headers: { token: tokens.accessToken, 'x-app-token': secret.appKey } });
  assert.equal(del.status, 200, del.text);
  const [unauth] = (await copiesSince(m1)).filter((c) => c.eventType === 'APP_UNAUTHORIZED');
  assert.equal(unauth!.parsed.messageType, 'APP_EVENT');
  assert.deepEqual(unauth!.parsed.workspaceUserIds, [s.ownerId]);
  const body = JSON.parse(unauth!.parsed.body);
  assert.equal(body.app, appId);
  assert.equal(body.accessGranted, false);
  assert.deepEqual(body.grantedScopes, ['messages:read']);
});

test('the remaining event types render with their keys: user joined/updated, archived, reaction removed, member left', async () => {
  // A second app with every scope it needs, subscribed to these events.
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const manifest = {
    ...EXAMPLE,
    name: 'watcher',
    bot: false,
    scopes: { botScopes: [], userScopes: ['user:read', 'channels:read', 'reaction:read'] },
    eventSubscriptions: {
      url: 'https://watcher.example/events',
      events: ['WORKSPACE_USER_JOINED', 'WORKSPACE_USER_UPDATED', 'CHANNEL_ARCHIVED', 'REACTION_REMOVED', 'CHANNEL_MEMBER_LEFT'],
    },
  };
  const watcher = (await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } })).body;
  const g = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: watcher.id, scopes: 'user:read,channels:read,reaction:read' })}`, { headers: { authtoken: devToken } });
  assert.equal(g.status, 200, g.text);
  const m0 = await mark();
  const dora = await createUser(s.owner, 'MEMBER', 'Dora');
  await s.owner.post(`/v1/workspaceUsers/${dora.userId}/deactivate`);
  const ch = (await s.owner.post('/v1/channels', { name: 'to-archive' })).body.channel.id;
  await s.owner.post(`/v1/channels/${ch}/users`, { userIds: [alice.userId] });
  const msg = (await s.owner.post(`/v1/channels/${ch}/messages`, { text: 'react' })).body;
  await s.owner.post(`/v1/messages/${msg.id}/reactions`, { code: ':tada:' });
  await s.owner.delete(`/v1/messages/${msg.id}/reactions`, { code: ':tada:' });
  await alice.post(`/v1/channels/${ch}/leave`);
  await s.owner.post(`/v1/channels/${ch}/archive`);
  const mine = (await copiesSince(m0)).filter((c) => c.appId === watcher.id);
  const byType = new Map(mine.map((c) => [c.eventType, JSON.parse(c.parsed.body)]));
  assert.deepEqual([...byType.keys()].sort(), ['CHANNEL_ARCHIVED', 'CHANNEL_MEMBER_LEFT', 'REACTION_REMOVED', 'WORKSPACE_USER_JOINED', 'WORKSPACE_USER_UPDATED']);
  const joined = byType.get('WORKSPACE_USER_JOINED');
  assert.deepEqual({ uId: joined.uId, uN: joined.uN, uE: joined.uE, st: joined.st, ro: joined.ro, ty: joined.ty }, { uId: dora.userId, uN: 'Dora', uE: dora.email, st: 'ACTIVATED', ro: 'USER', ty: 'WORKSPACE_USER_JOINED' });
  assert.equal(byType.get('WORKSPACE_USER_UPDATED').st, 'DEACTIVATED');
  assert.deepEqual(byType.get('REACTION_REMOVED'), { wId: s.workspaceId, cId: ch, mId: msg.id, mat: s.ownerId, uId: s.ownerId, rc: ':tada:', ty: 'REACTION_REMOVED', rid: byType.get('REACTION_REMOVED').rid });
  const left = byType.get('CHANNEL_MEMBER_LEFT');
  assert.deepEqual({ cId: left.cId, uIds: left.uIds, ty: left.ty }, { cId: ch, uIds: [alice.userId], ty: 'CHANNEL_MEMBER_LEFT' });
  const archived = byType.get('CHANNEL_ARCHIVED');
  assert.deepEqual({ cId: archived.cId, v: archived.v, uId: archived.uId, m: archived.m }, { cId: ch, v: true, uId: s.ownerId, m: [s.ownerId] });
  for (const c of mine) assert.deepEqual(c.parsed.workspaceUserIds, [s.ownerId], 'the authorising owner, who may see each');
});
