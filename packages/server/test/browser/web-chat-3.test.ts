/**
 * The web client's message list and emoji in a real browser: the list keeps following the newest
 * message after an ephemeral one ("only visible to you") arrives, offers to jump back to it when the
 * reader is well up, shortcodes in message text render
 * as emoji (not in code), and emoji search puts the exact shortcode first. One server and one
 * browser for the file; each test makes its own people and channels. Screenshots go to artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, type Client, publicChannel } from '../support/helpers.js';
import { screenshot, waitFor, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, signedInOwner } = webClientHarness();

/** A public channel made by the owner with these people in it. */
const channelWith = (name: string, ...people: Client[]) => publicChannel(s.owner, name, people.map((p) => p.userId));

/** How far the list's scroller is from its bottom, in px. */
const gapFromBottom = (page: Page) =>
  page.locator('.message-scroller').evaluate((el) => Math.round(el.scrollHeight - el.scrollTop - el.clientHeight));

/** Is the row whose text contains `text` fully inside the list's viewport? */
const rowFullyInView = (page: Page, text: string) =>
  page.evaluate((text) => {
    const scroller = document.querySelector('.message-scroller')?.getBoundingClientRect();
    const row = [...document.querySelectorAll<HTMLElement>('.message')].find((m) => m.querySelector('.message-text')?.textContent?.includes(text));
    if (!row || !scroller) return false;
    const r = row.getBoundingClientRect();
    return r.top >= scroller.top - 1 && r.bottom <= scroller.bottom + 1;
  }, text);

