/**
 * Preferences that change what the web client shows (docs/web-client.md §6.8, §6.1, §7), in a real
 * browser: message times and dates follow the person's saved time zone, not the browser's, and a zone
 * saved elsewhere reaches an open tab without a reload; the admin
 * Workspace page's link-preview switch turns cards off (a posted link's site is not even fetched)
 * and on again; a notification level chosen in one tab shows in another tab's channel menu without
 * a reload (the `notification_level.updated` frame). One server and one browser for the file.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import { createUser, type Client, publicChannel } from '../support/helpers.js';
import { screenshot, watchErrors, webClientHarness } from '../support/web-client.js';

const ARTICLE = `<!doctype html><html><head>
<meta property="og:title" content="Tide tables">
<meta property="og:site_name" content="Harbour Times">
</head><body>article</body></html>`;

let site: Server;
let siteUrl: string;
/** paths the linked site was asked for, in order */
const fetched: string[] = [];

const { server: s, needBrowser, signedIn, openChannel } = webClientHarness({
  async setUp() {
    // The linked site, on loopback (the test configuration lets the SSRF guard reach it).
    site = createServer((req, res) => {
      fetched.push(req.url ?? '');
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE);
    });
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
  },
  async tearDown() {
    site?.closeAllConnections();
    await new Promise((r) => (site ? site.close(r) : r(undefined)));
  },
});

const channelWith = (name: string, ...people: Client[]) => publicChannel(s.owner, name, people.map((p) => p.userId));

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });
/** Intl's spaces (a narrow no-break one before AM/PM) vary between ICU versions: compared as plain spaces. */
const spaces = (text: string | null) => (text ?? '').replace(/\s/g, ' ');

// ---- time zone -------------------------------------------------------------------------------------------

test('time zone: message times and dates show in the saved zone, not the browser\'s', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  // Kiritimati is UTC+14, Pago Pago UTC−11: a whole day apart, so the date differs too.
  const saved = 'Pacific/Kiritimati';
  const member = await createUser(s.owner, 'MEMBER', 'Zara Zone');
  const set = await member.put('/v1/workspaceUsers/me', { timeZone: saved });
  assert.equal(set.status, 200, set.text);
  const room = await channelWith('zone-room', member);
  const posted = await s.owner.post(`/v1/channels/${room}/messages`, { text: 'what time is it there' });
  assert.equal(posted.status, 200, posted.text);
  const at = posted.body.timestampMilli as number;

  const { page } = await signedIn(t, member, errors, { timezoneId: 'Pacific/Pago_Pago' });
  await openChannel(page, room, 'zone-room');
  const time = messageRow(page, 'what time is it there').locator('time.message-time');
  await time.waitFor();
  const inZone = (zone: string, o: Intl.DateTimeFormatOptions) => spaces(new Intl.DateTimeFormat('en-US', { ...o, timeZone: zone }).format(at));
  assert.equal(spaces(await time.textContent()), inZone(saved, { hour: 'numeric', minute: '2-digit' }));
  assert.equal(spaces(await time.getAttribute('title')), inZone(saved, { dateStyle: 'full', timeStyle: 'short' }));
  assert.notEqual(inZone(saved, { dateStyle: 'full' }), inZone('Pacific/Pago_Pago', { dateStyle: 'full' }), 'the two zones are on different days');
  // The browser itself is in the other zone: what the page shows is not its default.
  assert.equal(await page.evaluate(() => Intl.DateTimeFormat().resolvedOptions().timeZone), 'Pacific/Pago_Pago');
  await screenshot(page, 'web-time-zone');

  // A zone saved elsewhere (another tab, another device) reaches the open tab: the rows render again,
  // without a reload. Kolkata is UTC+5:30, so even the minutes differ.
  const moved = await member.put('/v1/workspaceUsers/me', { timeZone: 'Asia/Kolkata' });
  assert.equal(moved.status, 200, moved.text);
  const kolkata = inZone('Asia/Kolkata', { hour: 'numeric', minute: '2-digit' });
  await page.waitForFunction(
    ([expected]) => (document.querySelector('time.message-time')?.textContent ?? '').replace(/\s/g, ' ') === expected,
    [kolkata],
    { timeout: 5000 },
  );
  assert.equal(spaces(await time.getAttribute('title')), inZone('Asia/Kolkata', { dateStyle: 'full', timeStyle: 'short' }));
  assert.deepEqual(errors, []);
});

// ---- link previews ---------------------------------------------------------------------------------------

