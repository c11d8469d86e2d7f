/**
 * The web client's fifth chat slice in a real browser, each a fix of something a new person ran into
 * (docs/web-client.md §4, §6.1, §6.3, §6.4, §7): a message arriving in an app's DM while its Home tab
 * is shown (the API key's ephemeral message) counts on the Messages tab and says so in a toast whose
 * "View" opens the tab; a group DM's intro speaks of all of its people; the browser tab's title
 * shows unread state; on a phone a message's toolbar shows for the message tapped only, and the
 * admin's Members table scrolls sideways; "Replied to a thread" opens the thread, with a snippet of
 * its first message; Deactivate asks first; an image in the attach tray shows as a thumbnail; an
 * app's open modal comes back after a reload of the tab, not in a fresh sign-in or another tab.
 * One server and one browser for the file; each test makes its own people and channels.
 * Screenshots go to artifacts/ (git-ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, publicChannel, type Client } from '../support/helpers.js';
import { axeViolations, screenshot, waitFor, watchErrors, webClientHarness } from '../support/web-client.js';

const web = webClientHarness();
const { server: s, needBrowser, signedIn, signedInOwner, openChannel } = web;

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });

/** The API addon installed by the owner (who is thereby authorised); its app id. */
let apiAppId: Promise<string> | undefined;
function installApiAddon(): Promise<string> {
  apiAppId ??= (async () => {
    const dir = (await s.owner.get('/v1/appDirectory')).body as Array<{ id: string; name: string; installed: boolean }>;
    const app = dir.find((d) => d.name === 'api')!;
    if (!app.installed) assert.equal((await s.owner.post(`/v1/appDirectory/${app.id}/install`)).status, 200);
    return app.id;
  })();
  return apiAppId;
}

/** Opens the API page (Home tab), Add API key, names it, Generate; the modal closes. */
async function generateKey(page: Page, appId: string, name: string): Promise<void> {
  await page.goto(`${s.url}/app/${appId}`);
  await page.getByRole('tab', { name: 'Home', selected: true }).waitFor();
  await page.getByRole('button', { name: 'Add API key' }).click();
  const modal = page.getByRole('dialog', { name: 'Add API key' });
  await modal.getByLabel('API key name').fill(name);
  await modal.getByRole('button', { name: 'Generate' }).click();
  await modal.waitFor({ state: 'hidden' });
}

// ---- 1. the API key's message, announced on the Home tab -------------------------------------------------

test('a message arriving in the app DM while its Home tab shows: a count on the Messages tab and a toast whose "View" opens it', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const appId = await installApiAddon();
  const { page } = await signedInOwner(t, errors);
  await generateKey(page, appId, 'laptop script');

  const messagesTab = page.getByRole('tab', { name: /^Messages/ });
  await messagesTab.locator('.app-tab-badge', { hasText: '1' }).waitFor();
  assert.match((await messagesTab.getAttribute('aria-label')) ?? (await messagesTab.innerText()), /1 new/);
  const toast = page.locator('.toast', { hasText: 'New message from API' });
  await toast.waitFor();
  await screenshot(page, 'web-chat5-api-key-toast');
  assert.deepEqual(await axeViolations(page), [], 'axe with the toast and the badge');
  await toast.getByRole('button', { name: 'View' }).click();
  await page.getByRole('tab', { name: /^Messages/, selected: true }).waitFor();
  await messageRow(page, 'Your new API key "laptop script"').waitFor();
  assert.equal(await page.locator('.app-tab-badge').count(), 0, 'the count is gone once the tab is open');
  await screenshot(page, 'web-chat5-api-key-messages');
  assert.deepEqual(errors, []);
});

test('someone who has not allowed an installed app opens its page: the consent screen first, its scopes in words; allowing shows the page as theirs', async (t) => {
  if (!(await needBrowser(t))) return;
  const appId = await installApiAddon();
  const gus = await createUser(s.owner, 'MEMBER', 'Gus Allows');
  const errors: string[] = [];
  const { page } = await signedIn(t, gus, errors);
  await page.goto(`${s.url}/app/${appId}`);
  const consent = page.getByRole('dialog', { name: /API/ });
  await consent.getByText('messages:write', { exact: false }).first().waitFor();
  // each scope in words, its name beside them
  assert.equal(await consent.getByRole('listitem').filter({ hasText: 'Send messages' }).filter({ hasText: 'messages:write' }).count(), 2, 'on your behalf and as its bot');
  await screenshot(page, 'web-chat5-app-consent');
  // cancelled: the page says so and offers it again
  await consent.getByRole('button', { name: 'Cancel' }).click();
  await consent.waitFor({ state: 'detached' });
  await page.getByRole('status').filter({ hasText: 'You have not allowed API yet' }).waitFor();
  await page.getByRole('button', { name: 'Review and allow…' }).click();
  await page.getByRole('dialog', { name: /API/ }).getByRole('button', { name: 'Allow' }).click();
  // now the home view is Gus's own: his (empty) key list and Add API key
  await page.getByRole('button', { name: 'Add API key' }).waitFor();
  assert.equal(await page.getByText('You have not allowed API yet').count(), 0);
  assert.equal(await page.getByRole('link', { name: 'allow its permissions' }).count(), 0);
  assert.deepEqual(errors, []);
});

