/**
 * What Rocket.Chat's own clients and end-to-end tests check byte for byte (issue #11 item 1): the
 * exact `Content-Type: application/json`, and the default room's hard-coded id `GENERAL`.
 */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { http, OWNER, startTestServer, type TestServer } from '../support/helpers.js';
import { rcLogin, type RcClient } from '../support/rocketchat-client.js';

let s: TestServer;
let owner: RcClient;

before(async () => {
  s = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  owner = await rcLogin(s.url, OWNER.email, OWNER.password);
});
after(() => s.close());

test('every /api/v1 answer is Content-Type: application/json exactly: success, 400, 401, 404', async () => {
  const answers = [
    await owner.get('me'),
    await owner.get('channels.info', { roomId: 'nope' }),
    await http(s.url, 'GET', '/api/v1/me'),
    await owner.get('no.such.method'),
    await http(s.url, 'POST', '/api/v1/login', { body: { user: 'x', password: 'y' } }),
  ];
  assert.deepEqual(
    answers.map((r) => r.status),
    [200, 400, 401, 404, 401],
  );
  for (const r of answers) assert.equal(r.headers.get('content-type'), 'application/json', r.text);
  // The other surfaces keep their charset.
  assert.equal((await s.owner.get('/v1/workspace')).headers.get('content-type'), 'application/json; charset=utf-8');
});

test('GENERAL names the default channel: channels.info, channels.messages and an incoming hook', async () => {
  const info = await owner.get('channels.info', { roomId: 'GENERAL' });
  assert.equal(info.status, 200, info.text);
  assert.equal(info.body.channel._id, s.generalId);
  const created = await owner.post('integrations.create', {
    type: 'webhook-incoming',
    name: 'to GENERAL',
    enabled: true,
    username: (await owner.get('me')).body.username,
    channel: '#general',
    scriptEnabled: false,
    overrideDestinationChannelEnabled: true,
  });
  assert.equal(created.status, 200, created.text);
  const { _id, token } = created.body.integration;
  const posted = await http(s.url, 'POST', `/hooks/${_id}/${token}`, { body: { text: 'hello GENERAL', channel: 'GENERAL' } });
  assert.equal(posted.status, 200, posted.text);
  // /hooks is Rocket.Chat's REST layer too: application/json exactly, answered or refused (a trial found a charset)
  const refused = await http(s.url, 'POST', `/hooks/${_id}/not-the-token`, { body: { text: 'x' } });
  assert.ok(refused.status >= 400, refused.text);
  for (const r of [posted, refused]) assert.equal(r.headers.get('content-type'), 'application/json', r.text);
  const messages = await owner.get('channels.messages', { roomId: 'GENERAL' });
  assert.equal(messages.status, 200, messages.text);
  assert.ok(
    messages.body.messages.some((m: { msg: string; rid: string }) => m.msg === 'hello GENERAL' && m.rid === s.generalId),
    messages.text,
  );
  // A private room's id is not reachable through GENERAL: it is the main channel alone.
  assert.equal((await owner.get('groups.info', { roomId: 'GENERAL' })).status, 400);
});
