/**
 * A person's profile in the right panel and arrow keys in lists, in a real browser (docs/web-client.md
 * §4, §8): the profile opens from a message's author, the member list and a DM's header, shows the
 * name, role, custom status with its end, presence, local time in the person's zone and e-mail, closes
 * with Esc (the focus going back) and its "Message" button opens the DM; ↑/↓ (Home/End) move the focus
 * through the sidebar's entries and Enter opens one; ↑/↓ move between messages, each showing its
 * actions, while the composer's ↑ still edits the last message. One server and one browser for the
 * file. Screenshots go to artifacts/ (git-ignored).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, type Client, publicChannel } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, signedInOwner, openChannel } = webClientHarness();

const channelWith = (name: string, ...people: Client[]) => publicChannel(s.owner, name, people.map((p) => p.userId));

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });
/** Intl writes a narrow no-break space before AM/PM; Node's ICU and Chromium's may differ in which. */
const spaces = (text: string) => text.replace(/[\s\u202f\u00a0]+/g, ' ').trim();
const isFocused = (page: Page, selector: string) => page.evaluate((sel) => document.activeElement?.matches(sel) ?? false, selector);

test("a person's profile: from a message author, the member list and a DM header; Esc closes; Message opens the DM", async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const pia = await createUser(s.owner, 'ADMIN', 'Pia Profile');
  assert.equal((await pia.put('/v1/workspaceUsers/me', { timeZone: 'Asia/Tokyo' })).status, 200);
  const status = await pia.put('/v1/workspaceUsers/customStatus', { code: ':palm_tree:', status: 'On holiday', expiresAt: Date.now() + 4 * 3600_000 });
  assert.equal(status.status, 200, status.text);
  const room = await channelWith('profile-room', pia);
  assert.equal((await pia.post(`/v1/channels/${room}/messages`, { text: 'hello from Pia' })).status, 200);

  const { page } = await signedInOwner(t, errors);
  await openChannel(page, room, 'profile-room');

  // from the author's name
  const author = messageRow(page, 'hello from Pia').getByRole('button', { name: 'Pia Profile' });
  await author.click();
  const panel = page.getByRole('complementary', { name: 'Profile' });
  await panel.waitFor();
  assert.match(page.url(), /[?&]profile=/, 'a deep link');
  await panel.getByRole('heading', { name: 'Pia Profile' }).waitFor();
  await panel.getByText('Admin', { exact: true }).waitFor();
  const statusText = spaces(await panel.getByTestId('profile-status').innerText());
  assert.match(statusText, /🌴 On holiday · Until /, statusText);
  const local = spaces(await panel.getByTestId('profile-local-time').innerText());
  const tokyo = (ms: number) => spaces(new Intl.DateTimeFormat('en-US', { hour: 'numeric', minute: '2-digit', timeZone: 'Asia/Tokyo' }).format(ms));
  assert.ok([tokyo(Date.now()), tokyo(Date.now() - 60_000)].some((time) => local === `${time} (Asia/Tokyo)`), `local time: ${local}`);
  await panel.getByRole('link', { name: pia.email! }).waitFor();
  await panel.getByText(/^(Active|Away)$/).waitFor();
  assert.equal(await isFocused(page, '.profile-panel button[aria-label="Close profile"]'), true, 'the close button has the focus');
  await screenshot(page, 'web-profile-panel');
  assert.deepEqual(await axeViolations(page), []);

  // Esc closes; the focus goes back to the name that opened it
  await page.keyboard.press('Escape');
  await panel.waitFor({ state: 'detached' });
  assert.doesNotMatch(page.url(), /profile=/);
  assert.equal(await author.evaluate((el) => el === document.activeElement), true, 'the focus is back on the author');

  // the avatar opens it too
  await messageRow(page, 'hello from Pia').locator('.message-avatar-button').click();
  await panel.getByRole('heading', { name: 'Pia Profile' }).waitFor();
  await panel.getByRole('button', { name: 'Close profile' }).click();
  await panel.waitFor({ state: 'detached' });

  // from the member list; closing brings the member list back
  await page.getByRole('button', { name: /members — show the member list/ }).click();
  const members = page.getByRole('complementary', { name: 'Members' });
  await members.getByRole('button', { name: /^Pia Profile/ }).click();
  await panel.getByRole('heading', { name: 'Pia Profile' }).waitFor();
  await members.waitFor({ state: 'detached' });
  await panel.getByRole('button', { name: 'Close profile' }).click();
  await members.waitFor();

  // "Message" opens the DM, whose header opens the profile again
  await members.getByRole('button', { name: /^Pia Profile/ }).click();
  await panel.getByRole('button', { name: 'Message' }).click();
  await page.waitForURL((url) => !url.pathname.endsWith(room) && !url.search.includes('profile='));
  const title = page.getByRole('heading', { level: 1, name: 'Pia Profile' });
  await title.waitFor();
  await title.getByRole('button', { name: 'Pia Profile' }).click();
  await panel.getByRole('heading', { name: 'Pia Profile' }).waitFor();
  assert.deepEqual(errors, []);
});

