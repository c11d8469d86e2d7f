/**
 * The web client's fourth chat slice in a real browser (docs/web-client.md §4, §6.1, §8), each a
 * fix of something a person ran into: "Reply in thread" puts the focus in the reply box (typing
 * goes there, Esc still closes); admins delete others' messages (with the confirmation); "Copy
 * link" in More actions copies the address the client opens; "Add people" says "Add", not "Add 0";
 * a channel's description shows its markdown (header, Browse channels); Ctrl+K finds public
 * channels one has not joined; the channel menu archives and unarchives (admins, the creator).
 * One server and one browser for the file; each test makes its own people and channels.
 * Screenshots go to artifacts/ (git-ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, publicChannel } from '../support/helpers.js';
import { axeViolations, screenshot, waitFor, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, signedIn, signedInOwner, openChannel } = webClientHarness();

/** The row of the message whose text contains `text`, on the page or inside a part of it. */
const messageRow = (scope: Page | ReturnType<Page['locator']>, text: string) => {
  const page = 'goto' in scope ? scope : scope.page();
  return scope.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });
};
const sidebarLink = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name });
const focusedLabel = (page: Page) => page.evaluate(() => document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.tagName ?? null);

// ---- threads ------------------------------------------------------------------------------------------

test('"Reply in thread" puts the focus in the reply box: typing and Enter reply; Esc in the empty box closes the thread', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const rae = await createUser(s.owner, 'MEMBER', 'Rae Replier');
  const channelId = await publicChannel(s.owner, 'focus-thread-room', [rae.userId]);
  const root = await rae.post(`/v1/channels/${channelId}/messages`, { text: 'Who takes the release notes?' });
  assert.equal(root.status, 200, root.text);
  const { page } = await signedInOwner(t, errors);
  await openChannel(page, channelId, 'focus-thread-room');

  const row = messageRow(page, 'Who takes the release notes?');
  await row.hover();
  await row.getByRole('button', { name: 'Reply in thread' }).click();
  const panel = page.getByRole('complementary', { name: 'Thread' });
  const box = panel.getByRole('textbox', { name: 'Reply…' });
  await box.waitFor();
  await waitFor('the reply box focused', async () => (await focusedLabel(page)) === 'Reply…');

  // typed straight away: it is a reply, and the thread stays open
  await page.keyboard.type('I will, by Thursday');
  await page.keyboard.press('Enter');
  await messageRow(panel, 'I will, by Thursday').waitFor();
  assert.match(page.url(), new RegExp(`/c/${channelId}/t/${root.body.id}$`), 'Enter did not close the thread');
  assert.equal(await focusedLabel(page), 'Reply…', 'still in the reply box after sending');
  await screenshot(page, 'web-chat4-thread-focus');

  // Esc in the empty box closes the panel, as before
  await page.keyboard.press('Escape');
  await page.waitForURL(new RegExp(`/c/${channelId}$`));
  await panel.waitFor({ state: 'detached' });

  // opened from the reply count: the same
  await messageRow(page, 'Who takes the release notes?').getByRole('link', { name: /1 reply/ }).click();
  await box.waitFor();
  await waitFor('the reply box focused again', async () => (await focusedLabel(page)) === 'Reply…');
  assert.deepEqual(errors, []);
});

// ---- deleting others' messages ------------------------------------------------------------------------------

