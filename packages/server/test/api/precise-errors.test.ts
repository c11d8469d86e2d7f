/**
 * Bad input gets a 4xx that names the field and says what it must be, once (docs/pumble-api.md §3):
 * a value outside a set of constants, a code exchange with wrongly typed fields, an attachment field
 * of the wrong type; and an outgoing integration URL that can never be called is saved, as upstream
 * does, with a warning (integrations.md §3). Rocket.Chat's own `invalid-params` words stay upstream's
 * (rocketchat-api.test.ts pins them).
 */
import { test, before, after, describe } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { http, startTestServer, type Reply, type TestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { rcLogin, type RcClient } from '../support/rocketchat-client.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
let rc: RcClient;
before(async () => {
  s = await startTestServer();
  rc = await rcLogin(s.url, 'owner', 'owner-password-1');
});
after(() => s.close());

/** A 400 whose errors are exactly these, the first one also the message. */
function assertErrors(r: Reply, errors: Array<{ field: string; message: string }>): void {
  assertError(r, 400, errors[0]!.field);
  assert.deepEqual(r.body.errors, errors, r.text);
  assert.equal(r.body.message, `${errors[0]!.field}: ${errors[0]!.message}`);
}

describe('a value outside a set of constants is one error naming the choices', () => {
  test('body, query and nested fields of /v1 and the app-management API', async () => {
    assertErrors(await s.owner.post('/v1/channels', { name: 'zz', type: 'SECRET' }), [{ field: 'type', message: 'must be PUBLIC or PRIVATE' }]);
    assertErrors(await s.owner.post('/v1/workspaceUsers', { email: 'god@example.com', name: 'God', password: 'password-long-1', role: 'GOD' }), [
      { field: 'role', message: 'must be OWNER, ADMIN, MEMBER or GUEST' },
    ]);
    assertErrors(await s.owner.get(`/v1/channels/${s.generalId}/messages?strategy=SIDEWAYS`), [{ field: 'strategy', message: 'must be BEFORE, AFTER or AROUND' }]);
    // a union holding another union (level: all | mentions | nothing, or default)
    assertErrors(await s.owner.put(`/v1/channels/${s.generalId}/notificationLevel`, { level: 'loud' }), [
      { field: 'level', message: 'must be all, mentions, nothing or default' },
    ]);
    // several wrong fields: each once, in order
    assertErrors(await s.owner.post('/v1/channels', { name: 5, type: 'SECRET' }), [
      { field: 'name', message: 'must be string' },
      { field: 'type', message: 'must be PUBLIC or PRIVATE' },
    ]);

    const token = (await s.owner.post('/auth/developer-token')).body.token as string;
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
    const app = await http(s.url, 'POST', base, { body: { ...EXAMPLE, name: 'precise-errors' }, headers: { authtoken: token } });
    assert.equal(app.status, 200, app.text);
    const deliveries = await http(s.url, 'GET', `${base}/${app.body.id}/deliveries?status=nope`, { headers: { authtoken: token } });
    assertErrors(deliveries, [{ field: 'status', message: 'must be pending, succeeded, failed or cancelled' }]);
  });

  test('a nullable integer says so, and a value of the right type keeps its own limit', async () => {
    assertErrors(await s.owner.put('/v1/workspace', { messageRetentionDays: 'forever' }), [{ field: 'messageRetentionDays', message: 'must be an integer or null' }]);
    assertErrors(await s.owner.put('/v1/workspace', { messageRetentionDays: 99_999 }), [{ field: 'messageRetentionDays', message: 'must be <= 36500' }]);
  });
});

test('the code exchange says a present field of the wrong type is of the wrong type, not missing', async () => {
  assertErrors(await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': 1, 'client-secret': [], code: {} } }), [
    { field: 'client-id', message: 'must be a string' },
    { field: 'client-secret', message: 'must be a string, not a list (a form field sent twice is a list)' },
    { field: 'code', message: 'must be a string' },
  ]);
  assertErrors(await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': 'x', code: 'y' } }), [{ field: 'client-secret', message: 'required' }]);
  const repeated = await http(s.url, 'POST', '/oauth2/access', {
    raw: 'client-id=a&client-id=b&client-secret=s&code=c',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
  });
  assertErrors(repeated, [{ field: 'client-id', message: 'must be a string, not a list (a form field sent twice is a list)' }]);
});

test('attachments are checked as Slack defines them: a field of the wrong type is a 400 naming attachments[i].<field>', async () => {
  const post = (attachments: unknown) => s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'x', attachments });
  assertErrors(await post([{ color: 5 }]), [{ field: 'attachments[0].color', message: 'must be string or null' }]);
  assertErrors(await post([{ title: 7, fields: [{ title: 'a', value: 'b', short: 'yes' }] }]), [
    { field: 'attachments[0].title', message: 'must be string or null' },
    { field: 'attachments[0].fields[0].short', message: 'must be boolean or null' },
  ]);

  // what Slack allows is stored as sent, unknown keys included; a colour is any string (Slack draws
  // the ones it knows, as the web client does, and ignores the rest: refusing them would break posts)
  const ok = [{ color: 'good' }, { color: '#439FE0' }, { color: 'red' }, { color: null, fallback: 'f', mrkdwn_in: ['text'], fields: [{ title: 'n', value: 3, short: true }], ts: 1700000000 }];
  const posted = await post(ok);
  assert.equal(posted.status, 200, posted.text);
  assert.deepEqual(posted.body.attachments, ok);

  // every route that takes attachments
  const id = posted.body.id as string;
  const wrong = { field: 'attachments[0].color', message: 'must be string or null' };
  assertErrors(await s.owner.put(`/v1/channels/${s.generalId}/messages/${id}`, { text: 'y', attachments: [{ color: 1 }] }), [wrong]);
  assertErrors(await s.owner.put(`/v1/channels/${s.generalId}/messages/${id}/attachments`, { attachments: [{ color: true }] }), [wrong]);
  const scheduled = await s.owner.post('/v1/messages/scheduled', { channelId: s.generalId, text: 'later', sendAt: Date.now() + 3_600_000, attachments: [{ color: [] }] });
  assertErrors(scheduled, [wrong]);
});

