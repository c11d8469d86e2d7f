/** The app owner's delivery log (docs/delivery.md §8) and app deletion, through the app-management API. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createUser, http, startTestServer } from '../support/helpers.js';
import { assertError } from '../support/assertions.js';
import { ReceivingApp } from '../support/app-receiver.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

test('the owner lists deliveries with their attempts, replays one with the same id; triggers are logged too; others see nothing', async () => {
  const s = await startTestServer();
  const receiver = new ReceivingApp();
  await receiver.start();
  try {
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
    const dev = (method: string, path: string, body?: unknown) => http(s.url, method, path, { headers: { authtoken: devToken }, ...(body !== undefined && { body }) });
    const manifest = {
      ...EXAMPLE,
      slashCommands: [{ ...EXAMPLE.slashCommands[0], url: `${receiver.url}/hook` }],
      eventSubscriptions: { url: `${receiver.url}/hook`, events: ['NEW_MESSAGE'] },
    };
    const app = (await dev('POST', base, manifest)).body;
    receiver.signingSecret = app.signingSecret;
    const grant = await dev('GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.id, scopes: 'messages:read,bot:messages:write' })}`);
    assert.equal(grant.status, 200, grant.text);

    const posted = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'log me' })).body;
    const first = await receiver.next((r) => r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === posted.id);
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: '/my_slash_command please' });
    await receiver.next((r) => r.envelope.messageType === 'SLASH_COMMAND');

    let log: any[] = [];
    for (let i = 0; i < 50; i++) {
      log = (await dev('GET', `${base}/${app.id}/deliveries`)).body;
      if (log.some((d) => d.class === 'trigger') && log.some((d) => d.status === 'succeeded' && d.class === 'event')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    const event = log.find((d) => d.class === 'event')!;
    assert.equal(event.id, first.headers['webhook-id']);
    assert.equal(event.eventType, 'NEW_MESSAGE');
    assert.equal(event.status, 'succeeded');
    assert.equal(event.attempts.length, 1);
    assert.equal(event.attempts[0].responseStatus, 200);
    assert.ok(!JSON.stringify(event).includes(app.signingSecret), 'no secret in the log');
    const trigger = log.find((d) => d.class === 'trigger')!;
    assert.equal(trigger.eventType, 'SLASH_COMMAND');
    assert.equal(trigger.status, 'succeeded');
    assert.equal(trigger.attempts.length, 1);

    // replay: the same delivery again, same id, byte-identical body, attempt marked manual
    assert.equal((await dev('POST', `${base}/${app.id}/deliveries/${event.id}/replay`)).status, 200);
    const again = await receiver.next((r) => r !== first && r.headers['webhook-id'] === event.id);
    assert.equal(again.raw, first.raw);
    for (let i = 0; i < 50; i++) {
      const d = (await dev('GET', `${base}/${app.id}/deliveries`)).body.find((x: any) => x.id === event.id);
      if (d.attempts.length === 2) {
        assert.ok(d.attempts.some((a: any) => a.manual));
        break;
      }
      await new Promise((r) => setTimeout(r, 100));
    }

    // someone else: the app does not exist for them
    const other = await createUser(s.owner, 'ADMIN', 'Other');
    const otherToken = (await other.post('/auth/developer-token')).body.token;
    const otherBase = `/workspaces/${s.workspaceId}/workspaceUsers/${other.userId}/apps`;
    assertError(await http(s.url, 'GET', `${otherBase}/${app.id}/deliveries`, { headers: { authtoken: otherToken } }), 404);
    assertError(await http(s.url, 'POST', `${otherBase}/${app.id}/deliveries/${event.id}/replay`, { headers: { authtoken: otherToken } }), 404);
    assertError(await dev('POST', `${base}/${app.id}/deliveries/msg_00000000000000000000000000/replay`), 404);
  } finally {
    await s.close();
    await receiver.stop();
  }
});

test('deleting an app uninstalls it everywhere: its tokens end at once', async () => {
  const s = await startTestServer();
  try {
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const base = `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`;
    const app = (await http(s.url, 'POST', base, { body: EXAMPLE, headers: { authtoken: devToken } })).body;
    const code = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: app.id, scopes: 'messages:read,bot:messages:read' })}`, { headers: { authtoken: devToken } })).body.code;
    const tokens = (await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': app.id, 'client-secret': app.clientSecret, code } })).body;
    const me = (token: string) => http(s.url, 'GET', '/oauth2/me', { headers: { token, 'x-app-token': app.appKey } });
    assert.equal((await me(tokens.botToken)).status, 200);
    assert.equal((await http(s.url, 'DELETE', `${base}/${app.id}`, { headers: { authtoken: devToken } })).status, 204);
    assertError(await me(tokens.botToken), 401);
    assertError(await me(tokens.accessToken), 401);
    const left = await s.sb.database.db.selectFrom('app_installations').selectAll().where('app_id', '=', app.id).execute();
    assert.deepEqual(left, []);
  } finally {
    await s.close();
  }
});