test("admins delete others' messages (Delete, not Edit, with the confirmation); members still only their own", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const ada = await createUser(s.owner, 'ADMIN', 'Ada Admin');
  const bea = await createUser(s.owner, 'MEMBER', 'Bea Poster');
  const cy = await createUser(s.owner, 'MEMBER', 'Cy Member');
  const channelId = await publicChannel(s.owner, 'moderation-room', [ada.userId, bea.userId, cy.userId]);
  const spam = await bea.post(`/v1/channels/${channelId}/messages`, { text: 'Buy *cheap* watches here' });
  assert.equal(spam.status, 200, spam.text);
  assert.equal((await cy.post(`/v1/channels/${channelId}/messages`, { text: 'A message of Cy' })).status, 200);

  // a member: no Delete on someone else's message, Edit and Delete on their own
  const { page: c } = await signedIn(t, cy, errors, { who: 'cy' });
  await openChannel(c, channelId, 'moderation-room');
  const others = messageRow(c, 'Buy cheap watches');
  await others.hover();
  await others.getByRole('button', { name: 'Add reaction' }).waitFor();
  assert.equal(await others.getByRole('button', { name: 'Delete message' }).count(), 0, "a member cannot delete another's message");
  assert.equal(await others.getByRole('button', { name: 'Edit message' }).count(), 0);
  const own = messageRow(c, 'A message of Cy');
  await own.hover();
  await own.getByRole('button', { name: 'Edit message' }).waitFor();
  await own.getByRole('button', { name: 'Delete message' }).waitFor();

  // an admin: Delete (not Edit) on Bea's message, with the confirmation
  const { page: a } = await signedIn(t, ada, errors, { who: 'ada' });
  await openChannel(a, channelId, 'moderation-room');
  const row = messageRow(a, 'Buy cheap watches');
  await row.hover();
  await row.getByRole('button', { name: 'Delete message' }).waitFor();
  assert.equal(await row.getByRole('button', { name: 'Edit message' }).count(), 0, 'no Edit on a message of someone else');
  await row.getByRole('button', { name: 'Delete message' }).click();
  const confirm = a.getByRole('dialog', { name: 'Delete this message?' });
  await confirm.getByText('This message is by Bea Poster').waitFor();
  await confirm.locator('.dialog-quote em', { hasText: 'cheap' }).waitFor();
  await screenshot(a, 'web-chat4-admin-delete-confirm');
  assert.deepEqual(await axeViolations(a), [], 'axe with the confirmation open');
  // Cancel keeps it
  await confirm.getByRole('button', { name: 'Cancel' }).click();
  await confirm.waitFor({ state: 'detached' });
  assert.equal(await row.count(), 1);
  await row.hover();
  await row.getByRole('button', { name: 'Delete message' }).click();
  await confirm.getByRole('button', { name: 'Delete message' }).click();
  await row.waitFor({ state: 'detached' });
  // gone for everyone: live in Cy's tab, and on the server
  await messageRow(c, 'Buy cheap watches').waitFor({ state: 'detached', timeout: 10_000 });
  const left = (await s.owner.get(`/v1/channels/${channelId}/messages`)).body.messages as Array<{ id: string }>;
  assert.equal(left.some((m) => m.id === spam.body.id), false);
  assert.deepEqual(errors, []);
});

// ---- copy link ------------------------------------------------------------------------------------------

