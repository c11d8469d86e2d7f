/** Slash commands end to end: a person types `/command`, a real local app answers (or does not). */
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { Listener, createUser, http, startTestServer, type Client, type TestServer } from '../support/helpers.js';
import { ReceivingApp } from '../support/app-receiver.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

let s: TestServer;
let alice: Client;
let receiver: ReceivingApp;
let botId: string;

before(async () => {
  s = await startTestServer();
  alice = await createUser(s.owner, 'MEMBER', 'Alice');
  receiver = new ReceivingApp();
  await receiver.start();
  const manifest = {
    ...EXAMPLE,
    offlineMessage: 'The app is napping.',
    slashCommands: [{ command: '/weather', url: `${receiver.url}/slash`, description: 'Weather', usageHint: '[city]' }],
  };
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const created = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } });
  assert.equal(created.status, 200, created.text);
  receiver.signingSecret = created.body.signingSecret;
  const grant = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'bot:messages:write' })}`, { headers: { authtoken: devToken } });
  assert.equal(grant.status, 200, grant.text);
  botId = ((await s.owner.get('/v1/workspaceUsers')).body as any[]).find((u) => u.isAddonBot).id;
});
after(async () => {
  await s.close();
  await receiver.stop();
});

async function run(text: string) {
  const l = await Listener.connect(s.wsUrl, alice.token);
  const r = await alice.post(`/v1/channels/${s.generalId}/messages`, { text });
  return { l, r };
}

test('the app gets a signed SLASH_COMMAND envelope; its ack message reaches the user ephemerally', async () => {
  receiver.answer = () => ({ status: 200, body: { message: 'Sunny in Lisbon' } });
  const { l, r } = await run('/weather   Lisbon  ');
  assert.equal(r.status, 200, r.text);
  assert.equal(r.body.isEphemeral, true, 'the invocation comes back as an ephemeral echo');
  const got = await receiver.next((x) => x.envelope.messageType === 'SLASH_COMMAND');
  assert.equal(got.path, '/slash');
  const { triggerId, ...rest } = got.envelope;
  assert.match(triggerId, /^[0-9a-f]{24}$/);
  assert.deepEqual(rest, { messageType: 'SLASH_COMMAND', slashCommand: '/weather', text: 'Lisbon', userId: alice.userId, channelId: s.generalId, workspaceId: s.workspaceId });
  assert.ok(got.headers['webhook-id'] && got.headers['webhook-signature'], 'Standard Webhooks headers too');
  const frame = await l.next((f) => f.type === 'message.ephemeral' && f.message.text === 'Sunny in Lisbon');
  assert.equal(frame.message.author, botId, 'from the app\'s bot');
  const history = await s.owner.get(`/v1/channels/${s.generalId}/messages?limit=100`);
  assert.ok(!history.body.messages.some((m: any) => m.text.startsWith('/weather')), 'the command is not posted');
  l.close();
});

test('commands match case-insensitively; a nack message is shown too', async () => {
  receiver.answer = () => ({ status: 400, body: { message: 'Unknown city' } });
  const { l } = await run('/WEATHER Atlantis');
  await l.next((f) => f.type === 'message.ephemeral' && f.message.text === 'Unknown city');
  l.close();
});

test('no answer within 3 s, or a failure without a message, shows the offline message', async () => {
  receiver.answer = () => 'hang';
  const started = Date.now();
  const { l } = await run('/weather slow');
  await l.next((f) => f.type === 'message.ephemeral' && f.message.text === 'The app is napping.', 6000);
  const took = Date.now() - started;
  assert.ok(took >= 2900, `offline after ${took} ms, not before the 3 s`);
  receiver.answer = () => ({ status: 500 });
  await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/weather broken' });
  await l.next((f) => f.type === 'message.ephemeral' && f.message.text === 'The app is napping.' && f.message.id !== undefined && l.frames.filter((x) => x.message?.text === 'The app is napping.').length === 2);
  l.close();
});

test('an unknown command gets an ephemeral error and nothing is posted', async () => {
  const { l, r } = await run('/nosuch thing');
  assert.equal(r.status, 200);
  const frame = await l.next((f) => f.type === 'message.ephemeral' && /not a command/.test(f.message.text));
  assert.match(frame.message.text, /^\/nosuch /);
  l.close();
});

test('after a secret rotation: Pumble headers use the new secret only; Standard Webhooks carries old and new for the grace day', async () => {
  const { verifyStandardWebhook, verifyPumbleSignature, appSigningKey } = await import('../../src/outbound/signing.js');
  const devToken = (await s.owner.post('/auth/developer-token')).body.token;
  const mine = (await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps/mine`, { headers: { authtoken: devToken } })).body[0];
  const oldSecret = receiver.signingSecret;
  const rotated = await http(s.url, 'PUT', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps/${mine.id}/secrets/rotate`, { headers: { authtoken: devToken } });
  assert.equal(rotated.status, 200);
  receiver.signingSecret = rotated.body.signingSecret;
  receiver.answer = () => ({ status: 200, body: {} });
  const before = receiver.received.length;
  await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/weather rotated' });
  const got = await receiver.next((r) => receiver.received.indexOf(r) >= before && r.envelope.text === 'rotated');
  assert.equal(String(got.headers['webhook-signature']).split(' ').length, 2, 'two signatures during the grace period');
  assert.ok(verifyStandardWebhook(got.headers, got.raw, appSigningKey(oldSecret)).ok, 'the old key still verifies (Standard)');
  assert.ok(verifyStandardWebhook(got.headers, got.raw, appSigningKey(rotated.body.signingSecret)).ok, 'the new key verifies (Standard)');
  assert.equal(verifyPumbleSignature(got.headers, got.raw, oldSecret).ok, false, 'Pumble headers: the old secret no longer');
});

test('two apps with one command: the pick (commandAppId) goes to the picked app; no pick, or a pick without that command, to the app installed first', async () => {
  const second = new ReceivingApp();
  await second.start();
  try {
    const manifest = { ...EXAMPLE, name: 'second-weather', displayName: 'Second Weather', slashCommands: [{ command: '/weather', url: `${second.url}/slash`, description: 'Also weather' }] };
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const created = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, { body: manifest, headers: { authtoken: devToken } });
    assert.equal(created.status, 200, created.text);
    second.signingSecret = created.body.signingSecret;
    const grant = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: created.body.id, scopes: 'bot:messages:write' })}`, { headers: { authtoken: devToken } });
    assert.equal(grant.status, 200, grant.text);
    // the web client's menu lists both
    const listed = ((await alice.get('/v1/appActions')).body.slashCommands as any[]).filter((c) => c.command === '/weather');
    assert.deepEqual(listed.map((c) => c.appName).sort(), ['Second Weather', EXAMPLE.displayName].sort());
    receiver.answer = () => ({ status: 200, body: { message: 'first app' } });
    second.answer = () => ({ status: 200, body: { message: 'second app' } });
    const l = await Listener.connect(s.wsUrl, alice.token);

    const picked = await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/weather Porto', commandAppId: created.body.id });
    assert.equal(picked.status, 200, picked.text);
    assert.equal((await second.next((x) => x.envelope.text === 'Porto')).envelope.slashCommand, '/weather');

    const firstOne = receiver.received.length;
    await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/weather Braga' });
    await receiver.next((x) => receiver.received.indexOf(x) >= firstOne && x.envelope.text === 'Braga');

    // a pick of an installed app without the command (the person typed another one): as without a pick
    const third = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, {
      body: { ...EXAMPLE, name: 'no-weather', displayName: 'No Weather', slashCommands: [{ command: '/tides', url: `${second.url}/slash`, description: 'Tides' }] },
      headers: { authtoken: devToken },
    });
    assert.equal(third.status, 200, third.text);
    const thirdGrant = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/oauth2/grant?${new URLSearchParams({ clientId: third.body.id, scopes: 'bot:messages:write' })}`, { headers: { authtoken: devToken } });
    assert.equal(thirdGrant.status, 200, thirdGrant.text);
    assert.ok(((await alice.get('/v1/appActions')).body.slashCommands as any[]).some((c) => c.appId === third.body.id && c.command === '/tides'), 'installed');
    await alice.post(`/v1/channels/${s.generalId}/messages`, { text: '/weather Faro', commandAppId: third.body.id });
    await receiver.next((x) => x.envelope.text === 'Faro');
    assert.ok(!second.received.some((x) => x.envelope.text === 'Braga' || x.envelope.text === 'Faro'), 'the second app got only its pick');
    // each answer reached the person, from the app that was asked
    const answers = () => l.frames.filter((f) => f.type === 'message.ephemeral' && /app$/.test(f.message.text)).map((f) => f.message.text);
    await l.next(() => answers().length === 3);
    assert.deepEqual(answers().sort(), ['first app', 'first app', 'second app']);
    l.close();
  } finally {
    await second.stop();
  }
});
