/**
 * The web client's second chat slice in a real browser (docs/web-client.md §4–§6): unread badges and
 * marking read across tabs, typing, threads live, a DM from "New message", browse + join, create a
 * channel, add people to it and leave it, @-mention autocomplete, ↑ to edit, the emoji picker, and a deactivated person's
 * tab dropping to sign-in. One server and one browser for the file; each test makes its own people
 * and channels. Screenshots go to artifacts/ (git-ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { publicChannel } from '../support/helpers.js';
import { axeViolations, screenshot, watchErrors, webClientHarness, type Member } from '../support/web-client.js';

// ---- one server and one browser for the file ----------------------------------------------------------

const { server: s, needBrowser, signedIn, member: person, owner, openChannel } = webClientHarness();

/** A public channel made by the owner with these people in it. */
const channelWith = (name: string, ...people: Member[]) => publicChannel(s.owner, name, people.map((p) => p.api.userId));

/** The row of the message whose text contains `text`, on the page or inside a part of it. */
const messageRow = (scope: Page | ReturnType<Page['locator']>, text: string) => {
  const page = 'goto' in scope ? scope : scope.page();
  return scope.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });
};
const sidebarLink = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name });

// ---- unread ---------------------------------------------------------------------------------------------

test('unread: bold channel and mention badge, cleared on opening, and in the other tab through channel.read', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const dan = await person('Dan Unread');
  const channelId = await channelWith('unread-room', dan);
  const { ctx, page: tab1 } = await signedIn(t, dan, errors);
  await openChannel(tab1, s.generalId, 'general');
  const tab2 = await ctx.newPage();
  watchErrors(tab2, errors, 'dan tab 2');
  await openChannel(tab2, s.generalId, 'general');

  // the owner writes twice in the channel, once mentioning Dan
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'Morning all' })).status, 200);
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: `<@${dan.api.userId}> can you look at the report?` })).status, 200);

  for (const tab of [tab1, tab2]) {
    const link = sidebarLink(tab, 'unread-room');
    await link.locator('.unread-badge', { hasText: '1' }).waitFor({ timeout: 10_000 });
    const weight = await link.locator('.sidebar-item-label').evaluate((el) => getComputedStyle(el).fontWeight);
    assert.equal(weight, '700', 'an unread channel is bold');
  }
  await screenshot(tab1.locator('.sidebar'), 'web-chat2-unread-badges');

  // opening it in one tab: the divider sits above the first unread message, the marker moves, the other tab follows
  await sidebarLink(tab1, 'unread-room').click();
  await tab1.getByRole('heading', { level: 1, name: 'unread-room' }).waitFor();
  await tab1.getByRole('separator', { name: 'New messages' }).waitFor();
  await sidebarLink(tab2, 'unread-room').locator('.unread-flag').waitFor({ state: 'detached', timeout: 10_000 });
  const state = await ctx.request.get(`${s.url}/v1/channels/unread`);
  const entry = ((await state.json()) as Array<{ channelId: string; unread: number }>).find((u) => u.channelId === channelId);
  assert.equal(entry?.unread, 0);
  // the mention is highlighted as mine
  await messageRow(tab1, 'can you look at the report').locator('.mention.mention-me', { hasText: '@Dan Unread' }).waitFor();

  // a message arriving while the channel is open and visible is read at once
  assert.equal((await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'One more thing' })).status, 200);
  await messageRow(tab1, 'One more thing').waitFor();
  await waitUntil(async () => {
    const list = (await (await ctx.request.get(`${s.url}/v1/channels/unread`)).json()) as Array<{ channelId: string; unread: number }>;
    return list.find((u) => u.channelId === channelId)?.unread === 0;
  });
  assert.equal(await sidebarLink(tab2, 'unread-room').locator('.unread-flag').count(), 0);
  assert.deepEqual(errors, []);
});

// ---- typing ---------------------------------------------------------------------------------------------

test('typing: "X is typing…" shows for the others and goes away', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const tia = await person('Tia Typist');
  const channelId = await channelWith('typing-room', tia);
  const { page: a } = await signedIn(t, await owner(), errors);
  const { page: b } = await signedIn(t, tia, errors);
  await openChannel(a, channelId, 'typing-room');
  await openChannel(b, channelId, 'typing-room');
  await b.getByRole('textbox', { name: 'Message #typing-room' }).pressSequentially('I am writing', { delay: 20 });
  const indicator = a.locator('.typing-indicator', { hasText: 'Tia Typist is typing…' });
  await indicator.waitFor({ timeout: 10_000 });
  await indicator.waitFor({ state: 'detached', timeout: 10_000 });
  // the typist does not see themselves
  assert.equal(await b.locator('.typing-indicator', { hasText: 'typing' }).count(), 0);
  assert.deepEqual(errors, []);
});

