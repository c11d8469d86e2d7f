/**
 * Presence, the quick switcher, notification levels and new-message announcements in a real browser
 * (docs/web-client.md §4, §5, §6.8, §8): a person's dot goes online when they open a tab and offline
 * when they close it (sidebar and member list); Ctrl+K filters channels, conversations and people,
 * arrow keys and Enter go, Esc closes; the channel menu's notification level is the server's and
 * survives a reload; the polite live region says others' new messages in the open channel, a burst
 * as one count, never one's own. One server and one browser for the file; each test makes its own
 * people and channels. Screenshots go to artifacts/ (git-ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { publicChannel, type Client } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness, type Member } from '../support/web-client.js';

const { server: s, needBrowser, signedIn, member: person, owner, openChannel } = webClientHarness();

/** A public channel made by the owner with these people in it. */
const channelWith = (name: string, ...people: Member[]) => publicChannel(s.owner, name, people.map((p) => p.api.userId));

const sidebarLink = (page: Page, name: string) => page.getByRole('navigation').getByRole('link', { name });

// ---- presence -------------------------------------------------------------------------------------------

test("presence: B's dot goes online when B opens a tab and offline when B closes it", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const bea = await person('Bea Presence');
  assert.equal((await s.owner.post('/v1/channels/direct', { participantIds: [bea.api.userId] })).status, 200);
  const { page: a } = await signedIn(t, await owner(), errors);
  await openChannel(a, s.generalId, 'general');

  const dm = sidebarLink(a, 'Bea Presence');
  const dot = dm.locator('.presence-dot');
  await dot.and(a.locator('[data-presence="offline"]')).waitFor();
  assert.match((await dm.textContent()) ?? '', /Bea Presence, offline/, 'screen readers hear the state after the name');

  // B opens a tab: online in A's sidebar and in the member list.
  const { page: b } = await signedIn(t, bea, errors);
  await openChannel(b, s.generalId, 'general');
  await dot.and(a.locator('[data-presence="online"]')).waitFor({ timeout: 10_000 });
  assert.match((await dm.textContent()) ?? '', /Bea Presence, online/);
  await a.getByRole('button', { name: /members — show the member list/ }).click();
  const beaInList = a.locator('.member', { hasText: 'Bea Presence' });
  await beaInList.locator('.presence-dot[data-presence="online"]').waitFor();
  await screenshot(a, 'web-presence-online');
  assert.deepEqual(await axeViolations(a), []);

  // B closes the tab: offline again, in both places.
  await b.close();
  await dot.and(a.locator('[data-presence="offline"]')).waitFor({ timeout: 10_000 });
  await beaInList.locator('.presence-dot[data-presence="offline"]').waitFor();
  assert.deepEqual(errors, []);
});

// ---- quick switcher -------------------------------------------------------------------------------------

test('Ctrl+K: filter as you type, arrows and Enter to go, Esc to close; a person gets a new conversation', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  await channelWith('zeta-launch');
  await channelWith('zeta-retro');
  await person('Kim Switcher');
  const { page } = await signedIn(t, await owner(), errors);
  await openChannel(page, s.generalId, 'general');

  // Esc closes, and the focus goes back where it was (the composer).
  const composer = page.getByRole('textbox', { name: 'Message #general' });
  await composer.focus();
  await page.keyboard.press('Control+k');
  const dialog = page.getByRole('dialog', { name: 'Jump to…' });
  await dialog.waitFor();
  const box = dialog.getByRole('combobox', { name: 'Channel, conversation or person' });
  assert.equal(await box.evaluate((el) => el === document.activeElement), true, 'the search box has the focus');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.equal(await composer.evaluate((el) => el === document.activeElement), true, 'the focus is back in the composer');

  // Typing filters; ↓ moves the choice; Enter goes there.
  await page.keyboard.press('Control+k');
  await box.fill('zeta');
  const options = dialog.getByRole('option');
  await options.first().waitFor();
  assert.deepEqual(await options.allTextContents(), ['zeta-launchChannel', 'zeta-retroChannel']);
  assert.equal(await options.nth(0).getAttribute('aria-selected'), 'true');
  await box.press('ArrowDown');
  assert.equal(await options.nth(1).getAttribute('aria-selected'), 'true');
  assert.equal(await box.getAttribute('aria-activedescendant'), await options.nth(1).getAttribute('id'));
  await box.press('ArrowDown'); // wraps around to the first
  await box.press('ArrowUp'); // and back to the last
  await screenshot(dialog, 'web-switcher');
  assert.deepEqual(await axeViolations(page), []);
  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'zeta-retro' }).waitFor();
  await dialog.waitFor({ state: 'detached' });

  // Nothing matches: said so.
  await page.keyboard.press('Control+k');
  await box.fill('no-such-place');
  await dialog.getByText('Nothing matches “no-such-place”.').waitFor();

  // A person without a conversation yet: Enter starts one and opens it.
  await box.fill('kim swi');
  await dialog.getByRole('option', { name: /Kim Switcher.*Start a conversation/ }).waitFor();
  await box.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'Kim Switcher' }).waitFor();
  await sidebarLink(page, 'Kim Switcher').waitFor();
  // Now it is a direct message, found by the same words.
  await page.keyboard.press('Control+k');
  await box.fill('kim');
  await dialog.getByRole('option', { name: /Kim Switcher.*Direct message/ }).waitFor();
  await page.keyboard.press('Escape');
  assert.deepEqual(errors, []);
});

