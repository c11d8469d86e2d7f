/**
 * The web client's search and files (docs/web-client.md §6.6, §6.7, §9 "an upload with preview;
 * search"): a phrase with an `in:` filter finds only what the person may read (a private channel's
 * message is never shown to a non-member) and a result jumps to its message, loading older history
 * to reach it; an image uploads with a progress bar (the upload throttled through the DevTools
 * protocol so the bar is seen), the upload can be cancelled, and a second person sees the preview
 * live and opens it in the lightbox; a file over FILE_MAX_BYTES is refused before any upload; any
 * other file is a card whose download works with the session cookie. Screenshots in artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { createUser, type Client } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness } from '../support/web-client.js';

/** Small enough that a too-large file is cheap to make, large enough for the test image. */
const MAX_BYTES = 400_000;

const { server: s, needBrowser, person, openChannel } = webClientHarness({ server: { env: { FILE_MAX_BYTES: String(MAX_BYTES) } }, viewport: { width: 1280, height: 820 } });

async function channel(name: string, type: 'PUBLIC' | 'PRIVATE', ...members: Client[]): Promise<string> {
  const made = await s.owner.post('/v1/channels', { name, type });
  assert.equal(made.status, 200, made.text);
  const id = made.body.channel.id as string;
  if (members.length) {
    const added = await s.owner.post(`/v1/channels/${id}/users`, { userIds: members.map((m) => m.userId) });
    assert.equal(added.status, 200, added.text);
  }
  return id;
}

async function post(who: Client, channelId: string, text: string): Promise<string> {
  const r = await who.post(`/v1/channels/${channelId}/messages`, { text });
  assert.equal(r.status, 200, r.text);
  return r.body.id as string;
}

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });

/** A noisy PNG (it does not compress): `bytes` of pixels, about as many in the file. */
async function noisePng(width: number, height: number): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let i = 0; i < raw.length; i++) raw[i] = (i * 2654435761) >>> 24;
  return sharp(raw, { raw: { width, height, channels: 3 } }).png({ compressionLevel: 0 }).toBuffer();
}

// ---- search ---------------------------------------------------------------------------------------------

