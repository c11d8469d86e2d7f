/**
 * Switching channels through the sidebar replaces the message list (docs/web-client.md §4): one list
 * in the page, the open channel's, never the ones opened before it (they once piled up, each switch
 * leaving the previous channel's list and intro on the page: the list and the composer had the same
 * React key among siblings).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { screenshot, webClientHarness } from '../support/web-client.js';

const { server: s, needBrowser, signedInOwner } = webClientHarness();

test('switching channels in the sidebar leaves one message list: the open channel’s', async (t) => {
  if (!(await needBrowser(t))) return;
  const names = ['switch-one', 'switch-two', 'switch-three'];
  for (const name of names) {
    const r = await s.owner.post('/v1/channels', { name, type: 'PUBLIC' });
    assert.equal(r.status, 200, r.text);
    await s.owner.post(`/v1/channels/${r.body.channel?.id ?? r.body.id}/messages`, { text: `hello in ${name}` });
  }
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${s.generalId}`);
  await page.locator('.message-list[role="log"]').first().waitFor();
  for (const name of [...names, ...names]) {
    await page.locator('nav').getByRole('link', { name, exact: false }).first().click();
    await page.getByRole('heading', { level: 1, name }).waitFor();
    await page.locator('.message').getByText(`hello in ${name}`).waitFor();
    const lists = await page.locator('.message-list').count();
    if (lists !== 1) await screenshot(page, 'channel-switch-piled-lists');
    assert.equal(lists, 1, `after opening #${name}: ${lists} message lists in the page; errors: ${errors.join(" | ")}`);
  }
  assert.deepEqual(errors, []);
});