// ---- notification levels --------------------------------------------------------------------------------

test('notification level: chosen in the channel menu, kept by the server, the same after a reload', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const channelId = await channelWith('levels-room');
  const { ctx, page } = await signedIn(t, await owner(), errors);
  await openChannel(page, channelId, 'levels-room');

  const menuButton = page.getByRole('button', { name: 'Channel menu' });
  await menuButton.click();
  const menu = page.getByRole('menu', { name: 'Menu of levels-room' });
  const group = menu.getByRole('group', { name: 'Notifications' });
  const item = (name: string) => group.getByRole('menuitemradio', { name });
  await item('Mentions only').and(page.locator('[aria-checked="true"]')).waitFor();
  assert.equal(await item('All new messages').getAttribute('aria-checked'), 'false');
  // Arrow keys move through the menu's items: Add people (focused on opening), Edit channel (the
  // owner may), Files, the levels.
  assert.equal(await menu.getByRole('menuitem', { name: 'Add people' }).evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press('ArrowDown');
  assert.equal(await menu.getByRole('menuitem', { name: 'Edit channel' }).evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press('ArrowDown');
  await page.keyboard.press('ArrowDown');
  assert.equal(await item('All new messages').evaluate((el) => el === document.activeElement), true);
  await screenshot(menu, 'web-notification-levels');
  assert.deepEqual(await axeViolations(page), []);

  await item('Nothing').click();
  await menu.waitFor({ state: 'detached' });
  const stored = (await (await ctx.request.get(`${s.url}/v1/channels/${channelId}/notificationLevel`)).json()) as { level: string; isDefault: boolean };
  assert.deepEqual(stored, { channelId, level: 'nothing', isDefault: false });

  await page.reload();
  await page.getByRole('heading', { level: 1, name: 'levels-room' }).waitFor();
  await menuButton.click();
  await item('Nothing').and(page.locator('[aria-checked="true"]')).waitFor();
  assert.equal(await item('Mentions only').getAttribute('aria-checked'), 'false');
  await page.keyboard.press('Escape');
  await menu.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

// ---- announcements --------------------------------------------------------------------------------------

test('screen readers: others\' new messages in the open channel are announced politely, a burst as a count, one\'s own never', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const cai = await person('Cai Announcer');
  const channelId = await channelWith('announce-room', cai);
  const elsewhere = await channelWith('announce-elsewhere', cai);
  const me = await owner();
  const { page } = await signedIn(t, me, errors);
  await openChannel(page, channelId, 'announce-room');

  const region = page.locator('.message-announcer');
  assert.equal(await region.getAttribute('aria-live'), 'polite');
  const post = async (who: Client, where: string, text: string) => assert.equal((await who.post(`/v1/channels/${where}/messages`, { text })).status, 200);

  // A message in another channel is not news for this one.
  await post(cai.api, elsewhere, 'not here');
  await post(cai.api, channelId, `Deploy is **done**, <@${s.ownerId}>`);
  await waitForText(region, `New message from Cai Announcer: Deploy is done, @${me.name}`);

  // Three in a burst (within the few seconds after an announcement): one count.
  await Promise.all(['one', 'two', 'three'].map((text) => post(cai.api, channelId, text)));
  await waitForText(region, '3 new messages');

  // One's own messages are not announced.
  await post(s.owner, channelId, 'my own words');
  await new Promise((r) => setTimeout(r, 3500));
  assert.equal(await region.textContent(), '3 new messages');
  assert.deepEqual(errors, []);
});

async function waitForText(locator: ReturnType<Page['locator']>, text: string, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  for (;;) {
    const now = await locator.textContent();
    if (now === text) return;
    if (Date.now() > deadline) throw new Error(`expected "${text}", the region says "${now}"`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
