/**
 * Link previews and the channel files gallery in the web client (docs/web-client.md §6.1, §6.7):
 * a link posted from the composer gets its card live in another person's tab — site, title,
 * description and the https image (served here through the browser's request routing) — with the
 * page's HTML in its title shown as text, never as markup; only the author sees the "×", and
 * removing the card takes it away for everyone. The channel's Files gallery lists files from the
 * server's listing, a thread reply's included. Screenshots in artifacts/.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { createUser, type Client } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness, type BrowserPerson } from '../support/web-client.js';

const HOSTILE_TITLE = '<img src=x onerror="window.__pwned=1"> Harbour news';
const ARTICLE = `<!doctype html><html><head>
<meta property="og:title" content="${HOSTILE_TITLE.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')}">
<meta property="og:description" content="The morning boats came in early, and the market opened at six.">
<meta property="og:image" content="https://images.test/harbour.png">
<meta property="og:site_name" content="Harbour Times">
</head><body>article</body></html>`;

let site: Server;
let siteUrl: string;
let picture: Buffer;

const { server: s, needBrowser, person: signedInPerson, openChannel } = webClientHarness({
  async setUp() {
    // The linked site, on loopback (the test configuration lets the SSRF guard reach it).
    site = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(ARTICLE));
    await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
    siteUrl = `http://127.0.0.1:${(site.address() as AddressInfo).port}`;
    picture = await sharp({ create: { width: 160, height: 120, channels: 3, background: { r: 30, g: 90, b: 160 } } }).png().toBuffer();
  },
  async tearDown() {
    site?.closeAllConnections();
    await new Promise((r) => (site ? site.close(r) : r(undefined)));
  },
});

async function person(api: Client): Promise<BrowserPerson> {
  const p = await signedInPerson(api);
  // The preview's image lives on a site the test cannot run: the browser's request for it is answered here.
  await p.context.route('https://images.test/**', (route) => route.fulfill({ status: 200, contentType: 'image/png', body: picture }));
  return p;
}

async function channel(name: string, ...members: Client[]): Promise<string> {
  const made = await s.owner.post('/v1/channels', { name, type: 'PUBLIC' });
  assert.equal(made.status, 200, made.text);
  const id = made.body.channel.id as string;
  const added = await s.owner.post(`/v1/channels/${id}/users`, { userIds: members.map((m) => m.userId) });
  assert.equal(added.status, 200, added.text);
  return id;
}

const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });

test('link previews: a card appears live, its HTML stays text, and the author removes it for everyone', async (t) => {
  if (!(await needBrowser(t))) return;
  const ana = await createUser(s.owner, 'MEMBER', 'Ana Author');
  const ben = await createUser(s.owner, 'MEMBER', 'Ben Reader');
  const room = await channel('harbour', ana, ben);
  const a = await person(ana);
  const b = await person(ben);
  try {
    await openChannel(a.page, room, 'harbour');
    await openChannel(b.page, room, 'harbour');
    const composer = a.page.getByRole('textbox', { name: 'Message #harbour' });
    await composer.fill(`Read this: ${siteUrl}/article`);
    await composer.press('Enter');

    // Ben sees the message, then its card arrives without a reload.
    const row = messageRow(b.page, 'Read this:');
    await row.waitFor({ timeout: 10_000 });
    const card = row.getByRole('article', { name: 'Preview of Harbour Times' });
    await card.waitFor({ timeout: 15_000 });
    const title = card.getByRole('link', { name: HOSTILE_TITLE });
    assert.equal(await title.textContent(), HOSTILE_TITLE, 'the title is shown as the text it is');
    assert.equal(await title.getAttribute('href'), `${siteUrl}/article`);
    assert.equal(await title.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await card.locator('img[src="x"]').count(), 0, 'no element was made from the page');
    assert.equal(await b.page.evaluate(() => (window as unknown as { __pwned?: number }).__pwned), undefined);
    await card.getByText('The morning boats came in early').waitFor();
    const image = card.locator('img.link-preview-image');
    await b.page.waitForFunction((el) => el instanceof HTMLImageElement && el.complete && el.naturalWidth === 160, await image.elementHandle(), { timeout: 10_000 });
    assert.equal(await image.getAttribute('src'), 'https://images.test/harbour.png');
    assert.equal(await card.getByRole('button', { name: /Remove the preview/ }).count(), 0, 'only the author may remove it');
    await screenshot(b.page, 'web-link-preview');
    assert.deepEqual(await axeViolations(b.page), [], 'axe on a channel with a link preview');

    // Ana removes it: gone in her tab and in Ben's.
    const own = messageRow(a.page, 'Read this:').getByRole('article', { name: 'Preview of Harbour Times' });
    await own.waitFor({ timeout: 15_000 });
    await own.getByRole('button', { name: 'Remove the preview of Harbour Times' }).click();
    await own.waitFor({ state: 'detached' });
    await card.waitFor({ state: 'detached', timeout: 10_000 });
    assert.ok(await row.isVisible(), 'the message itself stays');
    assert.deepEqual([...a.errors, ...b.errors], []);
  } finally {
    await a.context.close();
    await b.context.close();
  }
});

test("files gallery: the channel's files from the server's listing, a thread reply's included", async (t) => {
  if (!(await needBrowser(t))) return;
  const cy = await createUser(s.owner, 'MEMBER', 'Cy Files');
  const room = await channel('archive', cy);
  const upload = async (name: string, type: string, bytes: Buffer) => {
    const form = new FormData();
    form.append('file', new Blob([new Uint8Array(bytes)], { type }), name);
    const res = await fetch(`${s.url}/v1/files`, { method: 'POST', body: form, headers: { authorization: `Bearer ${cy.token}` } });
    assert.equal(res.status, 200);
    return ((await res.json()) as { id: string }).id;
  };
  const root = await cy.post(`/v1/channels/${room}/messages`, { text: 'the plan', files: [await upload('plan.txt', 'text/plain', Buffer.from('step one'))] });
  assert.equal(root.status, 200, root.text);
  const reply = await cy.post(`/v1/channels/${room}/messages/${root.body.id}`, { text: 'a photo in the thread', files: [await upload('dock.png', 'image/png', picture)] });
  assert.equal(reply.status, 200, reply.text);

  const c = await person(cy);
  try {
    await openChannel(c.page, room, 'archive');
    await c.page.getByRole('button', { name: 'Channel menu' }).click();
    await c.page.getByRole('menuitem', { name: 'Files' }).click();
    const gallery = c.page.getByRole('dialog', { name: 'Files in archive' });
    await gallery.getByRole('button', { name: 'Open image dock.png' }).waitFor({ timeout: 10_000 });
    await gallery.getByRole('link', { name: 'Download plan.txt' }).waitFor();
    await screenshot(c.page, 'web-files-gallery');
    await gallery.getByRole('button', { name: 'Close', exact: true }).click();
    await gallery.waitFor({ state: 'detached' });
    assert.deepEqual(c.errors, []);
  } finally {
    await c.context.close();
  }
});