test('"Copy link", a hover action of its own and in More actions, copies the address of the message, which opens it; a short confirmation says so', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const dee = await createUser(s.owner, 'MEMBER', 'Dee Linker');
  const channelId = await publicChannel(s.owner, 'link-room', [dee.userId]);
  const target = await dee.post(`/v1/channels/${channelId}/messages`, { text: 'The plan lives here' });
  assert.equal(target.status, 200, target.text);
  for (let i = 1; i <= 30; i++) await dee.post(`/v1/channels/${channelId}/messages`, { text: `later chatter ${i}` });
  const { ctx, page } = await signedInOwner(t, errors);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  await openChannel(page, channelId, 'link-room');

  const row = messageRow(page, 'later chatter 30');
  await row.hover();
  await row.getByRole('button', { name: 'More actions' }).click();
  const menu = page.getByRole('menu', { name: 'More actions' });
  await menu.getByRole('menuitem', { name: 'Copy link' }).waitFor();
  assert.equal(await menu.getByText('No app offers message actions yet.').count(), 0, 'no "no apps" note under Copy link');
  await screenshot(page, 'web-chat4-more-actions-copy-link');
  await menu.getByRole('menuitem', { name: 'Copy link' }).click();
  await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
  await screenshot(page, 'web-chat4-link-copied');
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  const latest = (await s.owner.get(`/v1/channels/${channelId}/messages`)).body.messages[0] as { id: string; text: string };
  assert.equal(latest.text, 'later chatter 30');
  assert.equal(copied, `${s.url}/c/${channelId}/m/${latest.id}`);
  // the toast goes by itself
  await page.getByText('Link copied').waitFor({ state: 'detached', timeout: 5_000 });

  // an older message's link, by keyboard: the menu's first item; opened, it jumps there
  await page.locator('.message-scroller').hover();
  for (let i = 0; i < 40 && (await messageRow(page, 'The plan lives here').count()) === 0; i++) {
    await page.mouse.wheel(0, -1500);
    await page.waitForTimeout(100);
  }
  const old = messageRow(page, 'The plan lives here');
  await old.hover();
  await old.getByRole('button', { name: 'More actions' }).click();
  await waitFor('Copy link focused', async () => (await page.evaluate(() => document.activeElement?.textContent)) === 'Copy link');
  await page.keyboard.press('Enter');
  await page.getByRole('status').filter({ hasText: 'Link copied' }).waitFor();
  const link = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(link, `${s.url}/c/${channelId}/m/${target.body.id}`);
  // the hover toolbar's own button (web-client.md §6.1) copies the same
  await page.evaluate(() => navigator.clipboard.writeText(''));
  await old.hover();
  await old.getByRole('button', { name: 'Copy link' }).click();
  await waitFor('the toolbar button copied the link', async () => (await page.evaluate(() => navigator.clipboard.readText())) === link);
  await page.goto(`${s.url}/c/${s.generalId}`);
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  await page.goto(link);
  await page.locator(`.message-flash[data-message-id="${target.body.id}"]`).waitFor({ timeout: 20_000 });
  assert.deepEqual(errors, []);
});

// ---- add people ----------------------------------------------------------------------------------------

test('"Add people": the button says "Add" (disabled) with nobody chosen, "Add" for one, "Add 2" for two', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  await createUser(s.owner, 'MEMBER', 'Eve Addable');
  await createUser(s.owner, 'MEMBER', 'Eli Addable');
  const channelId = await publicChannel(s.owner, 'add-count-room');
  const { page } = await signedInOwner(t, errors);
  await openChannel(page, channelId, 'add-count-room');
  await page.getByRole('button', { name: 'Channel menu' }).click();
  await page.getByRole('menuitem', { name: 'Add people' }).click();
  const dialog = page.getByRole('dialog', { name: 'Add people to #add-count-room' });
  const confirm = dialog.locator('.dialog-actions .button-primary');
  await confirm.waitFor();
  assert.equal((await confirm.innerText()).trim(), 'Add');
  assert.equal(await confirm.isDisabled(), true);
  await screenshot(dialog, 'web-chat4-add-people-none');
  await dialog.getByRole('searchbox', { name: /Search people/ }).fill('Addable');
  await dialog.getByRole('checkbox', { name: /Eve Addable/ }).check();
  await waitFor('"Add" for one', async () => (await confirm.innerText()).trim() === 'Add' && !(await confirm.isDisabled()));
  await dialog.getByRole('checkbox', { name: /Eli Addable/ }).check();
  await waitFor('"Add 2" for two', async () => (await confirm.innerText()).trim() === 'Add 2');
  await dialog.getByRole('checkbox', { name: /Eve Addable/ }).uncheck();
  await dialog.getByRole('checkbox', { name: /Eli Addable/ }).uncheck();
  await waitFor('"Add" again', async () => (await confirm.innerText()).trim() === 'Add' && (await confirm.isDisabled()));
  assert.deepEqual(errors, []);
});

// ---- descriptions ------------------------------------------------------------------------------------------

