/**
 * The conformance harness (docs/app-platform.md §17, issue 3 item 7): an app behaving exactly as
 * a Pumble-SDK app does — verifying signatures the same way, answering with the same shapes,
 * calling /v1 with token + x-app-token — driven through a real server process over real HTTP.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Listener, http, login, tempDir } from '../support/helpers.js';
import { spawnServer, type ServerProcess } from '../support/process.js';
import { ReceivingApp } from '../support/app-receiver.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

test('an SDK-shaped app: created from the example manifest, granted, gets events, replies, runs a command, survives a restart', async () => {
  const dir = tempDir();
  const env = {
    DATABASE_URL: `sqlite:${join(dir.path, 'c.db')}`,
    SWITCHBOARD_ADMIN_EMAIL: 'owner@sdk.example',
    SWITCHBOARD_ADMIN_PASSWORD: 'owner-password',
    SWITCHBOARD_OUTBOUND_ALLOW_LOOPBACK: 'true',
  };
  const appServer = new ReceivingApp();
  await appServer.start();
  let server: ServerProcess = await spawnServer(env);
  try {
    const owner = await login(server.url, 'owner@sdk.example', 'owner-password');
    const general = ((await owner.get('/v1/channels')).body as any[])[0].channel.id;

    // 1. The developer creates the app from the example manifest, pointed at the app's server.
    const devToken = (await owner.post('/auth/developer-token')).body.token;
    const manifest = {
      ...EXAMPLE,
      offlineMessage: 'The SDK app is offline.',
      slashCommands: [{ ...EXAMPLE.slashCommands[0], url: `${appServer.url}/hook` }],
      eventSubscriptions: { url: `${appServer.url}/hook`, events: ['NEW_MESSAGE', 'APP_UNINSTALLED', 'APP_UNAUTHORIZED'] },
      redirectUrls: [`${appServer.url}/redirect`],
    };
    const created = await http(server.url, 'POST', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/apps`, { body: manifest, headers: { authtoken: devToken } });
    assert.equal(created.status, 200, created.text);
    const secrets = created.body;
    appServer.signingSecret = secrets.signingSecret;

    // 2. Grant, then exchange the code as the SDK does: multipart form.
    const grant = await http(server.url, 'GET', `/workspaces/${owner.workspaceId}/workspaceUsers/${owner.userId}/oauth2/grant?${new URLSearchParams({ clientId: secrets.id, scopes: 'messages:read,messages:write,bot:messages:read,bot:messages:write' })}`, { headers: { authtoken: devToken } });
    assert.equal(grant.status, 200, grant.text);
    const form = new FormData();
    form.set('client-id', secrets.id);
    form.set('client-secret', secrets.clientSecret);
    form.set('code', grant.body.code);
    const tokens = (await (await fetch(`${server.url}/oauth2/access`, { method: 'POST', body: form })).json()) as any;
    assert.ok(tokens.botToken && tokens.accessToken);
    const sdk = (token: string) => ({ token, 'x-app-token': secrets.appKey, 'User-Agent': 'pumble-sdk/1.0', AppVersion: 'app/1.0' });

    // 3. NEW_MESSAGE reaches the app, signed; the app replies in the thread through /v1.
    appServer.answer = (r) => {
      if (r.envelope.messageType === 'PUMBLE_EVENT') {
        const body = JSON.parse(r.envelope.body);
        if (body.ty === 'NEW_MESSAGE' && body.aId !== tokens.botId && body.trId === '') {
          void http(server.url, 'POST', `/v1/channels/${body.cId}/messages/${body.mId}`, { headers: sdk(tokens.botToken), body: { text: `echo: ${body.tx}` } });
        }
        return { status: 200, body: 'ok' };
      }
      return { status: 200, body: { message: 'ack from the app' } };
    };
    const posted = (await owner.post(`/v1/channels/${general}/messages`, { text: 'hi app' })).body;
    const event = await appServer.next((r) => r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === posted.id);
    assert.equal(event.envelope.messageType, 'PUMBLE_EVENT');
    assert.deepEqual(event.envelope.workspaceUserIds, [owner.userId]);
    assert.match(String(event.headers['webhook-id']), /^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
    let replies: any[] = [];
    for (let i = 0; i < 50 && replies.length === 0; i++) {
      replies = (await owner.get(`/v1/channels/${general}/messages/${posted.id}/replies`)).body;
      if (replies.length === 0) await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(replies[0]?.text, 'echo: hi app');
    assert.equal(replies[0]?.author, tokens.botId);

    // 4. A slash command: the ack's message arrives ephemerally over the WebSocket.
    const ws = await Listener.connect(server.url.replace('http', 'ws') + '/v1/realtime', owner.token);
    await owner.post(`/v1/channels/${general}/messages`, { text: '/my_slash_command now' });
    await ws.next((f) => f.type === 'message.ephemeral' && f.message.text === 'ack from the app');

    // 5. A slow app: the offline message.
    appServer.answer = (r) => (r.envelope.messageType === 'SLASH_COMMAND' ? { status: 200, body: {}, delayMs: 4000 } : { status: 200 });
    await owner.post(`/v1/channels/${general}/messages`, { text: '/my_slash_command slow' });
    await ws.next((f) => f.type === 'message.ephemeral' && f.message.text === 'The SDK app is offline.', 8000);
    ws.close();

    // 6. No event lost across a restart: the first attempt fails (503), the server is killed before
    //    the retry (5 s later), and after the restart the same delivery (same webhook-id) arrives.
    appServer.answer = () => ({ status: 503 });
    const kept = (await owner.post(`/v1/channels/${general}/messages`, { text: 'survive me' })).body;
    const first = await appServer.next((r) => r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === kept.id);
    // Between attempts: the failure is recorded and the retry scheduled (a kill during the attempt
    // itself is also safe, but its retry waits for the 60 s lease to expire).
    await new Promise((r) => setTimeout(r, 700));
    await server.stop('SIGKILL');
    appServer.answer = () => ({ status: 200 });
    server = await spawnServer(env);
    const again = await appServer.next((r) => r !== first && r.envelope.eventType === 'NEW_MESSAGE' && JSON.parse(r.envelope.body).mId === kept.id, 15_000);
    assert.equal(again.headers['webhook-id'], first.headers['webhook-id'], 'the same delivery id across the restart');
    assert.equal(again.raw, first.raw, 'byte-identical body');
  } finally {
    await server.stop();
    await appServer.stop();
    dir.remove();
  }
});
