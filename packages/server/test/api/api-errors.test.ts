/**
 * The one error body of `/v1` and `/auth` (spec §4.3), through real HTTP: `{code: status × 1000,
 * message, field?, errors?}` for every 4xx, and malformed JSON, wrong types, unknown routes and
 * oversize bodies answered with 400 / 404 / 413, never a 500.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, freshPostgresDatabase, http, needs, OWNER, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { assertErrorShape, assertError } from '../support/assertions.js';

const LIMIT = 1024;
const UNKNOWN_ID = 'ffffffffffffffffffffffff';

let s: TestServer;
let member: Client;

before(async () => {
  s = await startTestServer({ bodyLimitBytes: LIMIT });
  member = await createUser(s.owner, 'MEMBER', 'Member');
});
after(() => s.close());

// ---- helpers ----------------------------------------------------------------------------------

const auth = () => ({ authorization: `Bearer ${s.owner.token}` });
const json = () => ({ ...auth(), 'content-type': 'application/json' });

// ---- malformed JSON ---------------------------------------------------------------------------

test('malformed JSON is 400, code 400000, on every route that takes a body', async () => {
  const m = await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'target' });
  assert.equal(m.status, 200);
  const routes: Array<[string, string]> = [
    ['POST', '/v1/channels'],
    ['POST', `/v1/channels/${s.generalId}/messages`],
    ['POST', `/v1/channels/${s.generalId}/messages/${m.body.id}`],
    ['PUT', `/v1/channels/${s.generalId}/messages/${m.body.id}`],
    ['POST', '/v1/channels/direct'],
    ['POST', `/v1/channels/${s.generalId}/users`],
    ['POST', `/v1/messages/${m.body.id}/reactions`],
    ['DELETE', `/v1/messages/${m.body.id}/reactions`],
    ['POST', '/v1/workspaceUsers'],
  ];
  for (const [method, path] of routes) {
    for (const raw of ['{"text": ', '{text: "unquoted"}', "{'a': 1}", '{"a": 1,}', 'nonsense']) {
      assertError(await http(s.url, method, path, { headers: json(), raw }), 400);
    }
  }
  assertError(await http(s.url, 'POST', '/auth/login', { headers: { 'content-type': 'application/json' }, raw: '{"email": "x@y",' }), 400);
  // nothing was changed by any of them
  assert.equal((await s.owner.get(`/v1/channels/${s.generalId}/messages/${m.body.id}`)).body.text, 'target');
});

test('an empty body declared as JSON is no body: 400 naming it where one is needed, fine where none is', async () => {
  assertError(await http(s.url, 'POST', '/v1/channels', { headers: json(), raw: '' }), 400, 'body');
  assertError(await http(s.url, 'POST', '/auth/login', { headers: { 'content-type': 'application/json' }, raw: '' }), 400, 'body');
  // Many clients send Content-Type: application/json on every request, bodyless ones included.
  const join = await http(s.url, 'POST', `/v1/channels/${s.generalId}/join`, { headers: json(), raw: '' });
  assert.equal(join.status, 200, join.text);
  const logoutless = await http(s.url, 'GET', '/v1/workspace', { headers: json(), raw: undefined });
  assert.equal(logoutless.status, 200);
});

test('a JSON body that is not an object is 400', async () => {
  for (const raw of ['null', '[]', '[{"name": "x"}]', '"general"', '42', 'true']) {
    const r = await http(s.url, 'POST', '/v1/channels', { headers: json(), raw });
    assertErrorShape(r, 400);
    const login = await http(s.url, 'POST', '/auth/login', { headers: { 'content-type': 'application/json' }, raw });
    assertErrorShape(login, 400);
  }
  // a route with a required body, called with none at all
  assertErrorShape(await http(s.url, 'DELETE', `/v1/messages/${UNKNOWN_ID}/reactions`, { headers: auth() }), 400);
});

test('bytes that are not UTF-8 JSON are 400', async () => {
  const res = await fetch(`${s.url}/v1/channels`, {
    method: 'POST',
    headers: json(),
    body: new Uint8Array([0x7b, 0x22, 0x6e, 0x22, 0x3a, 0xff, 0xfe, 0x7d]),
  });
  const text = await res.text();
  assertErrorShape({ status: res.status, headers: res.headers, body: JSON.parse(text), text }, 400);
});

test('prototype pollution attempts are refused with 400 and change nothing', async () => {
  for (const raw of [
    '{"__proto__": {"polluted": 1}, "name": "proto one"}',
    '{"constructor": {"prototype": {"polluted": 1}}, "name": "proto two"}',
    '{"text": "x", "__proto__": {"isAdmin": true}}',
  ]) {
    assertErrorShape(await http(s.url, 'POST', '/v1/channels', { headers: json(), raw }), 400);
  }
  assert.equal(({} as any).polluted, undefined);
  const names = ((await s.owner.get('/v1/channels')).body as any[]).map((i) => i.channel.name);
  assert.ok(!names.includes('proto one') && !names.includes('proto two'));
});

test('a body that is not JSON at all is refused with a 4xx in the one shape', async () => {
  const form = await http(s.url, 'POST', '/v1/channels', {
    headers: { ...auth(), 'content-type': 'application/x-www-form-urlencoded' },
    raw: 'name=form',
  });
  assertErrorShape(form, 415);
  const plain = await http(s.url, 'POST', '/v1/channels', { headers: { ...auth(), 'content-type': 'text/plain' }, raw: 'name=plain' });
  // text/plain is parsed (as a string), so this is the validation failure of a body that is not an object
  assertErrorShape(plain, 400);
});

// ---- wrong types --------------------------------------------------------------------------------

test('wrong types: 400 with the first offending field and every one of them in `errors`', async () => {
  const r = await s.owner.post('/v1/channels', { name: 5, type: 'NOPE', description: ['x'] });
  assertErrorShape(r, 400);
  const fields = new Set(r.body.errors.map((e: any) => e.field));
  for (const f of ['name', 'type', 'description']) assert.ok(fields.has(f), `errors name ${f}: ${r.text}`);
  assert.equal(r.body.field, 'name', 'the first offending field, in the order of the schema');

  assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 5 }), 400, 'text');
  assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: true }), 400, 'text');
  assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: { a: 1 } }), 400, 'text');
  assertError(await s.owner.post('/v1/channels/direct', { participantIds: [member.userId, 'not-an-id'] }), 400, 'participantIds[1]');
  assertError(await s.owner.post('/v1/channels/direct', { participantIds: [member.userId, 5] }), 400, 'participantIds[1]');
  assertError(await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'x', ephemeral: { sendToUsers: [5] } }), 400, 'ephemeral.sendToUsers[0]');
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: 12345678 } }), 400, 'password');
});

test('missing required fields: 400 naming the field', async () => {
  assertError(await s.owner.post('/v1/channels', { type: 'PUBLIC' }), 400, 'name');
  assertError(await s.owner.post('/v1/channels/direct', {}), 400, 'participantIds');
  assertError(await s.owner.post(`/v1/channels/${s.generalId}/users`, {}), 400, 'userIds');
  assertError(await s.owner.post('/v1/workspaceUsers', { name: 'x', password: 'long-enough', role: 'MEMBER' }), 400, 'email');
  assertError(await http(s.url, 'POST', '/auth/login', { body: {} }), 400, 'email');
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email } }), 400, 'password');
});

test('query strings of the wrong type: 400 naming the parameter', async () => {
  const url = `/v1/channels/${s.generalId}/messages`;
  assertError(await s.owner.get(`${url}?limit=abc`), 400, 'limit');
  assertError(await s.owner.get(`${url}?limit=1e400`), 400, 'limit');
  assertError(await s.owner.get(`${url}?limit=101`), 400, 'limit');
  assertError(await s.owner.get(`${url}?strategy=NEWEST`), 400, 'strategy');
  assertError(await s.owner.get(`${url}?cursor=zzzzzzzzzzzzzzzzzzzzzzzz`), 400, 'cursor');
  assertError(await s.owner.get('/v1/channels?types=PUBLIC,ROOMS'), 400, 'types[1]');
});

// ---- unknown routes and resources ---------------------------------------------------------------

test('unknown routes: 404, code 404000, with or without a token', async () => {
  const cases: Array<[string, string]> = [
    ['GET', '/v1/nope'],
    ['POST', '/v1/nope'],
    ['GET', '/v1/channels/x/y/z/w'],
    ['PATCH', '/v1/channels'],
    ['DELETE', '/v1/workspace'],
    ['PUT', `/v1/channels/${UNKNOWN_ID}`],
    ['GET', '/auth/login'],
    ['POST', '/auth/nope'],
    ['GET', '/nope'],
    ['GET', '/v2/channels'],
  ];
  for (const [method, path] of cases) {
    assertError(await http(s.url, method, path, { headers: auth() }), 404);
    assertError(await http(s.url, method, path), 404);
  }
  const withBody = await http(s.url, 'POST', '/v1/nope', { headers: json(), raw: '{"a": 1}' });
  assertError(withBody, 404);
});

test('unknown resources: 404, code 404000', async () => {
  assertError(await s.owner.get(`/v1/channels/${UNKNOWN_ID}`), 404);
  assertError(await s.owner.get(`/v1/channels/${s.generalId}/messages/${UNKNOWN_ID}`), 404);
  assertError(await s.owner.get(`/v1/workspaceUsers/${UNKNOWN_ID}`), 404);
  assertError(await s.owner.post(`/v1/messages/${UNKNOWN_ID}/reactions`, { code: ':x:' }), 404);
  assertError(await s.owner.get(`/v1/channels/direct?participantIds=${s.ownerId},${member.userId}`), 404);
});

test('a malformed percent-encoding in the path is a 400 in the one error shape', async () => {
  assertError(await http(s.url, 'GET', '/v1/channels/%ZZ', { headers: auth() }), 400);
  assertError(await http(s.url, 'GET', `/v1/channels/${s.generalId}/messages/%E0%A4%A`, { headers: auth() }), 400);
});

test('an overlong path parameter is a 414 in the one error shape', async () => {
  const r = await http(s.url, 'GET', `/v1/channels/${'a'.repeat(500)}`, { headers: auth() });
  assertErrorShape(r, 414);
});

// ---- oversize bodies ------------------------------------------------------------------------------

test(`bodies over the configured limit (${LIMIT} bytes) are 413, code 413000; under it they pass`, async () => {
  const big = 'x'.repeat(LIMIT + 10);
  const m = await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'limit target' });
  assert.equal(m.status, 200);
  const routes: Array<[string, string, unknown]> = [
    ['POST', `/v1/channels/${s.generalId}/messages`, { text: big }],
    ['POST', `/v1/channels/${s.generalId}/messages/${m.body.id}`, { text: big }],
    ['PUT', `/v1/channels/${s.generalId}/messages/${m.body.id}`, { text: big }],
    ['POST', '/v1/channels', { name: 'big', description: big }],
    ['DELETE', `/v1/messages/${m.body.id}/reactions`, { code: ':x:', pad: big }],
    ['POST', '/v1/workspaceUsers', { email: 'big@example.com', name: big, password: 'long-enough', role: 'MEMBER' }],
  ];
  for (const [method, path, body] of routes) {
    assertError(await http(s.url, method, path, { headers: auth(), body }), 413);
  }
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: big } }), 413);
  // malformed and oversize: the size is what counts
  assertError(await http(s.url, 'POST', `/v1/channels/${s.generalId}/messages`, { headers: json(), raw: `{"text": "${big}` }), 413);

  const fits = 'y'.repeat(LIMIT - 100);
  const ok = await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: fits });
  assert.equal(ok.status, 200, ok.text);
  assert.equal(ok.body.text, fits);
  assert.equal((await s.owner.get(`/v1/channels/${s.generalId}/messages/${m.body.id}`)).body.text, 'limit target');
});

test('the body limit is configuration: a server with the default limit takes the same body', async () => {
  const other = await startTestServer();
  try {
    const text = 'z'.repeat(LIMIT * 2);
    const r = await other.owner.post(`/v1/channels/${other.generalId}/messages`, { text });
    assert.equal(r.status, 200, r.text);
    assert.equal(r.body.text, text);
  } finally {
    await other.close();
  }
});

// ---- the same shape for every status ----------------------------------------------------------------

test('401, 403, 404 and 409 bodies have the same shape, without a field', async () => {
  assertError(await http(s.url, 'GET', '/v1/channels'), 401);
  assertError(await http(s.url, 'POST', '/auth/login', { body: { email: OWNER.email, password: 'wrong-password' } }), 401);
  assertError(await member.post('/v1/workspaceUsers', { email: 'no@example.com', name: 'No', password: 'long-enough', role: 'MEMBER' }), 403);
  assertError(await member.post(`/v1/channels/${s.generalId}/archive`), 403);
  assertError(await member.get(`/v1/channels/${UNKNOWN_ID}`), 404);
  assertError(await member.post('/v1/channels', { name: 'general' }), 409);
});

// ---- characters a database may choke on --------------------------------------------------------------

async function nulCharacters(server: TestServer): Promise<void> {
  const owner = server.owner;
  // Refused on every engine alike (PostgreSQL cannot store NUL in text): 400 naming the field.
  assertError(await owner.post(`/v1/channels/${server.generalId}/messages`, { text: 'before\u0000after' }), 400, 'text');

  assertError(await owner.post('/v1/channels', { name: `nul ${Date.now()}`, description: 'a\u0000b' }), 400, 'description');
  assertError(await owner.post('/v1/channels', { name: 'a\u0000b' }), 400, 'name');

  const user = await owner.post('/v1/workspaceUsers', { email: `nul${Date.now()}@example.com`, name: 'N\u0000L', password: 'long-enough', role: 'MEMBER' });
  assertError(user, 400, 'name');

  const login = await http(server.url, 'POST', '/auth/login', { body: { email: 'a\u0000b@example.com', password: 'long-enough' } });
  assertError(login, 400, 'email');

  assertError(await owner.get('/v1/workspaceUsers/a%00b'), 404);
}

test('NUL characters in strings are refused with a 400 naming the field, never a 500 (SQLite)', async () => {
  await nulCharacters(s);
});

test('NUL characters in strings are refused with a 400 naming the field, never a 500 (PostgreSQL)', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const server = await startTestServer({ databaseUrl: pg.url });
  try {
    await nulCharacters(server);
  } finally {
    await server.close();
    await pg.drop();
  }
});