// ---- 2. a group DM's intro ---------------------------------------------------------------------------

test("a group DM's intro counts everyone and lists the others' names; a 1:1 DM's still says the two of you", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const carol = await createUser(s.owner, 'MEMBER', 'Carol Group');
  const bob = await createUser(s.owner, 'MEMBER', 'Bob Group');
  const dave = await createUser(s.owner, 'MEMBER', 'Dave Group');
  const group = (await carol.post('/v1/channels/direct', { participantIds: [carol.userId, bob.userId, dave.userId] })).body.channel.id as string;
  const one = (await carol.post('/v1/channels/direct', { participantIds: [carol.userId, bob.userId] })).body.channel.id as string;
  const { page } = await signedIn(t, carol, errors, { who: 'carol' });
  await page.goto(`${s.url}/c/${group}`);
  const intro = page.locator('.channel-intro-body');
  await waitFor('the group intro', async () => /^Only the 3 of you can see these messages\. Say hi to (Bob Group and Dave Group|Dave Group and Bob Group)!$/.test(await intro.innerText()), 10_000);
  assert.match(await page.locator('.channel-intro-title').innerText(), /your conversation with (Bob Group and Dave Group|Dave Group and Bob Group)$/);
  await screenshot(page, 'web-chat5-group-intro');
  await page.goto(`${s.url}/c/${one}`);
  await waitFor('the 1:1 intro', async () => (await intro.innerText()) === 'Only the two of you can see these messages. Say hi to Bob Group!');
  assert.deepEqual(errors, []);
});

// ---- 3. the tab's title ----------------------------------------------------------------------------

test("the tab's title shows unread state: '* ' for plain unread, '(n) ' for mentions and DMs", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const tia = await createUser(s.owner, 'MEMBER', 'Tia Title');
  const poster = await createUser(s.owner, 'MEMBER', 'Pete Poster');
  const here = await publicChannel(s.owner, 'title-here', [tia.userId, poster.userId]);
  const other = await publicChannel(s.owner, 'title-other', [tia.userId, poster.userId]);
  const { page } = await signedIn(t, tia, errors, { who: 'tia' });
  await openChannel(page, here, 'title-here');
  const title = () => page.title();
  await waitFor('the plain title', async () => (await title()) === '#title-here · Switchboard', 10_000);
  assert.equal((await poster.post(`/v1/channels/${other}/messages`, { text: 'nothing for Tia in particular' })).status, 200);
  await waitFor('the unread mark', async () => (await title()) === '* #title-here · Switchboard', 10_000);
  assert.equal((await poster.post(`/v1/channels/${other}/messages`, { text: `<@${tia.userId}> a look please` })).status, 200);
  await waitFor('one mention', async () => (await title()) === '(1) #title-here · Switchboard', 10_000);
  const dm = (await poster.post('/v1/channels/direct', { participantIds: [poster.userId, tia.userId] })).body.channel.id as string;
  assert.equal((await poster.post(`/v1/channels/${dm}/messages`, { text: 'a DM for Tia' })).status, 200);
  await waitFor('a mention and a DM', async () => (await title()) === '(2) #title-here · Switchboard', 10_000);
  // reading them clears the count
  await page.getByRole('navigation').getByRole('link', { name: 'title-other' }).click();
  await waitFor('the DM left', async () => (await title()) === '(1) #title-other · Switchboard', 10_000);
  await page.getByRole('navigation').getByRole('link', { name: 'Pete Poster' }).click();
  await waitFor('all read', async () => (await title()) === 'Pete Poster · Switchboard', 10_000);
  assert.deepEqual(errors, []);
});

// ---- 4. a phone ------------------------------------------------------------------------------------------

async function phone(t: Parameters<typeof signedIn>[0], who: { email?: string; password?: string }, errors: string[], name: string) {
  const ctx = await web.browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'en-US' });
  t?.after(() => ctx.close().catch(() => {}));
  const r = await ctx.request.post(`${s.url}/auth/session`, { data: { email: who.email, password: who.password }, headers: { origin: s.url } });
  assert.equal(r.status(), 200);
  const page = await ctx.newPage();
  watchErrors(page, errors, name);
  return page;
}

const visibleToolbars = (page: Page) => page.locator('.message .message-actions:visible').count();

