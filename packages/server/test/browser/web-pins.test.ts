/**
 * Pins and saved messages in the web client (docs/web-client.md §6.1): one person pins a message
 * from its hover actions and the other's open tab shows it live — the channel header's count and the
 * "Pinned by" marker — the header lists the pins, newest first, and a pin jumps to its message (an
 * older one, out of the first page); an unpin reaches the other tab live too. Saving a message from
 * its actions puts it in the "Saved" view of the sidebar (a save made elsewhere shows up live), and it
 * jumps from there. No page error, and axe-core finds no serious or critical violation on the pins
 * list or the Saved view. Screenshots in artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { createUser, type Client } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, person } = webClientHarness({ viewport: { width: 1280, height: 820 } });

async function post(who: Client, channelId: string, text: string): Promise<string> {
  const r = await who.post(`/v1/channels/${channelId}/messages`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body.id as string;
}

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });

test('pins live across tabs, the pins list jumps; saving fills the Saved view, which jumps too', async (t) => {
  if (!(await needBrowser(t))) return;
  const ana = await createUser(s.owner, 'MEMBER', 'Ana Pinner');
  const ben = await createUser(s.owner, 'MEMBER', 'Ben Watcher');
  const made = await s.owner.post('/v1/channels', { name: 'launch', type: 'PUBLIC' });
  assert.equal(made.status, 200, made.text);
  const launch = made.body.channel.id as string;
  assert.equal((await s.owner.post(`/v1/channels/${launch}/users`, { userIds: [ana.userId, ben.userId] })).status, 200);
  const checklist = await post(ana, launch, 'The launch checklist lives here');
  // out of the channel's first page (50), so a jump to it must load older history
  for (let i = 0; i < 55; i++) await post(s.owner, launch, `status update ${i}`);
  const latest = await post(ben, launch, 'Latest news: we ship on Friday');

  const a = await person(ana);
  const b = await person(ben, { viewport: { width: 1100, height: 760 } });
  try {
    for (const p of [a, b]) {
      await p.page.goto(`${s.url}/c/${launch}`);
      await p.page.getByRole('heading', { level: 1, name: 'launch' }).waitFor();
      await p.page.getByRole('button', { name: '0 pinned messages — show the pins' }).waitFor();
    }

    // ---- Ana pins from the hover actions; Ben's tab shows it live -------------------------------------------
    const rowA = messageRow(a.page, 'Latest news');
    await rowA.hover();
    await rowA.getByRole('button', { name: 'Pin to channel' }).click();
    await rowA.getByText('Pinned by Ana Pinner').waitFor();
    await a.page.getByRole('button', { name: '1 pinned message — show the pins' }).waitFor();
    await b.page.getByRole('button', { name: '1 pinned message — show the pins' }).waitFor({ timeout: 10_000 });
    const rowB = messageRow(b.page, 'Latest news');
    await rowB.getByText('Pinned by Ana Pinner').waitFor({ timeout: 10_000 });
    await rowB.hover();
    await rowB.getByRole('button', { name: 'Unpin from channel' }).waitFor();

    // a pin made elsewhere (the API) arrives too, and the list is newest pin first
    assert.equal((await ana.put(`/v1/channels/${launch}/messages/${checklist}/pin`)).status, 200);
    const pinsButton = b.page.getByRole('button', { name: '2 pinned messages — show the pins' });
    await pinsButton.waitFor({ timeout: 10_000 });
    await pinsButton.click();
    const list = b.page.getByRole('dialog', { name: 'Pinned in launch' });
    await list.waitFor();
    const items = list.getByRole('listitem');
    await items.nth(1).waitFor();
    assert.match(await items.nth(0).innerText(), /launch checklist/);
    assert.match(await items.nth(1).innerText(), /Latest news/);
    await screenshot(b.page, 'web-pins-list');
    assert.deepEqual(await axeViolations(b.page), [], 'axe with the pins list open');

    // Esc closes it and gives focus back to the button
    await b.page.keyboard.press('Escape');
    await list.waitFor({ state: 'detached' });
    assert.equal(await pinsButton.evaluate((el) => el === document.activeElement), true);

    // a pin jumps to its message, loading older history to reach it
    await pinsButton.click();
    await list.getByRole('listitem').filter({ hasText: 'launch checklist' }).getByRole('link', { name: /Jump to message/ }).click();
    await list.waitFor({ state: 'detached' });
    await b.page.waitForURL(new RegExp(`/c/${launch}/m/${checklist}$`));
    await b.page.locator(`.message-flash[data-message-id="${checklist}"]`).waitFor({ timeout: 20_000 });
    assert.ok(await messageRow(b.page, 'The launch checklist').isVisible(), 'scrolled into view');

    // Ben unpins; Ana's header follows live
    const checklistB = messageRow(b.page, 'The launch checklist');
    await checklistB.hover();
    await checklistB.getByRole('button', { name: 'Unpin from channel' }).click();
    await a.page.getByRole('button', { name: '1 pinned message — show the pins' }).waitFor({ timeout: 10_000 });
    await checklistB.getByText('Pinned by').waitFor({ state: 'detached' });

    // ---- Ben saves the checklist, then opens Saved from the sidebar -----------------------------------------
    await checklistB.hover();
    await checklistB.getByRole('button', { name: 'Save message' }).click();
    await checklistB.getByRole('button', { name: 'Remove from saved' }).waitFor();
    assert.equal((await a.api.get('/v1/saved')).body.saved.length, 0, 'a save is private');

    await b.page.getByRole('navigation').getByRole('link', { name: 'Saved' }).click();
    await b.page.waitForURL(/\/saved$/);
    await b.page.getByRole('heading', { level: 1, name: 'Saved messages' }).waitFor();
    const saved = b.page.getByRole('list', { name: 'Saved messages' });
    await saved.getByRole('listitem').filter({ hasText: 'The launch checklist lives here' }).waitFor();
    assert.match(await saved.getByRole('listitem').first().innerText(), /In #launch/);

    // a save from elsewhere (the API, another device) shows up live, newest first
    assert.equal((await ben.put(`/v1/messages/${latest}/saved`)).status, 200);
    await saved.getByRole('listitem').filter({ hasText: 'Latest news' }).waitFor({ timeout: 10_000 });
    assert.match(await saved.getByRole('listitem').first().innerText(), /Latest news/);
    await screenshot(b.page, 'web-saved');
    assert.deepEqual(await axeViolations(b.page), [], 'axe on the Saved view');

    // removing one there takes it off the list
    await saved.getByRole('listitem').filter({ hasText: 'Latest news' }).getByRole('button', { name: 'Remove from saved' }).click();
    await saved.getByRole('listitem').filter({ hasText: 'Latest news' }).waitFor({ state: 'detached' });

    // and a saved message jumps to its place in the channel
    await saved.getByRole('listitem').filter({ hasText: 'launch checklist' }).getByRole('link', { name: /Jump to message/ }).click();
    await b.page.waitForURL(new RegExp(`/c/${launch}/m/${checklist}$`));
    await b.page.locator(`.message-flash[data-message-id="${checklist}"]`).waitFor({ timeout: 20_000 });

    assert.deepEqual(a.errors, []);
    assert.deepEqual(b.errors, []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});
