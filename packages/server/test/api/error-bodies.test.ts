/**
 * Every non-2xx body of app management, OAuth and `/v1` carries `localizedMessage` (spec §4.3):
 * Pumble's SDK and CLI print it, and print `undefined` without it.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { http, startTestServer, type TestServer } from '../support/helpers.js';

let s: TestServer;
before(async () => {
  s = await startTestServer();
});
after(() => s.close());

function carriesLocalizedMessage(r: { status: number; body: any; text: string }, status: number) {
  assert.equal(r.status, status, r.text);
  assert.equal(r.body.code, status * 1000);
  assert.equal(typeof r.body.localizedMessage, 'string', r.text);
  assert.equal(r.body.localizedMessage, r.body.message);
}

test('/v1: 401, 404 and a 400 with its field', async () => {
  carriesLocalizedMessage(await http(s.url, 'GET', '/v1/channels'), 401);
  carriesLocalizedMessage(await s.owner.get('/v1/channels/ffffffffffffffffffffffff'), 404);
  const invalid = await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 42 });
  carriesLocalizedMessage(invalid, 400);
  assert.equal(invalid.body.field, 'text');
});

test('app management: a missing Authtoken and an invalid manifest', async () => {
  const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
  carriesLocalizedMessage(await http(s.url, 'POST', base, { body: {} }), 401);
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  carriesLocalizedMessage(await http(s.url, 'POST', base, { body: { name: 'x' }, headers: { authtoken: devToken } }), 400);
});

test('OAuth: a code exchange for an unknown client', async () => {
  const r = await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': 'ffffffffffffffffffffffff', 'client-secret': 'nope', code: 'nope' } });
  carriesLocalizedMessage(r, 401);
  assert.equal(r.body.message, 'Invalid client-id or client-secret');
});