test('on a phone a message shows its toolbar only once tapped (or focused); the admin Members table scrolls sideways', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const mo = await createUser(s.owner, 'MEMBER', 'Mo Mobile');
  const room = await publicChannel(s.owner, 'phone-room', [mo.userId]);
  for (const text of ['First phone message', 'Second phone message', 'Third phone message']) assert.equal((await s.owner.post(`/v1/channels/${room}/messages`, { text })).status, 200);
  const page = await phone(t, mo, errors, 'mo');
  await openChannel(page, room, 'phone-room');
  await messageRow(page, 'Third phone message').waitFor();
  assert.equal(await visibleToolbars(page), 0, 'no toolbar before a tap');
  // the text has the row's width: no toolbar beside it
  const second = messageRow(page, 'Second phone message');
  const textBox = (await second.locator('.message-main').boundingBox())!;
  assert.ok(textBox.width > 250, `the text column is ${textBox.width}px wide`);
  await second.locator('.message-text').tap();
  await second.getByRole('button', { name: 'Add reaction' }).waitFor();
  assert.equal(await visibleToolbars(page), 1, 'the tapped message only');
  const bar = (await second.getByRole('toolbar').boundingBox())!;
  assert.ok(bar.x >= 0 && bar.x + bar.width <= 390, 'the toolbar is on screen');
  await screenshot(page, 'web-chat5-phone-tapped');
  // another tap moves it
  await messageRow(page, 'First phone message').locator('.message-text').tap();
  await messageRow(page, 'First phone message').getByRole('button', { name: 'Add reaction' }).waitFor();
  assert.equal(await visibleToolbars(page), 1);
  // the keyboard reaches it: a focused row shows it, Tab goes into it
  await messageRow(page, 'Third phone message').focus();
  await messageRow(page, 'Third phone message').getByRole('button', { name: 'Add reaction' }).waitFor();
  await page.keyboard.press('Tab');
  assert.equal(await page.evaluate(() => document.activeElement?.closest('.message-actions') !== null), true, 'Tab goes into the toolbar');
  assert.equal(await visibleToolbars(page), 1);

  // the admin's Members table: the last column is reachable by scrolling it sideways
  const admin = await phone(t, await web.owner(), errors, 'owner');
  await admin.goto(`${s.url}/admin/members`);
  const deactivate = admin.getByRole('button', { name: 'Deactivate Mo Mobile' });
  await deactivate.waitFor();
  await screenshot(admin, 'web-chat5-phone-admin');
  assert.equal(await admin.evaluate(() => document.documentElement.scrollWidth), 390, 'the page itself does not scroll sideways');
  await deactivate.scrollIntoViewIfNeeded();
  const box = (await deactivate.boundingBox())!;
  assert.ok(box.x >= 0 && box.x + box.width <= 390, `Deactivate is on screen after scrolling (x ${box.x}, width ${box.width})`);
  await screenshot(admin, 'web-chat5-phone-admin-scrolled');
  assert.deepEqual(errors, []);
});

// ---- 5. "Replied to a thread" ---------------------------------------------------------------------------

test('"Replied to a thread" on a reply also sent to the channel opens the thread and quotes its first message', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const rita = await createUser(s.owner, 'MEMBER', 'Rita Reply');
  const room = await publicChannel(s.owner, 'reply-context-room', [rita.userId]);
  const root = await s.owner.post(`/v1/channels/${room}/messages`, { text: 'Can **someone** review the release plan before Friday?' });
  assert.equal(root.status, 200);
  const reply = await rita.post(`/v1/channels/${room}/messages/${root.body.id}`, { text: 'Found two issues, also posting in channel', alsoSendToChannel: true });
  assert.equal(reply.status, 200, reply.text);
  const { page } = await signedIn(t, rita, errors, { who: 'rita' });
  await openChannel(page, room, 'reply-context-room');
  const row = messageRow(page, 'Found two issues');
  const link = row.getByRole('link', { name: /Replied to a thread/ });
  await link.waitFor();
  assert.match(await link.innerText(), /Can someone review the release plan/);
  await screenshot(row, 'web-chat5-reply-context');
  await link.click();
  const panel = page.getByRole('complementary', { name: 'Thread' });
  await panel.waitFor();
  await messageRow(page, 'Found two issues').first().waitFor();
  assert.match(page.url(), new RegExp(`/c/${room}/t/${root.body.id}$`));
  assert.deepEqual(errors, []);
});

// ---- 6. Deactivate asks first ------------------------------------------------------------------------------