test('the list stays at the bottom through ephemeral messages and later ones; scrolled up it stays put; one\'s own command is always shown', async (t) => {
  if (!(await needBrowser(t))) return;
  const bea = await createUser(s.owner, 'MEMBER', 'Bea Follow');
  const channelId = await channelWith('follow-room', bea);
  // more than a page (50): older rows load, and are measured, as the list is scrolled up
  const HISTORY = 80;
  for (let i = 1; i <= HISTORY; i++) assert.equal((await bea.post(`/v1/channels/${channelId}/messages`, { text: `history line ${i}` })).status, 200);
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${channelId}`);
  await page.getByRole('heading', { level: 1, name: 'follow-room' }).waitFor();
  await waitFor('the newest row in view', () => rowFullyInView(page, `history line ${HISTORY}`));
  assert.ok((await gapFromBottom(page)) <= 2, 'opens at the bottom');
  const atBottom = async (what: string) => {
    await waitFor(`${what} in view, the list at its bottom`, async () => (await rowFullyInView(page, what)) && (await gapFromBottom(page)) <= 2);
    // and it stays there (nothing settles it away a moment later)
    await page.waitForTimeout(300);
    assert.ok((await gapFromBottom(page)) <= 2, `still at the bottom after ${what}: ${await gapFromBottom(page)} px`);
  };

  // someone else writes: followed
  assert.equal((await bea.post(`/v1/channels/${channelId}/messages`, { text: 'plain message from Bea 1' })).status, 200);
  await atBottom('plain message from Bea 1');

  // a command no app has: its echo and the server's answer, both "only visible to you", are shown
  const composer = page.getByLabel('Message #follow-room');
  await composer.click();
  await page.keyboard.type('/nosuchcommand');
  await page.keyboard.press('Enter');
  await page.locator('.message-ephemeral .message-text', { hasText: 'is not a command' }).waitFor({ timeout: 10_000 });
  await atBottom('/nosuchcommand is not a command');
  await screenshot(page, 'web-chat3-after-ephemeral');

  // and the list keeps following after it
  assert.equal((await bea.post(`/v1/channels/${channelId}/messages`, { text: 'a reply after the ephemeral' })).status, 200);
  await atBottom('a reply after the ephemeral');
  await screenshot(page, 'web-chat3-after-reply');

  // scrolled up, the reader stays where they are while messages arrive
  await page.locator('.message-scroller').hover();
  await page.mouse.wheel(0, -400);
  await waitFor('scrolled up', async () => (await gapFromBottom(page)) > 300);
  const [top, height] = await page.locator('.message-scroller').evaluate((el) => [el.scrollTop, el.scrollHeight]);
  assert.equal((await bea.post(`/v1/channels/${channelId}/messages`, { text: 'while scrolled up' })).status, 200);
  await waitFor('the list to grow', async () => (await page.locator('.message-scroller').evaluate((el) => el.scrollHeight)) > height);
  await page.waitForTimeout(300);
  // Not pulled down to the new message. (The fresh-clone CI of 2026-12-07 saw the list 11 px higher
  // once, on a busy runner: a layout settling above the view, not a pull towards the bottom.)
  const after = await page.locator('.message-scroller').evaluate((el) => el.scrollTop);
  assert.ok(after <= top + 2, `not pulled down: scrollTop ${top} → ${after}`);
  assert.equal(await rowFullyInView(page, 'while scrolled up'), false);

  // … until they send: their own command and its answer are scrolled into view
  await composer.click();
  await page.keyboard.type('/stillnocommand');
  await page.keyboard.press('Enter');
  await page.locator('.message-ephemeral .message-text', { hasText: '/stillnocommand is not a command' }).waitFor({ timeout: 10_000 });
  await atBottom('/stillnocommand is not a command');

  // scrolled up and back down by the reader: the list follows again
  await page.locator('.message-scroller').hover();
  await page.mouse.wheel(0, -400);
  await waitFor('scrolled up', async () => (await gapFromBottom(page)) > 300);
  await page.mouse.wheel(0, 1000);
  await waitFor('back at the bottom', async () => (await gapFromBottom(page)) <= 2);
  assert.equal((await bea.post(`/v1/channels/${channelId}/messages`, { text: 'welcome back down' })).status, 200);
  await atBottom('welcome back down');

  // a script scrolling the list up (as the bench does, a step each frame) is not pulled back down
  await page.waitForTimeout(1_000); // (the reader's last wheel long past)
  // 40 steps of 60 px, one a frame, however many frames a second a busy runner draws.
  const moved = await page.evaluate(`new Promise((resolve) => {
    const el = document.querySelector('.message-scroller');
    let steps = 40;
    const frame = () => {
      el.scrollTop -= 60;
      if (--steps > 0) requestAnimationFrame(frame);
      else setTimeout(() => resolve(el.scrollHeight - el.scrollTop - el.clientHeight), 300);
    };
    requestAnimationFrame(frame);
  })`);
  assert.ok((moved as number) > 1500, `scrolled up by a script: ${moved as number} px from the bottom`);
  assert.deepEqual(errors, []);
});

test('scrolled more than a screen up, "Jump to recent messages" appears, counts what others post meanwhile, and takes the reader back down to follow again', async (t) => {
  if (!(await needBrowser(t))) return;
  const cy = await createUser(s.owner, 'MEMBER', 'Cy Jumper');
  const channelId = await channelWith('jump-latest-room', cy);
  const HISTORY = 60;
  for (let i = 1; i <= HISTORY; i++) assert.equal((await cy.post(`/v1/channels/${channelId}/messages`, { text: `older line ${i}` })).status, 200);
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${channelId}`);
  await page.getByRole('heading', { level: 1, name: 'jump-latest-room' }).waitFor();
  await waitFor('the newest row in view', () => rowFullyInView(page, `older line ${HISTORY}`));
  const jump = page.locator('.jump-to-latest');
  assert.equal(await jump.count(), 0, 'no button at the bottom');

  // a little way up (less than a screen): still no button. (The list opened a moment ago may still
  // be settling at its bottom: the wheel is given again until it has moved the list.)
  const screen = await page.locator('.message-scroller').evaluate((el) => el.clientHeight);
  await page.waitForTimeout(500);
  await page.locator('.message-scroller').hover();
  for (let i = 0; i < 5 && (await gapFromBottom(page)) <= screen / 6; i++) {
    await page.mouse.wheel(0, -Math.round(screen / 3));
    await page.waitForTimeout(300);
  }
  await waitFor('scrolled up a little', async () => (await gapFromBottom(page)) > screen / 6);
  await page.waitForTimeout(200);
  assert.ok((await gapFromBottom(page)) < screen, 'less than a screen up');
  assert.equal(await jump.count(), 0, 'no button a few lines up');

  // well up: the button, naming no count yet
  for (let i = 0; i < 6 && (await gapFromBottom(page)) <= screen + 50; i++) {
    await page.mouse.wheel(0, -600);
    await page.waitForTimeout(100);
  }
  await jump.waitFor({ timeout: 5_000 });
  assert.equal((await jump.innerText()).trim(), 'Jump to recent messages');

  // others write meanwhile: counted (one's own ephemeral or sent messages are not)
  assert.equal((await cy.post(`/v1/channels/${channelId}/messages`, { text: 'news while away 1' })).status, 200);
  await waitFor('one new message counted', async () => (await jump.innerText()).trim() === '1 new message');
  assert.equal((await cy.post(`/v1/channels/${channelId}/messages`, { text: 'news while away 2' })).status, 200);
  await waitFor('two new messages counted', async () => (await jump.innerText()).trim() === '2 new messages');
  await screenshot(page, 'web-chat3-jump-to-latest');
  assert.equal(await rowFullyInView(page, 'news while away 2'), false, 'the reader was not pulled down');

  // the button: back at the bottom, the button gone, and the list follows again
  await jump.click();
  await waitFor('back at the newest row', async () => (await rowFullyInView(page, 'news while away 2')) && (await gapFromBottom(page)) <= 2);
  await waitFor('the button gone', async () => (await jump.count()) === 0);
  assert.equal((await cy.post(`/v1/channels/${channelId}/messages`, { text: 'followed after the jump' })).status, 200);
  await waitFor('the next message followed', async () => (await rowFullyInView(page, 'followed after the jump')) && (await gapFromBottom(page)) <= 2);
  assert.deepEqual(errors, []);
});

