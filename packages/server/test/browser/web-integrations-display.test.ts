/**
 * What integrations post, as the web client shows it (docs/integrations.md §7.5, §8.9), in a real
 * browser: a webhook's message never shares the header of the message before it (nor the next one
 * its header) — in Rocket.Chat these are `groupable: false` — and shows its name, the App badge and
 * the avatar it posted with (`icon_emoji` as the emoji, `icon_url` as the picture, `chat.postMessage`'s
 * `alias` and `emoji` too); and Admin → Integrations → History shows why an outgoing webhook's
 * attempt failed (the script's error, the URL, the request sent), not a bare `true`. Everything is
 * set up through the server's APIs, as a workspace would. Screenshots go to artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { OWNER, http, publicChannel } from '../support/helpers.js';
import { rcLogin, type RcClient } from '../support/rocketchat-client.js';
import { screenshot, waitFor, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, signedInOwner, openChannel } = webClientHarness();

/** The owner at Rocket.Chat's REST API (X-User-Id + X-Auth-Token), and their username (the hooks post as them). */
async function rcOwner(): Promise<{ rc: RcClient; username: string }> {
  const rc = await rcLogin(s.url, OWNER.email, OWNER.password);
  const me = await rc.get('me');
  assert.equal(me.status, 200, me.text);
  return { rc, username: me.body.username as string };
}

/** The row of the message whose text is `text`. */
const row = (page: Page, text: string) => page.locator('.message', { has: page.locator('.message-text', { hasText: text }) });

/** A 1×1 PNG, served for the integration's https avatar URL. */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==', 'base64');

test('an incoming webhook\'s messages start a group of their own, with the name, the App badge and the emoji or picture they posted with', async (t) => {
  if (!(await needBrowser(t))) return;
  const { rc, username } = await rcOwner();
  const channelId = await publicChannel(s.owner, 'hook-display');

  // An incoming webhook posting as the owner, with no alias of its own (what a quick set-up does).
  const created = await rc.post('integrations.create', { type: 'webhook-incoming', name: 'Ghost hook', enabled: true, username, channel: '#hook-display', scriptEnabled: false });
  assert.equal(created.status, 200, created.text);
  const hook = created.body.integration as { _id: string; token: string };
  const postHook = async (body: Record<string, unknown>) => {
    const r = await http(s.url, 'POST', `/hooks/${hook._id}/${hook.token}`, { body });
    assert.equal(r.status, 200, r.text);
  };

  // The owner writes, the hook posts (as the owner) twice, the owner writes again, a script posts with
  // chat.postMessage — all within a minute, each of which would share the header before it if grouped.
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'human line before the hook' })).status, 200);
  await postHook({ text: 'hook says boo', icon_emoji: ':ghost:' });
  await postHook({ text: 'hook with a picture', username: 'Picture bot', icon_url: 'https://avatars.example.com/bot.png' });
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'human line after the hook' })).status, 200);
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'human line again' })).status, 200);
  const viaChat = await rc.post('chat.postMessage', { roomId: channelId, text: 'posted by a script', alias: 'Script runner', emoji: ':robot:' });
  assert.equal(viaChat.status, 200, viaChat.text);

  // What the client is given: the hook's message carries integrationId and emoji; chat.postMessage's alias and emoji.
  const listed = (await s.owner.get(`/v1/channels/${channelId}/messages?limit=10`)).body.messages as Array<Record<string, unknown>>;
  const boo = listed.find((m) => m.text === 'hook says boo')!;
  assert.equal(boo.integrationId, hook._id);
  assert.equal(boo.emoji, ':ghost:');
  assert.equal(listed.find((m) => m.text === 'hook with a picture')!.avatar, 'https://avatars.example.com/bot.png');
  const script = listed.find((m) => m.text === 'posted by a script')!;
  assert.deepEqual([script.alias, script.emoji, script.integrationId], ['Script runner', ':robot:', undefined]);

  const errors: string[] = [];
  const { ctx, page } = await signedInOwner(t, errors);
  // the picture's host, answered here (no network in tests)
  const pictureRequests: string[] = [];
  await ctx.route('https://avatars.example.com/**', (route) => {
    pictureRequests.push(route.request().url());
    return route.fulfill({ status: 200, contentType: 'image/png', body: PNG });
  });
  await openChannel(page, channelId, 'hook-display');
  await row(page, 'posted by a script').waitFor();

  const ownerName = (await s.owner.get(`/v1/workspaceUsers/${s.ownerId}`)).body.name as string;
  const header = async (text: string) => {
    const r = row(page, text);
    return {
      grouped: await r.evaluate((el) => el.classList.contains('message-grouped')),
      author: (await r.locator('.message-author').allTextContents()).join(''),
      badge: await r.locator('.message-meta .badge').count(),
    };
  };
  // the human message before: its own header
  assert.deepEqual(await header('human line before the hook'), { grouped: false, author: ownerName, badge: 0 });
  // the hook's message, posted as the same person a moment later: a header of its own, the App badge
  assert.deepEqual(await header('hook says boo'), { grouped: false, author: ownerName, badge: 1 });
  // the hook's next one is not grouped with it either
  assert.deepEqual(await header('hook with a picture'), { grouped: false, author: 'Picture bot', badge: 1 });
  // the human message after the hooks: a header again (not grouped under the hook's)…
  assert.deepEqual(await header('human line after the hook'), { grouped: false, author: ownerName, badge: 0 });
  // …and people's own messages still group
  assert.equal((await header('human line again')).grouped, true);
  // chat.postMessage with an alias: a header of its own under the alias
  assert.deepEqual(await header('posted by a script'), { grouped: false, author: 'Script runner', badge: 0 });

  // The avatars: the ghost emoji (from the full emoji set), the robot, the picture; people keep theirs.
  const ghost = row(page, 'hook says boo').locator('.message-gutter .avatar-emoji');
  await waitFor('the ghost emoji avatar', async () => (await ghost.count()) === 1 && (await ghost.textContent()) === '👻', 10_000);
  await waitFor('the robot emoji avatar', async () => (await row(page, 'posted by a script').locator('.message-gutter .avatar-emoji').textContent()) === '🤖', 10_000);
  const picture = row(page, 'hook with a picture').locator('.message-gutter .avatar img');
  assert.equal(await picture.getAttribute('src'), 'https://avatars.example.com/bot.png');
  await waitFor('the picture loaded', () => picture.evaluate((img) => (img as HTMLImageElement).complete && (img as HTMLImageElement).naturalWidth > 0));
  assert.deepEqual(pictureRequests, ['https://avatars.example.com/bot.png']);
  assert.equal(await row(page, 'human line before the hook').locator('.message-gutter .avatar-emoji').count(), 0);
  assert.equal(await row(page, 'human line before the hook').locator('.message-gutter .avatar').count(), 1);

  await screenshot(page.locator('.message-scroller'), 'web-integrations-display-grouping');
  assert.deepEqual(errors, []);
});

