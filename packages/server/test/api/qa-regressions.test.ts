/**
 * Regressions for what the acceptance review of the chat core found: each test is one finding.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { join } from 'node:path';
import { Listener, createUser, freshPostgresDatabase, http, needs, startTestServer, tempDir, type Client, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { spawnServer } from '../support/process.js';

let s: TestServer;
let alice: Client;
let bob: Client;
let carol: Client;

before(async () => {
  s = await startTestServer();
  [alice, bob, carol] = await Promise.all([createUser(s.owner, 'MEMBER', 'Alice'), createUser(s.owner, 'MEMBER', 'Bob'), createUser(s.owner, 'MEMBER', 'Carol')]);
});
after(() => s.close());

test('deeply nested JSON is a 400 naming where, even without a token, never a 500', async () => {
  const deep = (n: number) => '['.repeat(n) + ']'.repeat(n);
  const login = await http(s.url, 'POST', '/auth/login', {
    headers: { 'content-type': 'application/json' },
    raw: `{"email":"a@b.c","password":"x","x":${deep(10_000)}}`,
  });
  // the value at depth 32: the body, then x, then 30 arrays in
  assertError(login, 400, 'x' + '[0]'.repeat(31));
  const post = await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, {
    headers: { 'content-type': 'application/json', authorization: `Bearer ${alice.token}` },
    raw: `{"text":"x","attachments":[${deep(40)}]}`,
  });
  assertError(post, 400, 'attachments' + '[0]'.repeat(31));
  assert.match(post.body.message, /nested too deeply/);
});

test('invalid message blocks are dropped, valid ones kept', async () => {
  const good = { type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'hi' }] }] };
  const r = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'b1', blocks: [{ type: 'evil', x: 1 }, good] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.blocks, [good]);
  const only = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'b2', blocks: [{ type: 'section', text: { type: 'plain_text', text: 'not in messages' } }] });
  assert.equal(only.status, 200);
  assert.ok(!only.body.blocks || only.body.blocks.length === 0, 'a section block is not allowed in messages');
});

test('only the author edits or deletes an ephemeral message, and only for its own recipients', async () => {
  const priv = (await alice.post('/v1/channels', { name: 'qa-priv', type: 'PRIVATE' })).body.channel.id;
  await alice.post(`/v1/channels/${priv}/users`, { userIds: [bob.userId] });
  const [lb, lc] = await Promise.all([Listener.connect(s.wsUrl, bob.token), Listener.connect(s.wsUrl, carol.token)]);
  const eph = (await alice.post(`/v1/channels/${priv}/messages`, { text: 'for bob', ephemeral: { sendToUsers: [bob.userId] } })).body;

  // bob is a member but not the author: as if it did not exist
  assertError(await bob.delete(`/v1/channels/${priv}/messages/${eph.id}/ephemeral`, { deleteForUsers: [bob.userId] }), 404);
  assertError(await bob.put(`/v1/channels/${priv}/messages/${eph.id}`, { text: 'hijack', ephemeral: {} }), 404);
  assertError(await alice.delete(`/v1/channels/${priv}/messages/ffffffffffffffffffffffff/ephemeral`, { deleteForUsers: [carol.userId] }), 404);

  const edited = await alice.put(`/v1/channels/${priv}/messages/${eph.id}`, { text: 'for bob, edited', ephemeral: {} });
  assert.equal(edited.status, 200, edited.text);
  assert.equal(edited.body.edited, true);
  const upd = await lb.next((f) => f.type === 'message.ephemeral_updated' && f.message.id === eph.id);
  assert.equal(upd.message.text, 'for bob, edited');

  // carol, who is not a recipient (nor a member), is named: she hears nothing
  assert.equal((await alice.delete(`/v1/channels/${priv}/messages/${eph.id}/ephemeral`, { deleteForUsers: [bob.userId, carol.userId] })).status, 200);
  await lb.next((f) => f.type === 'message.ephemeral_deleted' && f.messageId === eph.id);
  assert.deepEqual(await lc.quiet((f) => f.channelId === priv), []);
  lb.close();
  lc.close();
});

test('member.left reaches everyone member.joined reached in a public channel', async () => {
  const pub = (await alice.post('/v1/channels', { name: 'qa-public' })).body.channel.id;
  const lc = await Listener.connect(s.wsUrl, carol.token);
  await bob.post(`/v1/channels/${pub}/join`);
  await lc.next((f) => f.type === 'member.joined' && f.channelId === pub);
  await bob.post(`/v1/channels/${pub}/leave`);
  await lc.next((f) => f.type === 'member.left' && f.channelId === pub && f.userId === bob.userId);
  lc.close();
});

test('a deleted root that holds replies reads as a tombstone, as it shows in history', async () => {
  const root = (await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'root' })).body;
  await bob.post(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'reply' });
  await alice.delete(`/v1/channels/${s.generalId}/messages/${root.id}`);
  const r = await alice.get(`/v1/channels/${s.generalId}/messages/${root.id}`);
  assert.equal(r.status, 200);
  assert.equal(r.body.deleted, true);
  assert.equal(r.body.text, '');
  const lone = (await alice.post(`/v1/channels/${s.generalId}/messages`, { text: 'lone' })).body;
  await alice.delete(`/v1/channels/${s.generalId}/messages/${lone.id}`);
  assertError(await alice.get(`/v1/channels/${s.generalId}/messages/${lone.id}`), 404);
});

/** Raw HTTP, for what fetch will not send. */
function raw(request: string): Promise<string> {
  const { port } = new URL(s.url);
  return new Promise((resolve, reject) => {
    const sock = connect(Number(port), '127.0.0.1');
    let out = '';
    sock.on('data', (d) => (out += d));
    sock.on('end', () => resolve(out));
    sock.on('error', reject);
    sock.write(request);
  });
}