test('emoji search: the exact shortcode first — :heart offers ❤️ before 😍, :fire 🔥 before 🧑‍🚒; "heart" + Enter in the picker reacts ❤️', async (t) => {
  if (!(await needBrowser(t))) return;
  const channelId = await channelWith('emoji-search-room');
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${channelId}`);
  await page.getByRole('heading', { level: 1, name: 'emoji-search-room' }).waitFor();
  const box = page.getByRole('textbox', { name: 'Message #emoji-search-room' });
  const options = page.getByRole('listbox', { name: 'Emoji' }).getByRole('option');

  await box.pressSequentially('I :heart', { delay: 10 });
  await options.first().waitFor({ timeout: 10_000 });
  assert.match(await options.first().innerText(), /:heart:\s*red heart/, 'the exact shortcode first');
  assert.ok((await options.allInnerTexts()).some((o) => o.includes(':heart_eyes:')), 'the longer ones after it');
  await screenshot(page, 'web-chat3-emoji-heart');
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'I ❤️');

  await box.pressSequentially(' :fire', { delay: 10 });
  await page.getByRole('listbox', { name: 'Emoji' }).getByRole('option', { name: /:fire:/ }).first().waitFor();
  assert.match(await options.first().innerText(), /^\S*\s*:fire:/, `fire first, not ${await options.first().innerText()}`);
  await box.press('Enter');
  assert.equal(await box.inputValue(), 'I ❤️ 🔥');
  await box.press('Enter');
  const row = page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: 'I ❤️ 🔥' }) });
  await row.waitFor();

  // the reaction picker: search "heart", Enter takes the first, which is ❤️ (:heart:), not 😍
  await row.hover();
  await row.getByRole('button', { name: 'Add reaction' }).click();
  const picker = page.getByRole('dialog', { name: 'Emoji picker' });
  const search = picker.getByRole('searchbox', { name: 'Search emoji' });
  await search.fill('heart');
  await picker.getByRole('button', { name: 'red heart' }).waitFor({ timeout: 10_000 });
  assert.equal(await picker.locator('.emoji-grid button').first().getAttribute('title'), ':heart:');
  await screenshot(page, 'web-chat3-emoji-picker-heart');
  await search.press('Enter');
  await row.locator('.reaction-chip', { hasText: '❤️' }).waitFor();
  const reactions = (await s.owner.get(`/v1/channels/${channelId}/messages`)).body.messages[0].reactions as Array<{ code: string }>;
  assert.deepEqual(reactions.map((r) => r.code), [':heart:']);
  assert.deepEqual(errors, []);
});

test('shortcodes in a message show as emoji — not in code, unknown ones as typed, HTML still text', async (t) => {
  if (!(await needBrowser(t))) return;
  const cam = await createUser(s.owner, 'MEMBER', 'Cam Codes');
  const channelId = await channelWith('shortcode-room', cam);
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${channelId}`);
  await page.getByRole('heading', { level: 1, name: 'shortcode-room' }).waitFor();
  // :smile: and :+1: are among the common codes; :heart_eyes: and :sloth: only in the full set (loaded for them)
  const text = 'Nice :smile: :+1: :heart_eyes::sloth: but `:smile:` and :nosuchcode: and 10:30:45 and <b>:tada:</b>\n```\n:rocket:\n```';
  assert.equal((await cam.post(`/v1/channels/${channelId}/messages`, { text })).status, 200);
  const body = page.locator('.message-text', { hasText: 'Nice' });
  await body.locator('.emoji[title=":sloth:"]').waitFor({ timeout: 10_000 });
  assert.deepEqual(await body.locator('.emoji').evaluateAll((els) => els.map((e) => `${e.textContent} ${e.getAttribute('title')}`)), [
    '😄 :smile:',
    '👍 :+1:',
    '😍 :heart_eyes:',
    '🦥 :sloth:',
    '🎉 :tada:',
  ]);
  const shown = await body.innerText();
  assert.match(shown, /^Nice 😄 👍 😍🦥 but :smile: and :nosuchcode: and 10:30:45 and <b>🎉<\/b>\n+:rocket:/);
  assert.equal(await body.locator('code').first().innerText(), ':smile:', 'a code span stays as typed');
  assert.equal(await body.locator('pre code').innerText(), ':rocket:\n', 'a code block too');
  assert.equal(await body.locator('b, img, script').count(), 0, 'no HTML from the text');
  await screenshot(body, 'web-chat3-shortcodes');
  assert.deepEqual(errors, []);
});