test('an outgoing integration saved with a URL that is no URL is saved as upstream does, with a warning naming it', async () => {
  const body = { type: 'webhook-outgoing', name: 'nowhere', enabled: true, username: 'owner', channel: '#general', event: 'sendMessage', scriptEnabled: false };
  const r = await rc.post('integrations.create', { ...body, urls: ['not a url', 'ftp://example.com/x', 'https://example.com/hook'] });
  assert.equal(r.status, 200, r.text);
  assert.deepEqual(r.body.integration.urls, ['not a url', 'ftp://example.com/x', 'https://example.com/hook']);
  assert.deepEqual(r.body.warnings, [
    { field: 'urls[0]', url: 'not a url', reason: 'invalid-url', message: '"not a url" is not an absolute URL (https://host/path): calls to it fail (invalid-url)' },
    { field: 'urls[1]', url: 'ftp://example.com/x', reason: 'invalid-url', message: '"ftp://example.com/x" uses ftp:, and only http and https URLs are called: calls to it fail (invalid-url)' },
  ]);
  // with a script, which may give another URL, the warning says so; a good URL gets none
  const scripted = await rc.put('integrations.update', {
    ...body,
    integrationId: r.body.integration._id,
    token: r.body.integration.token,
    urls: ['not a url'],
    scriptEnabled: true,
    script: 'class Script { prepare_outgoing_request({ request }) { return { ...request, url: "https://example.com/" }; } }',
  });
  assert.equal(scripted.status, 200, scripted.text);
  assert.match(scripted.body.warnings[0].message, /unless the script's prepare_outgoing_request gives another URL$/);
  const fine = await rc.post('integrations.create', { ...body, name: 'somewhere', urls: ['https://example.com/hook'] });
  assert.equal(fine.status, 200, fine.text);
  assert.equal(fine.body.warnings, undefined);
});