test('Admin → Integrations → History shows why an outgoing webhook failed: the script error, the URL and the request sent', async (t) => {
  if (!(await needBrowser(t))) return;
  const { rc, username } = await rcOwner();
  const channelId = await publicChannel(s.owner, 'outgoing-fails');

  // The receiver answers; the script's process_outgoing_response then throws.
  const hits: string[] = [];
  const receiver = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c.toString('utf8')));
    req.on('end', () => {
      hits.push(body);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => receiver.listen(0, '127.0.0.1', resolve));
  t.after(() => new Promise<void>((resolve) => (receiver.closeAllConnections(), receiver.close(() => resolve()))));
  const url = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ci`;

  const script = "class Script {\n  process_outgoing_response({ response }) {\n    throw new Error('cannot read the build status: ' + response.status_code);\n  }\n}\n";
  const created = await rc.post('integrations.create', { type: 'webhook-outgoing', name: 'CI notifier', enabled: true, username, channel: '#outgoing-fails', event: 'sendMessage', urls: [url], scriptEnabled: true, script });
  assert.equal(created.status, 200, created.text);
  const integrationId = created.body.integration._id as string;

  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'deploy please' })).status, 200);
  // The record, as the history endpoint gives it: error true, the stack, the URL, the request.
  let record: Record<string, unknown> | undefined;
  await waitFor(
    'the failed attempt in the history',
    async () => {
      const r = await rc.get('integrations.history', { id: integrationId });
      record = (r.body.history as Array<Record<string, unknown>>).find((h) => h.finished === true);
      return record !== undefined;
    },
    15_000,
  );
  assert.equal(hits.length, 1);
  assert.equal(record!.step, 'execute-script-error-running-process_outgoing_response');
  assert.equal(record!.error, true);
  assert.match(String(record!.errorStack), /cannot read the build status: 200/);
  assert.equal(record!.url, url);
  assert.ok(record!.httpCallData, 'the request sent is recorded');

  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/admin/integrations`);
  const card = page.getByTestId('integration-CI notifier');
  await card.waitFor();
  await card.getByRole('button', { name: 'History' }).click();
  const panel = page.getByRole('region', { name: /CI notifier/ });
  const entry = panel.locator('.history-record').first();
  await entry.waitFor();

  // the red box says what went wrong, not `true`
  const failure = entry.locator('.history-error');
  await failure.first().waitFor();
  const failureText = (await failure.allTextContents()).join('\n');
  assert.match(failureText, /cannot read the build status: 200/);
  assert.doesNotMatch(failureText, /^true$/m);
  assert.ok(await entry.locator('.history-label', { hasText: 'Error' }).isVisible());
  // the URL it called, shown without opening anything
  assert.ok(await entry.locator('.history-label', { hasText: 'URL' }).isVisible());
  assert.ok(await entry.locator('pre.history-block', { hasText: url }).isVisible());
  // the request sent, with the payload and the answer
  await entry.locator('summary').click();
  const request = entry.locator('.history-label', { hasText: 'Request sent' });
  await request.waitFor();
  const requestText = await entry.locator('.history-label:has-text("Request sent") + pre').textContent();
  assert.match(requestText ?? '', /deploy please/);
  await screenshot(page, 'web-integrations-display-history', { fullPage: true });
  assert.deepEqual(errors, []);
});