// ---- threads --------------------------------------------------------------------------------------------

test('threads: reply in thread, live in the other person\'s panel and summary, also sent to the channel, deep link', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const rae = await person('Rae Replier');
  const channelId = await channelWith('thread-room', rae);
  const root = await s.owner.post(`/v1/channels/${channelId}/messages`, { text: 'Plan for the launch?' });
  const rootId = root.body.id as string;
  const { page: a } = await signedIn(t, await owner(), errors);
  const { page: b } = await signedIn(t, rae, errors);
  await openChannel(a, channelId, 'thread-room');
  await openChannel(b, channelId, 'thread-room');

  // Rae replies from the hover menu
  const rootB = messageRow(b, 'Plan for the launch?');
  await rootB.hover();
  await rootB.getByRole('button', { name: 'Reply in thread' }).click();
  await b.waitForURL(new RegExp(`/c/${channelId}/t/${rootId}$`));
  const panelB = b.getByRole('complementary', { name: 'Thread' });
  await panelB.waitFor();
  await panelB.getByText('No replies yet').waitFor();
  const replyBox = panelB.getByRole('textbox', { name: 'Reply…' });
  await replyBox.fill('Ship on Friday');
  await replyBox.press('Enter');
  await messageRow(panelB, 'Ship on Friday').waitFor();

  // the owner sees the summary under the root, live, and opens the thread from it
  const summary = messageRow(a, 'Plan for the launch?').getByRole('link', { name: /1 reply/ });
  await summary.waitFor({ timeout: 10_000 });
  await summary.click();
  const panelA = a.getByRole('complementary', { name: 'Thread' });
  await messageRow(panelA, 'Ship on Friday').waitFor();
  // the reply is not in the channel
  assert.equal(await messageRow(a.locator('.message-list'), 'Ship on Friday').count(), 0);

  // a second reply, also sent to the channel: live in the owner's panel and in the channel
  await replyBox.fill('And tell the whole room');
  await panelB.getByLabel('Also send to #thread-room').check();
  await replyBox.press('Enter');
  await messageRow(panelA, 'And tell').waitFor({ timeout: 10_000 });
  await messageRow(a.locator('.message-list'), 'And tell').waitFor({ timeout: 10_000 });
  await messageRow(a, 'Plan for the launch?').getByRole('link', { name: /2 replies/ }).waitFor({ timeout: 10_000 });
  await a.mouse.move(0, 0);
  await screenshot(a, 'web-chat2-thread');
  assert.deepEqual(await axeViolations(a), [], 'axe with the thread panel open');

  // the deep link opens the thread; Esc closes the panel
  await a.goto(`${s.url}/c/${channelId}/t/${rootId}`);
  await messageRow(a.getByRole('complementary', { name: 'Thread' }), 'Ship on Friday').waitFor();
  await a.getByRole('button', { name: 'Close the thread' }).click();
  await a.waitForURL(new RegExp(`/c/${channelId}$`));
  assert.deepEqual(errors, []);
});

// ---- direct messages -----------------------------------------------------------------------------------

test('direct messages: "New message" picks people and opens the DM, the other person gets it live', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const dee = await person('Dee Direct');
  const me = await owner();
  const { page: a } = await signedIn(t, me, errors);
  const { page: b } = await signedIn(t, dee, errors);
  await openChannel(a, s.generalId, 'general');
  await openChannel(b, s.generalId, 'general');

  await a.getByRole('button', { name: 'New message' }).click();
  const dialog = a.getByRole('dialog', { name: 'New message' });
  await dialog.waitFor();
  await dialog.getByRole('searchbox', { name: /Search people/ }).fill('Dee');
  await dialog.getByRole('checkbox', { name: /Dee Direct/ }).check();
  await dialog.getByRole('group', { name: 'Chosen people' }).getByRole('button', { name: 'Remove Dee Direct' }).waitFor();
  await screenshot(dialog, 'web-chat2-dm-picker');
  assert.deepEqual(await axeViolations(a), [], 'axe on the people picker');
  await dialog.getByRole('button', { name: 'Open conversation' }).click();
  await a.getByRole('heading', { level: 1, name: 'Dee Direct' }).waitFor();
  assert.match(new URL(a.url()).pathname, /^\/c\//);
  const composer = a.getByRole('textbox', { name: 'Message Dee Direct' });
  await composer.fill('Hi Dee, a word in private');
  await composer.press('Enter');
  await messageRow(a, 'a word in private').waitFor();

  // Dee gets the DM in the sidebar, named after the owner, unread with a count
  const dm = sidebarLink(b, me.name);
  await dm.locator('.unread-badge', { hasText: '1' }).waitFor({ timeout: 10_000 });
  await dm.click();
  await messageRow(b, 'a word in private').waitFor();
  assert.deepEqual(errors, []);
});