test("a channel's description shows its markdown, on one line, in the header and in Browse channels — sanitised", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const description = 'All things *design*, **bold** ideas, `code` and <b>no html</b> — https://example.com/guide';
  const made = await s.owner.post('/v1/channels', { name: 'design-desc', type: 'PUBLIC', description });
  assert.equal(made.status, 200, made.text);
  const channelId = made.body.channel.id as string;
  const { page } = await signedInOwner(t, errors);
  await openChannel(page, channelId, 'design-desc');

  const topic = page.locator('.channel-header-topic');
  await topic.locator('em', { hasText: 'design' }).waitFor();
  await topic.locator('strong', { hasText: 'bold' }).waitFor();
  await topic.locator('code', { hasText: 'code' }).waitFor();
  const text = await topic.innerText();
  assert.equal(text.includes('*'), false, `no asterisks: ${text}`);
  assert.match(text, /<b>no html<\/b>/, 'HTML stays text');
  assert.equal(await topic.locator('b, script, img').count(), 0);
  const link = topic.getByRole('link', { name: 'https://example.com/guide' });
  assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
  assert.equal(await topic.getAttribute('title'), 'All things design, bold ideas, code and <b>no html</b> — https://example.com/guide');
  // one line, cut with an ellipsis
  assert.equal(await topic.evaluate((el) => getComputedStyle(el).whiteSpace), 'nowrap');
  assert.ok((await topic.evaluate((el) => el.getBoundingClientRect().height)) < 30, 'one line');
  await screenshot(page.locator('.channel-header'), 'web-chat4-description-header');

  await page.getByRole('button', { name: 'Browse channels' }).click();
  const browse = page.getByRole('dialog', { name: 'Browse channels' });
  await browse.getByRole('searchbox', { name: 'Search channels' }).fill('design-desc');
  const item = browse.locator('.browse-item-description');
  await item.locator('em', { hasText: 'design' }).waitFor();
  assert.equal((await item.innerText()).includes('*'), false);
  await screenshot(browse, 'web-chat4-description-browse');
  assert.deepEqual(errors, []);
});

// ---- the quick switcher --------------------------------------------------------------------------------

test('Ctrl+K finds public channels one has not joined, marked so; choosing one opens it to read and join', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const bo = await createUser(s.owner, 'MEMBER', 'Bo Switcher');
  const channelId = await publicChannel(s.owner, 'Design Team');
  await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'Critique on Friday' });
  const { page } = await signedIn(t, bo, errors, { who: 'bo' });
  await openChannel(page, s.generalId, 'general');

  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Jump to…' });
  const box = dialog.getByRole('combobox', { name: 'Channel, conversation or person' });
  await box.waitFor();
  // not listed before anything is typed: that list is one's own
  assert.equal(await dialog.getByRole('option', { name: /Design Team/ }).count(), 0);
  await box.fill('des');
  const option = dialog.getByRole('option', { name: /Design Team/ });
  await option.waitFor();
  assert.match(await option.innerText(), /Design Team\s*Channel · not joined/);
  await screenshot(dialog, 'web-chat4-switcher-unjoined');
  // the keyboard gets there too: Enter on it
  await box.fill('design t');
  await dialog.getByRole('option', { name: /Design Team/, selected: true }).waitFor();
  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Design Team' }).waitFor();
  await messageRow(page, 'Critique on Friday').waitFor();
  // read, not joined: the join bar, as from Browse channels
  await page.getByText("You're reading #Design Team. Join it to post.").waitFor();
  await page.getByRole('button', { name: 'Join #Design Team' }).click();
  await page.getByRole('textbox', { name: 'Message #Design Team' }).waitFor();
  await sidebarLink(page, 'Design Team').waitFor();
  // joined now: listed as a channel
  await page.keyboard.press('Control+k');
  await box.fill('des');
  await dialog.getByRole('option', { name: /Design Team\s*Channel$/ }).waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(errors, []);
});

// ---- archive and edit --------------------------------------------------------------------------------------