test('arrow keys: through the sidebar (Home/End, Enter opens) and between messages; the composer ↑ still edits', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  await channelWith('keys-alpha');
  const beta = await channelWith('keys-beta');
  for (const text of ['first key message', 'second key message', 'third key message']) {
    assert.equal((await s.owner.post(`/v1/channels/${beta}/messages`, { text })).status, 200);
  }
  const { page } = await signedInOwner(t, errors);
  await openChannel(page, s.generalId, 'general');

  // the sidebar: each entry, in order
  const nav = page.getByRole('navigation', { name: 'Channels and direct messages' });
  const alphaLink = nav.getByRole('link', { name: 'keys-alpha' });
  await alphaLink.waitFor();
  const entries = await nav.locator('a.sidebar-item').evaluateAll((links) => links.map((a) => a.getAttribute('href')));
  assert.ok(entries.length >= 4, `entries: ${entries.join(', ')}`);
  const focusedHref = () => page.evaluate(() => document.activeElement?.getAttribute('href'));
  await alphaLink.focus();
  const at = entries.indexOf(await alphaLink.getAttribute('href'));
  assert.ok(at > 0);
  await page.keyboard.press('ArrowDown');
  assert.equal(await focusedHref(), entries[at + 1]);
  await page.keyboard.press('ArrowUp');
  await page.keyboard.press('ArrowUp');
  assert.equal(await focusedHref(), entries[at - 1]);
  await page.keyboard.press('End');
  assert.equal(await focusedHref(), entries.at(-1));
  await page.keyboard.press('Home');
  assert.equal(await focusedHref(), entries[0]);
  await nav.getByRole('link', { name: 'keys-beta' }).focus();
  await page.keyboard.press('Enter');
  await page.getByRole('heading', { level: 1, name: 'keys-beta' }).waitFor();

  // the messages: Tab stop on the list, ↑ enters at the last row in view, ↑/↓ move, each shows its actions
  const third = messageRow(page, 'third key message');
  await third.waitFor();
  await page.getByRole('log', { name: 'Messages in keys-beta' }).locator('.message-scroller').focus();
  await page.keyboard.press('ArrowUp');
  assert.equal(await third.evaluate((el) => el === document.activeElement), true, 'the last message has the focus');
  await third.locator('.message-actions').waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowUp');
  const second = messageRow(page, 'second key message');
  assert.equal(await second.evaluate((el) => el === document.activeElement), true, 'the previous message has the focus');
  await second.locator('.message-actions').waitFor({ state: 'visible' });
  await page.keyboard.press('ArrowUp');
  assert.equal(await messageRow(page, 'first key message').evaluate((el) => el === document.activeElement), true);
  await page.keyboard.press('ArrowDown');
  assert.equal(await second.evaluate((el) => el === document.activeElement), true, 'the next message has the focus');
  await screenshot(page, 'web-message-focus');

  // the composer's ↑ edits my last message, as before
  const box = page.getByRole('textbox', { name: 'Message #keys-beta' });
  await box.focus();
  await box.press('ArrowUp');
  const editor = page.getByRole('textbox', { name: 'Edit your message' });
  await editor.waitFor();
  assert.equal(await editor.inputValue(), 'third key message');
  await editor.press('Escape');
  assert.deepEqual(errors, []);
});