test('Admin → Members → Deactivate asks for confirmation, naming the person and saying they are signed out everywhere', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const dan = await createUser(s.owner, 'MEMBER', 'Dan Deactivated');
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/admin/members`);
  const row = page.getByTestId(`member-${dan.email}`);
  await row.getByRole('button', { name: 'Deactivate Dan Deactivated' }).click();
  const dialog = page.getByRole('dialog', { name: 'Deactivate Dan Deactivated?' });
  await dialog.waitFor();
  assert.match(await dialog.innerText(), /signed out everywhere/);
  await screenshot(page, 'web-chat5-deactivate-confirm');
  assert.deepEqual(await axeViolations(page), [], 'axe with the confirmation open');
  const status = async () => ((await s.owner.get(`/v1/workspaceUsers/${dan.userId}`)).body as { status: string }).status;
  await dialog.getByRole('button', { name: 'Cancel' }).click();
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await status(), 'ACTIVATED', 'Cancel keeps them');
  await row.getByRole('button', { name: 'Deactivate Dan Deactivated' }).click();
  await dialog.getByRole('button', { name: 'Deactivate' }).click();
  await dialog.waitFor({ state: 'detached' });
  await row.getByText('Deactivated', { exact: true }).waitFor();
  assert.equal(await status(), 'DEACTIVATED');
  assert.deepEqual(errors, []);
});

// ---- 7. an image in the attach tray ----------------------------------------------------------------------------

// a 2×2 PNG, all red
const RED_PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAACCAIAAAD91JpzAAAAFklEQVR4nGP8z8DAwMDAxMDAwMDAAAANHQEDasKb6QAAAABJRU5ErkJggg==', 'base64');

test('an image in the attach tray shows as a thumbnail, gone with it when removed; other files keep the file icon', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const ivy = await createUser(s.owner, 'MEMBER', 'Ivy Image');
  const room = await publicChannel(s.owner, 'thumb-room', [ivy.userId]);
  const { page } = await signedIn(t, ivy, errors, { who: 'ivy' });
  await openChannel(page, room, 'thumb-room');
  await page.getByTestId('file-input').setInputFiles([
    { name: 'red.png', mimeType: 'image/png', buffer: RED_PNG },
    { name: 'notes.txt', mimeType: 'text/plain', buffer: Buffer.from('notes') },
  ]);
  const tray = page.getByRole('list', { name: 'Files to send' });
  const image = tray.getByRole('listitem').filter({ hasText: 'red.png' });
  const thumb = image.locator('canvas.attach-thumb');
  await thumb.waitFor();
  await waitFor('the thumbnail drawn', () =>
    thumb.evaluate((c) => {
      const canvas = c as HTMLCanvasElement;
      const px = canvas.getContext('2d')!.getImageData(canvas.width / 2, canvas.height / 2, 1, 1).data;
      return px[0]! > 200 && px[1]! < 50 && px[3]! > 200;
    }),
  );
  assert.equal(await tray.getByRole('listitem').filter({ hasText: 'notes.txt' }).locator('.attach-thumb').count(), 0, 'a text file has no thumbnail');
  await screenshot(tray, 'web-chat5-attach-thumb');
  await image.getByRole('button', { name: /Remove red\.png|Cancel/ }).click();
  await image.waitFor({ state: 'detached' });
  assert.equal(await page.locator('.attach-thumb').count(), 0);
  assert.deepEqual(errors, []);
});

// ---- 8. app modals restored in the same tab only ---------------------------------------------------------

test("an app's open modal comes back after a reload of its tab, not in a fresh sign-in or another tab", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const appId = await installApiAddon();
  const { ctx, page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/app/${appId}`);
  await page.getByRole('button', { name: 'Add API key' }).click();
  const modal = (p: Page) => p.getByRole('dialog', { name: 'Add API key' });
  await modal(page).waitFor();
  // the server keeps it open
  const open = async () => ((await (s.owner as Client).get('/v1/views')).body as { views: Array<{ type: string }> }).views.filter((v) => v.type === 'MODAL').length;
  assert.equal(await open(), 1);

  // a reload of the tab: back
  await page.reload();
  await modal(page).waitFor();

  // another tab of the same browser: not there
  const other = await ctx.newPage();
  watchErrors(other, errors, 'owner, 2nd tab');
  await openChannel(other, s.generalId, 'general');
  await other.getByRole('navigation').getByRole('link', { name: 'API', exact: true }).waitFor();
  await other.waitForTimeout(500);
  assert.equal(await modal(other).count(), 0, 'not in another tab');

  // a fresh sign-in (another browser): not there
  const { page: fresh } = await signedInOwner(t, errors, { who: 'owner, fresh' });
  await openChannel(fresh, s.generalId, 'general');
  await fresh.getByRole('navigation').getByRole('link', { name: 'API', exact: true }).waitFor();
  await fresh.waitForTimeout(500);
  assert.equal(await modal(fresh).count(), 0, 'not after a fresh sign-in');
  assert.equal(await open(), 1, 'the server keeps the view');

  // the first tab closes it, as before
  await modal(page).getByRole('button', { name: /Cancel|Close/ }).first().click();
  await modal(page).waitFor({ state: 'hidden' });
  assert.deepEqual(errors, []);
});