test('the channel menu archives a channel (its creator, admins) after a confirmation, and unarchives it; others are not offered it', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const cara = await createUser(s.owner, 'MEMBER', 'Cara Creator');
  const dov = await createUser(s.owner, 'MEMBER', 'Dov Member');
  const made = await cara.post('/v1/channels', { name: 'cara-archive', type: 'PUBLIC' });
  assert.equal(made.status, 200, made.text);
  const channelId = made.body.channel.id as string;
  assert.equal((await cara.post(`/v1/channels/${channelId}/users`, { userIds: [dov.userId] })).status, 200);
  const menuItems = async (page: Page) => {
    await page.getByRole('button', { name: 'Channel menu' }).click();
    const items = await page.getByRole('menu').getByRole('menuitem').allInnerTexts();
    await page.keyboard.press('Escape');
    return items.map((i) => i.trim());
  };

  // a member who did not create it: no archive
  const { page: d } = await signedIn(t, dov, errors, { who: 'dov' });
  await openChannel(d, channelId, 'cara-archive');
  assert.equal((await menuItems(d)).includes('Archive channel'), false);
  // the owner: none for the general channel
  const { page: o } = await signedInOwner(t, errors);
  await openChannel(o, s.generalId, 'general');
  assert.equal((await menuItems(o)).includes('Archive channel'), false, 'the general channel cannot be archived');
  // … but for Cara's channel, as an admin
  await openChannel(o, channelId, 'cara-archive');
  assert.ok((await menuItems(o)).includes('Archive channel'), 'admins may archive any channel');

  // the creator archives it: confirmation, then read-only, out of the sidebar
  const { page: c } = await signedIn(t, cara, errors, { who: 'cara' });
  await openChannel(c, channelId, 'cara-archive');
  await sidebarLink(c, 'cara-archive').waitFor();
  await c.getByRole('button', { name: 'Channel menu' }).click();
  await c.getByRole('menuitem', { name: 'Archive channel' }).click();
  const confirm = c.getByRole('dialog', { name: 'Archive #cara-archive?' });
  await confirm.getByText('Nobody can post in it any more').waitFor();
  await screenshot(c, 'web-chat4-archive-confirm');
  assert.deepEqual(await axeViolations(c), [], 'axe with the archive confirmation open');
  await confirm.getByRole('button', { name: 'Archive channel' }).click();
  await confirm.waitFor({ state: 'detached' });
  await c.getByText('This channel is archived: you can read it, but no longer post in it.').waitFor();
  await sidebarLink(c, 'cara-archive').waitFor({ state: 'detached' });
  assert.equal((await cara.get(`/v1/channels/${channelId}`)).body.channel.isArchived, true);
  // live for the others
  await d.getByText('This channel is archived: you can read it, but no longer post in it.').waitFor({ timeout: 10_000 });
  await screenshot(c, 'web-chat4-archived');

  // and back
  await c.getByRole('button', { name: 'Channel menu' }).click();
  await c.getByRole('menuitem', { name: 'Unarchive channel' }).click();
  const back = c.getByRole('dialog', { name: 'Unarchive #cara-archive?' });
  await back.getByRole('button', { name: 'Unarchive channel' }).click();
  await back.waitFor({ state: 'detached' });
  await c.getByRole('textbox', { name: 'Message #cara-archive' }).waitFor();
  await sidebarLink(c, 'cara-archive').waitFor();
  assert.equal((await cara.get(`/v1/channels/${channelId}`)).body.channel.isArchived, false);
  assert.deepEqual(errors, []);
});

test('"Edit channel" renames it and changes its description', async (t) => {
  if (!(await needBrowser(t))) return;
  const channelId = await publicChannel(s.owner, 'edit-me');
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await openChannel(page, channelId, 'edit-me');
  await page.getByRole('button', { name: 'Channel menu' }).click();
  await page.getByRole('menuitem', { name: 'Edit channel' }).click();
  const dialog = page.getByRole('dialog', { name: 'Edit #edit-me' });
  await dialog.getByLabel('Name').fill('edited-name');
  await dialog.getByLabel('Description (optional)').fill('Now *with* a topic');
  await dialog.getByRole('button', { name: 'Save' }).click();
  await dialog.waitFor({ state: 'detached' });
  await page.getByRole('heading', { level: 1, name: 'edited-name' }).waitFor();
  await page.locator('.channel-header-topic em', { hasText: 'with' }).waitFor();
  await sidebarLink(page, 'edited-name').waitFor();
  assert.deepEqual(errors, []);
});