test('search: a phrase with in:, only readable channels, and a jump to an older message', async (t) => {
  if (!(await needBrowser(t))) return;
  const bea = await createUser(s.owner, 'MEMBER', 'Bea Search');
  const planning = await channel('planning', 'PUBLIC', bea);
  const secret = await channel('secret-plans', 'PRIVATE');
  const target = await post(s.owner, planning, 'The quarterly release notes are ready for review');
  await post(s.owner, s.generalId, 'A draft of the **release notes** lives in <#' + s.generalId + '> :tada:');
  await post(s.owner, secret, 'Secret release notes nobody else may read');
  // push the target out of the channel's first page (50) so the jump must load older history
  for (let i = 0; i < 60; i++) await post(s.owner, planning, `filler message ${i}`);

  const b = await person(bea);
  try {
    await openChannel(b.page, s.generalId, 'general');
    const box = b.page.getByRole('searchbox', { name: 'Search messages' });
    await box.fill('"release notes" in:#planning');
    await box.press('Enter');
    await b.page.waitForURL(/\/search\?q=/);
    const results = b.page.getByRole('list', { name: /Search results for/ });
    await results.waitFor();
    await b.page.getByRole('status').filter({ hasText: '1 message found' }).waitFor();
    const hits = results.getByRole('listitem');
    assert.equal(await hits.count(), 1);
    assert.match((await hits.first().innerText()).replace(/\s+/g, ' '), /planning.*The quarterly release notes are ready/);
    assert.deepEqual(await hits.first().locator('mark').allInnerTexts(), ['release notes'], 'the phrase is marked');

    // without the filter: general's message too, the private channel's never (Bea is not in it)
    await box.fill('"release notes"');
    await box.press('Enter');
    await b.page.getByRole('status').filter({ hasText: '2 messages found' }).waitFor();
    const all = await b.page.getByRole('list', { name: /Search results for/ }).innerText();
    assert.match(all, /quarterly/);
    assert.match(all, /A draft of/);
    assert.doesNotMatch(all, /Secret/);
    // shown as the message shows it: markdown, a channel mention and emoji rendered, the match marked inside
    const draft = b.page.getByRole('listitem').filter({ hasText: 'A draft of' });
    assert.equal(await draft.locator('.search-hit-text strong mark').innerText(), 'release notes');
    assert.equal(await draft.locator('.search-hit-text .mention-channel').innerText(), '#general');
    assert.doesNotMatch(await draft.locator('.search-hit-text').innerText(), /\*\*|:tada:|<#/);
    await screenshot(b.page, 'web-search-results');
    assert.deepEqual(await axeViolations(b.page), [], 'axe on the search results');

    // nothing found: it says so, with tips
    await box.fill('xylophone');
    await box.press('Enter');
    await b.page.getByRole('heading', { name: 'No messages match “xylophone”' }).waitFor();
    await box.fill('"no such phrase"');
    await box.press('Enter');
    await b.page.getByRole('heading', { name: 'No messages match “no such phrase”' }).waitFor();
    await b.page.getByText('only in one channel').waitFor();

    // jump: back to the results, click the planning one
    await box.fill('"release notes" in:#planning');
    await box.press('Enter');
    await b.page.getByRole('link', { name: /quarterly release notes/ }).click();
    await b.page.waitForURL(new RegExp(`/c/${planning}/m/${target}$`));
    await b.page.getByRole('heading', { level: 1, name: 'planning' }).waitFor();
    const row = messageRow(b.page, 'The quarterly release notes are ready');
    await row.waitFor({ timeout: 20_000 });
    await b.page.locator(`.message-flash[data-message-id="${target}"]`).waitFor({ timeout: 5_000 });
    assert.ok(await row.isVisible(), 'the message is scrolled into view');
    assert.deepEqual(b.errors, []);
  } finally {
    await b.context.close();
  }
});

// ---- an image: progress, cancel, live preview, lightbox ----------------------------------------------------

test('files: an image uploads with progress (cancelable) and a second person sees its preview live', async (t) => {
  if (!(await needBrowser(t))) return;
  const ana = await createUser(s.owner, 'MEMBER', 'Ana Upload');
  const ben = await createUser(s.owner, 'MEMBER', 'Ben Viewer');
  const room = await channel('photos', 'PUBLIC', ana, ben);
  const png = await noisePng(300, 250);
  assert.ok(png.length < MAX_BYTES && png.length > 150_000, `image size ${png.length}`);

  const a = await person(ana);
  const b = await person(ben, { viewport: { width: 1100, height: 760 } });
  try {
    await openChannel(a.page, room, 'photos');
    await openChannel(b.page, room, 'photos');
    // a slow uplink so the bar is seen moving
    const cdp = await a.context.newCDPSession(a.page);
    await cdp.send('Network.enable');
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 20, downloadThroughput: -1, uploadThroughput: 120 * 1024 });

    const input = a.page.getByTestId('file-input');
    // cancel one on the way
    await input.setInputFiles({ name: 'cancel-me.png', mimeType: 'image/png', buffer: png });
    await a.page.getByRole('progressbar', { name: 'Uploading cancel-me.png' }).waitFor();
    await a.page.getByRole('button', { name: 'Cancel the upload of cancel-me.png' }).click();
    await a.page.getByRole('progressbar').waitFor({ state: 'detached' });

    await input.setInputFiles({ name: 'harbour.png', mimeType: 'image/png', buffer: png });
    const bar = a.page.getByRole('progressbar', { name: 'Uploading harbour.png' });
    await bar.waitFor();
    let seen = 0;
    for (let i = 0; i < 100 && seen === 0; i++) {
      const v = Number(await bar.getAttribute('value').catch(() => '0'));
      if (v > 0 && v < 1) seen = v;
      else await a.page.waitForTimeout(30);
    }
    assert.ok(seen > 0 && seen < 1, `a partial progress was shown (${seen})`);
    await a.page.getByRole('list', { name: 'Files to send' }).getByText(/KB/).waitFor({ timeout: 15_000 });
    await cdp.send('Network.emulateNetworkConditions', { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });

    const composer = a.page.getByRole('textbox', { name: 'Message #photos' });
    await composer.fill('The harbour this morning');
    await composer.press('Enter');

    // Ben sees it live, the thumbnail loaded through his own session cookie
    const rowB = messageRow(b.page, 'The harbour this morning');
    await rowB.waitFor({ timeout: 10_000 });
    const img = rowB.getByRole('img', { name: 'harbour.png' });
    await img.waitFor();
    await b.page.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth > 0, await img.elementHandle(), { timeout: 10_000 });
    assert.match((await img.getAttribute('src')) ?? '', /^\/v1\/files\/[^/]+\/thumbnail\//);
    // the cancelled upload never became a message
    assert.equal(await b.page.getByText('cancel-me.png').count(), 0);
    await screenshot(b.page, 'web-image-message');
    assert.deepEqual(await axeViolations(b.page), [], 'axe on a channel with an image');

    await rowB.getByRole('button', { name: 'Open image harbour.png' }).click();
    const box = b.page.getByRole('dialog', { name: 'harbour.png' });
    await box.waitFor();
    await b.page.waitForFunction(() => {
      const el = document.querySelector<HTMLImageElement>('.lightbox-image');
      return !!el && el.complete && el.naturalWidth === 300;
    });
    await screenshot(b.page, 'web-image-lightbox');
    await b.page.keyboard.press('Escape');
    await box.waitFor({ state: 'detached' });

    // the channel's Files gallery lists it
    await b.page.getByRole('button', { name: 'Channel menu' }).click().catch(async () => b.page.locator('.channel-menu > button').click());
    await b.page.getByRole('menuitem', { name: 'Files' }).click();
    const gallery = b.page.getByRole('dialog', { name: 'Files in photos' });
    await gallery.getByRole('button', { name: 'Open image harbour.png' }).waitFor();
    await gallery.getByRole('button', { name: 'Close', exact: true }).click();
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

// ---- too large: refused before upload -------------------------------------------------------------------

test('files: a file over FILE_MAX_BYTES is refused before anything is uploaded', async (t) => {
  if (!(await needBrowser(t))) return;
  const cy = await createUser(s.owner, 'MEMBER', 'Cy Large');
  const a = await person(cy);
  const uploads: string[] = [];
  a.page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/v1/files' && uploads.push(r.url()));
  try {
    await openChannel(a.page, s.generalId, 'general');
    await a.page.getByTestId('file-input').setInputFiles({ name: 'huge.bin', mimeType: 'application/octet-stream', buffer: Buffer.alloc(MAX_BYTES + 1000, 7) });
    const alert = a.page.getByRole('alert').filter({ hasText: 'is too large' });
    await alert.waitFor();
    assert.match(await alert.innerText(), /files can be at most 390\.6 KB/);
    assert.deepEqual(uploads, [], 'no upload was started');
    assert.equal(await a.page.getByRole('button', { name: 'Send' }).isDisabled(), true, 'nothing to send');
    await a.page.getByRole('button', { name: 'Remove huge.bin' }).click();
    await a.page.getByRole('list', { name: 'Files to send' }).waitFor({ state: 'detached' });
    assert.deepEqual(a.errors, []);
  } finally {
    await a.context.close();
  }
});

// ---- any other file: a card with a download ------------------------------------------------------------------

test('files: a non-image file is a card (name, type, size) with a download that works', async (t) => {
  if (!(await needBrowser(t))) return;
  const di = await createUser(s.owner, 'MEMBER', 'Di Docs');
  const room = await channel('docs', 'PUBLIC', di);
  const a = await person(di);
  try {
    await openChannel(a.page, room, 'docs');
    const body = 'name,amount\nana,3\nben,4\n';
    await a.page.getByTestId('file-input').setInputFiles({ name: 'budget.csv', mimeType: 'text/csv', buffer: Buffer.from(body) });
    await a.page.getByRole('list', { name: 'Files to send' }).getByText('24 B').waitFor();
    // a file alone is a message
    await a.page.getByRole('button', { name: 'Send' }).click();
    const card = a.page.locator('.message .file-card', { hasText: 'budget.csv' });
    await card.waitFor();
    assert.match(await card.innerText(), /CSV · 24 B/);
    const link = card.getByRole('link', { name: 'Download budget.csv' });
    const href = (await link.getAttribute('href')) ?? '';
    assert.match(href, /^\/v1\/files\//);
    // same origin: the session cookie is the credential
    const got = await a.page.evaluate(async (url) => {
      const r = await fetch(url, { credentials: 'same-origin' });
      return { status: r.status, text: await r.text(), disposition: r.headers.get('content-disposition') };
    }, href);
    assert.equal(got.status, 200);
    assert.equal(got.text, body);
    assert.match(got.disposition ?? '', /^attachment/);
    const [download] = await Promise.all([a.page.waitForEvent('download'), link.click()]);
    assert.equal(download.suggestedFilename(), 'budget.csv');
    assert.deepEqual(a.errors, []);
  } finally {
    await a.context.close();
  }
});
