/**
 * Slack's own client library against the Slack URL form (docs/integrations.md §10): `@slack/webhook`'s
 * IncomingWebhook posts text, attachments, a display name and icons to `/services/{id}/{token}`, gets
 * Slack's `ok`, and the stored messages carry the alias and avatar; its errors are Slack's.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { IncomingWebhook, IncomingWebhookHTTPError } from '@slack/webhook';
import { startTestServer, tamper, type TestServer } from '../support/helpers.js';
import type { IntegrationDoc } from '../../src/domain/integrations/document.js';
import type { Message, User } from '../../src/domain/model.js';

let server: TestServer;
let owner: User;
let doc: IntegrationDoc;

before(async () => {
  server = await startTestServer({ env: { HOOK_RATE_LIMITS: 'off' } });
  owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
  doc = await server.sb.core.integrations.create(owner, {
    type: 'webhook-incoming',
    name: 'Slack client',
    enabled: true,
    username: owner.username,
    channel: '#general',
    scriptEnabled: false,
  });
});
after(async () => {
  await server.close();
});

const hookUrl = () => `${server.url}/services/${doc._id}/${doc.token}`;
let seq = 0;
const unique = (label: string) => `${label}-${Date.now().toString(36)}-${++seq}`;

/** Read back through the core's message API, as the owner sees #general. */
async function stored(text: string): Promise<Message> {
  const page = await server.sb.core.messages.list(owner, server.generalId, { limit: 50 });
  const m = page.messages.find((x) => x.text === text);
  assert.ok(m, `message "${text}" is in #general`);
  return m;
}

test('text: `ok`, posted as the integration user with the integration tag', async () => {
  const webhook = new IncomingWebhook(hookUrl());
  const text = unique('plain');
  assert.deepEqual(await webhook.send(text), { text: 'ok' });
  const m = await stored(text);
  assert.equal(m.authorId, owner.id);
  assert.deepEqual(m.bot, { i: doc._id });
  assert.equal(m.alias, null);
});

test('defaults: username and icon_url become the alias and avatar', async () => {
  const webhook = new IncomingWebhook(hookUrl(), { username: 'Release Bot', icon_url: 'https://example.com/release.png' });
  const text = unique('defaults');
  assert.deepEqual(await webhook.send({ text }), { text: 'ok' });
  const m = await stored(text);
  assert.deepEqual([m.alias, m.avatar, m.emoji], ['Release Bot', 'https://example.com/release.png', null]);
});

test('icon_emoji becomes the emoji avatar', async () => {
  const webhook = new IncomingWebhook(hookUrl(), { username: 'Ghost', icon_emoji: ':ghost:' });
  const text = unique('emoji');
  await webhook.send(text);
  const m = await stored(text);
  assert.deepEqual([m.alias, m.avatar, m.emoji], ['Ghost', null, ':ghost:']);
});

test('attachments are stored; Slack markup in the text is converted', async () => {
  const webhook = new IncomingWebhook(hookUrl());
  const tag = unique('att');
  const res = await webhook.send({
    text: `*Deploy* finished <https://ci.example.com/42|#42> ${tag}`,
    attachments: [{ color: 'danger', title: 'Tests', title_link: 'https://ci.example.com/42/tests', text: '3 failed', fields: [{ title: 'Suite', value: 'api', short: true }] }],
  });
  assert.deepEqual(res, { text: 'ok' });
  const m = await stored(`**Deploy** finished [#42](https://ci.example.com/42) ${tag}`);
  assert.deepEqual(m.attachments, [
    { color: '#a30200', text: '3 failed', title: 'Tests', title_link: 'https://ci.example.com/42/tests', fields: [{ title: 'Suite', value: 'api', short: true }] },
  ]);
});

test('failures reach the client as Slack errors', async () => {
  const wrong = new IncomingWebhook(`${server.url}/services/${doc._id}/${tamper(doc.token)}`);
  await assert.rejects(wrong.send('x'), (err: unknown) => err instanceof IncomingWebhookHTTPError && err.statusCode === 403 && err.body === 'invalid_token');
  const empty = new IncomingWebhook(hookUrl());
  await assert.rejects(empty.send({}), (err: unknown) => err instanceof IncomingWebhookHTTPError && err.statusCode === 400 && err.body === 'no_text');
});