test('link previews: the admin switches them off on the Workspace page, a posted link gets no card; on again, it does', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const member = await createUser(s.owner, 'MEMBER', 'Mo Member');
  const room = await channelWith('preview-switch', member);
  const { page } = await signedIn(t, s.owner, errors);
  await page.goto(`${s.url}/admin/workspace`);
  const toggle = page.getByRole('switch', { name: 'Show previews of posted links' });
  await toggle.waitFor();
  assert.equal(await toggle.isChecked(), true, 'on by default');
  await toggle.click();
  await page.waitForFunction(() => !(document.querySelector('input[role="switch"]') as HTMLInputElement).checked);
  await page.locator('input[role="switch"]:not([disabled])').waitFor();
  for (let i = 0; i < 100 && (await s.owner.get('/v1/workspace/linkPreviews')).body.enabled; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual((await s.owner.get('/v1/workspace/linkPreviews')).body, { enabled: false });
  await screenshot(page, 'web-link-previews-switch');

  // Members may not change it (the page is not theirs; the server says no).
  assert.equal((await member.put('/v1/workspace/linkPreviews', { enabled: true })).status, 403);

  await openChannel(page, room, 'preview-switch');
  const composer = page.getByRole('textbox', { name: 'Message #preview-switch' });
  await composer.fill(`Off: ${siteUrl}/off`);
  await composer.press('Enter');
  const offRow = messageRow(page, 'Off:');
  await offRow.waitFor();
  // Long enough for a fetch from loopback and its frame; the site is not even asked.
  await new Promise((r) => setTimeout(r, 2500));
  assert.equal(await offRow.locator('.link-previews').count(), 0);
  assert.deepEqual(fetched.filter((p) => p === '/off'), []);

  // On again: the next link gets its card (so the quiet above was the switch, not a broken fetch).
  await page.goto(`${s.url}/admin/workspace`);
  await toggle.click();
  await page.waitForFunction(() => (document.querySelector('input[role="switch"]') as HTMLInputElement).checked);
  await page.locator('input[role="switch"]:not([disabled])').waitFor();
  // The switch shows "on" as soon as it is clicked; the link must be posted once the server has it
  // (CI once posted while the PUT was still on its way, and the link rightly got no card).
  for (let i = 0; i < 100 && !(await s.owner.get('/v1/workspace/linkPreviews')).body.enabled; i++) await new Promise((r) => setTimeout(r, 50));
  assert.deepEqual((await s.owner.get('/v1/workspace/linkPreviews')).body, { enabled: true });
  await openChannel(page, room, 'preview-switch');
  await composer.fill(`On: ${siteUrl}/on`);
  await composer.press('Enter');
  await messageRow(page, 'On:').getByRole('article', { name: 'Preview of Harbour Times' }).waitFor({ timeout: 15_000 });
  assert.equal(await offRow.locator('.link-previews').count(), 0, 'a link posted while off stays without a card');
  assert.deepEqual(errors, []);
});

// ---- notification levels across tabs ---------------------------------------------------------------------

test('notification level: chosen in one tab, shown in the other tab\'s channel menu without a reload', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const member = await createUser(s.owner, 'MEMBER', 'Lev Levels');
  const room = await channelWith('levels-live', member);
  const { ctx, page: a } = await signedIn(t, member, errors);
  const b = await ctx.newPage();
  watchErrors(b, errors, 'second tab');
  await openChannel(a, room, 'levels-live');
  await openChannel(b, room, 'levels-live');

  const item = (page: Page, name: string) => page.getByRole('menu', { name: 'Menu of levels-live' }).getByRole('group', { name: 'Notifications' }).getByRole('menuitemradio', { name });
  const checked = (page: Page, name: string) => item(page, name).and(page.locator('[aria-checked="true"]'));
  // The second tab has read the levels already (cached for a minute): what changes next comes live.
  await b.getByRole('button', { name: 'Channel menu' }).click();
  await checked(b, 'Mentions only').waitFor();
  await b.keyboard.press('Escape');

  await a.getByRole('button', { name: 'Channel menu' }).click();
  await item(a, 'Nothing').click();

  await b.getByRole('button', { name: 'Channel menu' }).click();
  await checked(b, 'Nothing').waitFor({ timeout: 5000 });
  assert.equal(await item(b, 'Mentions only').getAttribute('aria-checked'), 'false');
  await b.keyboard.press('Escape');
  assert.deepEqual(errors, []);
});