test("errors of Node's HTTP parser carry the one error body", async () => {
  const bad = await raw('FOO /v1/channels HTTP/1.1\r\nHost: x\r\n\r\n');
  assert.match(bad, /^HTTP\/1.1 400/);
  assert.match(bad, /content-type: application\/json/i);
  assert.equal(JSON.parse(bad.split('\r\n\r\n')[1]!).code, 400000);
  const big = await raw(`GET /v1/channels HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20_000)}\r\n\r\n`);
  assert.match(big, /^HTTP\/1.1 431/);
  assert.equal(JSON.parse(big.split('\r\n\r\n')[1]!).code, 431000);
});

test('a long or odd x-request-id is replaced by our own', async () => {
  const long = await http(s.url, 'GET', '/healthz', { headers: { 'x-request-id': 'a'.repeat(500) } });
  assert.match(long.headers.get('x-request-id')!, /^[0-9a-f]{24}$/);
  const odd = await http(s.url, 'GET', '/healthz', { headers: { 'x-request-id': 'bad id {}' } });
  assert.match(odd.headers.get('x-request-id')!, /^[0-9a-f]{24}$/);
  assert.equal((await http(s.url, 'GET', '/healthz', { headers: { 'x-request-id': 'req-42' } })).headers.get('x-request-id'), 'req-42');
});

test('PostgreSQL: a NUL in a path id is a 404, not a 500', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url });
  try {
    const pub = (await server.owner.post('/v1/channels', { name: 'nul' })).body.channel.id;
    for (const path of [`/v1/channels/${pub}/users/%00`, `/v1/channels/${pub}/users/a%00b`]) {
      assertError(await server.owner.delete(path), 404);
    }
    assertError(await server.owner.get('/v1/workspaceUsers/a%00b'), 404);
    assertError(await server.owner.get(`/v1/channels/${pub}/messages?cursor=a%00b`), 400, 'cursor');
  } finally {
    await server.close();
    await pg.drop();
  }
});

test('SIGTERM gives requests in flight SHUTDOWN_TIMEOUT_MS, then cuts them and exits', async () => {
  const dir = tempDir();
  try {
    const sp = await spawnServer({ DATABASE_URL: `sqlite:${join(dir.path, 'd.db')}`, SWITCHBOARD_ADMIN_EMAIL: 'o@x.io', SWITCHBOARD_ADMIN_PASSWORD: 'password-123', SHUTDOWN_TIMEOUT_MS: '1000' });
    const { port } = new URL(sp.url);
    const sock = connect(Number(port), '127.0.0.1');
    await new Promise<void>((r) => sock.once('connect', () => r()));
    sock.on('error', () => {});
    sock.write('POST /auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"email":');
    await new Promise((r) => setTimeout(r, 200));
    const code = await sp.stop('SIGTERM');
    assert.equal(code, 0);
    sock.destroy();
  } finally {
    dir.remove();
  }
});

test('bootstrap refuses a weak admin password and an empty sqlite path', async () => {
  const dir = tempDir();
  try {
    await assert.rejects(spawnServer({ DATABASE_URL: `sqlite:${join(dir.path, 'w.db')}`, SWITCHBOARD_ADMIN_PASSWORD: 'abc' }, { readyTimeoutMs: 15_000 }), /at least 8 characters/);
    await assert.rejects(spawnServer({ DATABASE_URL: 'sqlite:' }, { readyTimeoutMs: 15_000 }), /needs a path/);
  } finally {
    dir.remove();
  }
});