// ---- browse, join, create, leave ---------------------------------------------------------------------------

test('channels: browse and join a public one, create a private one, add people to it, leave it from the channel menu', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const bo = await person('Bo Browser');
  const ada = await person('Ada Added');
  await channelWith('design-crit');
  const { page: b } = await signedIn(t, bo, errors);
  await openChannel(b, s.generalId, 'general');

  await b.getByRole('button', { name: 'Browse channels' }).click();
  const browse = b.getByRole('dialog', { name: 'Browse channels' });
  await browse.getByRole('searchbox', { name: 'Search channels' }).fill('design');
  await browse.getByRole('button', { name: 'Join #design-crit' }).click();
  await b.getByRole('heading', { level: 1, name: 'design-crit' }).waitFor();
  await sidebarLink(b, 'design-crit').waitFor();
  await b.getByRole('textbox', { name: 'Message #design-crit' }).waitFor();

  await b.getByRole('button', { name: 'Create a channel' }).click();
  const create = b.getByRole('dialog', { name: 'Create a channel' });
  await create.getByLabel('Name').fill('bo-secret');
  await create.getByLabel(/^Private/).check();
  await create.getByLabel('Description (optional)').fill('Bo thinks out loud');
  await create.getByRole('button', { name: 'Create' }).click();
  await b.getByRole('heading', { level: 1, name: 'bo-secret' }).waitFor();
  await b.getByText('Bo thinks out loud').first().waitFor();
  assert.ok(await sidebarLink(b, 'bo-secret').isVisible());

  // a taken name says so
  await b.getByRole('button', { name: 'Create a channel' }).click();
  await create.getByLabel('Name').fill('design-crit');
  await create.getByRole('button', { name: 'Create' }).click();
  await create.getByText('already exists').waitFor();
  await create.getByRole('button', { name: 'Cancel' }).click();
  errors.splice(0, errors.length, ...errors.filter((e) => !e.includes('POST /v1/channels → 409')));

  // people come in through the Members panel: Add people → search → pick → Add
  const secretId = new URL(b.url()).pathname.split('/')[2]!;
  await b.getByRole('button', { name: '1 member — show the member list' }).click();
  const panel = b.getByRole('complementary').filter({ has: b.getByRole('heading', { name: 'Members' }) });
  await panel.getByRole('button', { name: 'Add people' }).click();
  const adding = b.getByRole('dialog', { name: 'Add people to #bo-secret' });
  assert.equal(await adding.getByRole('checkbox', { name: /Bo Browser/ }).count(), 0, 'members are not offered');
  await adding.getByRole('searchbox', { name: 'Search people by name or e-mail' }).fill('ada');
  await adding.getByRole('checkbox', { name: /Ada Added/ }).check();
  await screenshot(b, 'web-chat2-add-people');
  await adding.getByRole('button', { name: 'Add', exact: true }).click();
  await adding.waitFor({ state: 'detached' });
  await panel.getByRole('button', { name: /Ada Added/ }).waitFor();
  await b.getByRole('button', { name: '2 members — show the member list' }).waitFor();
  const seen = await ada.api.get(`/v1/channels/${secretId}`);
  assert.equal(seen.status, 200, 'Ada now sees the private channel');
  assert.ok((seen.body.users as string[]).includes(ada.api.userId));
  // the channel menu offers it too
  await b.getByRole('button', { name: 'Channel menu' }).click();
  await b.getByRole('menuitem', { name: 'Add people' }).click();
  await adding.getByText('Everyone in the workspace', { exact: false }).or(adding.getByRole('checkbox').first()).first().waitFor();
  assert.equal(await adding.getByRole('checkbox', { name: /Ada Added/ }).count(), 0, 'Ada is a member now');
  await adding.getByRole('button', { name: 'Cancel' }).click();

  await b.getByRole('button', { name: 'Channel menu' }).click();
  await b.getByRole('menuitem', { name: 'Leave channel' }).click();
  await b.getByRole('dialog', { name: 'Leave #bo-secret?' }).getByRole('button', { name: 'Leave channel' }).click();
  await b.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  await sidebarLink(b, 'bo-secret').waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

// ---- composer ---------------------------------------------------------------------------------------------

test('composer: @-mention and #-channel autocomplete, ↑ edits the last message, the emoji picker reacts', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const mo = await person('Mo Mentioned');
  const channelId = await channelWith('compose-room', mo);
  const { page: a } = await signedIn(t, await owner(), errors);
  const { page: b } = await signedIn(t, mo, errors);
  await openChannel(a, channelId, 'compose-room');
  await openChannel(b, channelId, 'compose-room');

  const box = a.getByRole('textbox', { name: 'Message #compose-room' });
  await box.pressSequentially('Ping @Mo', { delay: 10 });
  const list = a.getByRole('listbox', { name: 'People' });
  await list.getByRole('option', { name: /Mo Mentioned/ }).waitFor();
  await a.mouse.move(0, 0);
  await screenshot(a, 'web-chat2-mention-autocomplete');
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'Ping @Mo Mentioned ', 'the box shows the name (sent as the id)');
  await box.pressSequentially('see #gene', { delay: 10 });
  await a.getByRole('listbox', { name: 'Channels' }).getByRole('option', { name: /general/ }).waitFor();
  await box.press('Tab');
  assert.equal(await box.inputValue(), 'Ping @Mo Mentioned see #general ');
  // a code span keeps its text as typed
  await box.pressSequentially('and `@Mo Mentioned`', { delay: 5 });
  await box.press('Escape');
  await box.press('Enter');
  const row = messageRow(a, 'Ping');
  await waitUntil(async () => (await s.owner.get(`/v1/channels/${channelId}/messages`)).body.messages.some((m: any) => m.text.startsWith('Ping')));
  const sent = (await s.owner.get(`/v1/channels/${channelId}/messages`)).body.messages.find((m: any) => m.text.startsWith('Ping')).text;
  assert.equal(sent, `Ping <@${mo.api.userId}> see <#${s.generalId}> and \`@Mo Mentioned\``, 'sent with ids, the code span as typed');
  await row.locator('.mention', { hasText: '@Mo Mentioned' }).waitFor();
  await row.locator('.mention-channel', { hasText: '#general' }).waitFor();
  // editing it shows the names again, and keeps the ids when saved unchanged in them
  await row.hover();
  await row.getByRole('button', { name: 'Edit message' }).click();
  const pingEditor = a.getByRole('textbox', { name: 'Edit your message' });
  assert.equal(await pingEditor.inputValue(), 'Ping @Mo Mentioned see #general and `@Mo Mentioned`');
  await pingEditor.press('Escape');
  await pingEditor.waitFor({ state: 'detached' });
  await a.mouse.move(0, 0); // (off the list: a popup opening under the pointer would take its hover)
  // Mo sees the mention of them highlighted
  await messageRow(b, 'Ping').locator('.mention.mention-me', { hasText: '@Mo Mentioned' }).waitFor({ timeout: 10_000 });

  // :shortcode: autocomplete inserts the emoji (the set loads lazily)
  await box.pressSequentially('Launch :rocke', { delay: 10 });
  await a.getByRole('listbox', { name: 'Emoji' }).getByRole('option', { name: /:rocket:/ }).waitFor({ timeout: 10_000 });
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'Launch 🚀');
  await box.press('Enter');
  await messageRow(a, 'Launch 🚀').waitFor();

  // ↑ in the empty composer edits the last message; Enter saves, focus comes back
  await box.press('ArrowUp');
  const editor = a.getByRole('textbox', { name: 'Edit your message' });
  await editor.waitFor();
  assert.equal(await editor.inputValue(), 'Launch 🚀');
  await editor.fill('Launch 🚀 on Monday');
  await editor.press('Enter');
  await messageRow(b, 'on Monday').getByText('(edited)').waitFor({ timeout: 10_000 });
  await waitUntil(async () => (await a.evaluate(() => document.activeElement?.id)) === 'composer-input');

  // the emoji picker: search, pick, the chip appears for the other person
  const target = messageRow(b, 'on Monday');
  await target.hover();
  await target.getByRole('button', { name: 'Add reaction' }).click();
  const picker = b.getByRole('dialog', { name: 'Emoji picker' });
  await picker.getByRole('searchbox', { name: 'Search emoji' }).fill('tada');
  await picker.getByRole('button', { name: 'party popper' }).waitFor({ timeout: 10_000 });
  await screenshot(b, 'web-chat2-emoji-picker');
  await picker.getByRole('button', { name: 'party popper' }).click();
  await messageRow(a, 'on Monday').locator('.reaction-chip', { hasText: '🎉' }).waitFor({ timeout: 10_000 });
  assert.deepEqual(errors, []);
});

// ---- deactivation ---------------------------------------------------------------------------------------

test('deactivation: the owner deactivates a member through the API, the member\'s tab drops to sign-in at once', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const cy = await person('Cy Leaving');
  const { page } = await signedIn(t, cy, errors);
  await openChannel(page, s.generalId, 'general');
  const r = await s.owner.post(`/v1/workspaceUsers/${cy.api.userId}/deactivate`, {});
  assert.equal(r.status, 200, r.text);
  await page.waitForURL(/\/login$/, { timeout: 5_000 });
  await page.getByRole('heading', { name: 'Sign in to your workspace' }).waitFor();
  assert.deepEqual(
    errors.filter((e) => !/→ 401$/.test(e)),
    [],
  );
});

async function waitUntil(check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}
