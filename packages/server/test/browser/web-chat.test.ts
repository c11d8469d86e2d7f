/**
 * The web client in a real browser (docs/web-client.md §9, first slice): sign in through the page,
 * open #general, send; a second person in a second browser context sees it live and reacts; the
 * first sees the reaction live; edit and delete reach the other live; sign out. Message text goes
 * through the sanitising pipeline (no HTML from messages, links open safely), the session cookie is
 * never readable by scripts, no page error (a CSP violation included), and axe-core finds no serious
 * or critical violation on the sign-in and chat screens. Screenshots go to artifacts/ (git-ignored).
 *
 * The client is built here when packages/web/dist is missing or older than its sources
 * (support/web-client.ts, with the other helpers every web-*.test.ts shares).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { BrowserContext, Page } from 'playwright-core';
import { OWNER } from '../support/helpers.js';
import { axeViolations, screenshot, signInThroughPage, watchErrors, webClientHarness } from '../support/web-client.js';

const web = webClientHarness();

/** The row of the message whose text contains `text`. */
const messageRow = (page: Page, text: string) => page.locator('.message:not(.message-outgoing)', { has: page.locator('.message-text', { hasText: text }) });

test('web client: sign in, chat live between two people (send, react, edit, delete), sign out', async (t) => {
  if (!(await web.needBrowser(t))) return;
  const { browser, server: s } = web;
  const errors: string[] = [];
  const contexts: BrowserContext[] = [];
  try {
    const bea = { email: 'bea@example.com', password: 'bea-password-1', name: 'Bea Second' };
    const created = await s.owner.post('/v1/workspaceUsers', { ...bea, role: 'MEMBER' });
    assert.equal(created.status, 200, created.text);

    // ---- the owner signs in through the page ------------------------------------------------------
    const ctxA = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-US' });
    contexts.push(ctxA);
    const a = await ctxA.newPage();
    watchErrors(a, errors, 'owner');
    const first = await a.goto(`${s.url}/c/${s.generalId}`);
    assert.match(first?.headers()['content-security-policy'] ?? '', /script-src 'self'/);
    await a.waitForURL(/\/login\?next=/);
    await a.getByRole('heading', { name: 'Sign in to your workspace' }).waitFor();
    // No inline script in the page the server sends.
    const html = await (await fetch(`${s.url}/login`, { headers: { accept: 'text/html' } })).text();
    assert.doesNotMatch(html, /<script(?![^>]*\bsrc=)[^>]*>/i, 'no inline script');
    await screenshot(a, 'web-login');
    assert.deepEqual(await axeViolations(a), [], 'axe on the sign-in page');

    // a wrong password says so, in words
    await a.getByLabel('E-mail').fill(OWNER.email);
    await a.getByLabel('Password').fill('not-the-password');
    await a.getByRole('button', { name: 'Sign in' }).click();
    await a.getByRole('alert').filter({ hasText: "don't match an account" }).waitFor();

    await a.getByLabel('Password').fill(OWNER.password);
    await a.getByRole('button', { name: 'Sign in' }).click();
    await a.getByRole('heading', { level: 1, name: 'general' }).waitFor();
    assert.equal(new URL(a.url()).pathname, `/c/${s.generalId}`, 'back where the person was going');
    assert.equal(await a.evaluate(() => document.cookie.includes('sb_session')), false, 'the session cookie is HttpOnly');
    await a.getByRole('navigation').getByRole('link', { name: 'general' }).waitFor();
    await a.getByText('Test Workspace').first().waitFor();

    // ---- the second person, in a second context --------------------------------------------------------
    const ctxB = await browser.newContext({ viewport: { width: 1100, height: 760 }, locale: 'en-US' });
    contexts.push(ctxB);
    const b = await ctxB.newPage();
    watchErrors(b, errors, 'bea');
    await signInThroughPage(b, s.url, bea.email, bea.password);

    // ---- send: the owner posts, sees it at once, Bea sees it live ---------------------------------------
    const composerA = a.getByRole('textbox', { name: 'Message #general' });
    await composerA.fill('Hello from **the owner** <img src=x onerror="window.__xss=1"> see https://example.com/docs');
    await composerA.press('Enter');
    const rowA = messageRow(a, 'Hello from');
    await rowA.waitFor();
    await expectGone(a.getByText('Sending…'));
    assert.equal(await composerA.inputValue(), '', 'the composer is emptied');
    const rowB = messageRow(b, 'Hello from');
    await rowB.waitFor({ timeout: 10_000 });
    // rendered through the one sanitising pipeline
    assert.equal(await rowB.locator('.message-text strong').innerText(), 'the owner');
    assert.equal(await rowB.locator('img').count(), 0, 'no HTML from a message reaches the page');
    assert.match(await rowB.locator('.message-text').innerText(), /<img src=x/);
    const link = rowB.locator('.message-text a');
    assert.equal(await link.getAttribute('href'), 'https://example.com/docs');
    assert.equal(await link.getAttribute('target'), '_blank');
    assert.equal(await link.getAttribute('rel'), 'noopener noreferrer');
    assert.equal(await b.evaluate(() => (window as unknown as { __xss?: number }).__xss), undefined);
    const ownerName = (await s.owner.get(`/v1/workspaceUsers/${s.ownerId}`)).body.name as string;
    assert.equal(await rowB.locator('.message-author').innerText(), ownerName);

    // Shift+Enter is a new line, Enter sends; consecutive messages of one author are grouped
    await composerA.press('Shift+Enter');
    assert.equal(await composerA.inputValue(), '\n');
    await composerA.fill('Second line of the owner');
    await composerA.press('Enter');
    await messageRow(a, 'Second line of the owner').waitFor();
    assert.match((await messageRow(a, 'Second line of the owner').getAttribute('class')) ?? '', /message-grouped/);
    await messageRow(b, 'Second line of the owner').waitFor();

    // ---- react: Bea adds 👍, the owner sees the chip live --------------------------------------------
    await rowB.hover();
    await rowB.getByRole('button', { name: 'Add reaction' }).click();
    await rowB.getByRole('button', { name: 'React with :thumbsup:' }).click();
    await rowB.locator('.reaction-chip[aria-pressed="true"]').waitFor();
    const chipA = rowA.locator('.reaction-chip');
    await chipA.waitFor({ timeout: 10_000 });
    assert.equal(await chipA.locator('.reaction-count').innerText(), '1');
    assert.equal(await chipA.getAttribute('aria-pressed'), 'false');
    // the owner toggles theirs on: 2 on both sides
    await chipA.click();
    await rowA.locator('.reaction-chip[aria-pressed="true"] .reaction-count', { hasText: '2' }).waitFor();
    await rowB.locator('.reaction-chip .reaction-count', { hasText: '2' }).waitFor({ timeout: 10_000 });

    // ---- edit: the owner edits, Bea sees the new text and "edited" live -----------------------------
    await rowA.hover();
    await rowA.getByRole('button', { name: 'Edit message' }).click();
    const editor = a.getByRole('textbox', { name: 'Edit your message' });
    await editor.fill('Hello again, *edited* by the owner');
    await editor.press('Enter');
    const editedB = messageRow(b, 'Hello again');
    await editedB.waitFor({ timeout: 10_000 });
    await editedB.getByText('(edited)').waitFor();
    assert.equal(await editedB.locator('.message-text em').innerText(), 'edited');
    await messageRow(a, 'Hello again').getByText('(edited)').waitFor();

    // Bea cannot edit or delete the owner's message
    await editedB.hover();
    assert.equal(await editedB.getByRole('button', { name: 'Edit message' }).count(), 0);

    // ---- screenshots and axe on the chat screen ---------------------------------------------------------
    await a.mouse.move(0, 0);
    await screenshot(a, 'web-chat');
    await screenshot(b, 'web-chat-second-person');
    assert.deepEqual(await axeViolations(a), [], 'axe on the chat screen');
    await a.emulateMedia({ colorScheme: 'dark' });
    await screenshot(a, 'web-chat-dark');
    assert.deepEqual(await axeViolations(a), [], 'axe on the chat screen, dark');
    await a.emulateMedia({ colorScheme: 'light' });

    // ---- delete: the owner deletes, it leaves Bea's screen live ------------------------------------------
    const editedA = messageRow(a, 'Hello again');
    await editedA.hover();
    await editedA.getByRole('button', { name: 'Delete message' }).click();
    const dialog = a.getByRole('dialog', { name: 'Delete this message?' });
    await dialog.waitFor();
    await dialog.getByRole('button', { name: 'Delete message' }).click();
    await expectGone(messageRow(a, 'Hello again'));
    await expectGone(messageRow(b, 'Hello again'));
    await messageRow(b, 'Second line of the owner').waitFor();

    // ---- a phone's width: the sidebar is a drawer ---------------------------------------------------------
    await b.setViewportSize({ width: 360, height: 740 });
    await b.getByRole('button', { name: 'Open the sidebar' }).click();
    await b.getByRole('navigation').getByRole('link', { name: 'general' }).waitFor({ state: 'visible' });
    await b.waitForTimeout(300); // the drawer's slide-in
    await screenshot(b, 'web-chat-phone-drawer');
    await b.keyboard.press('Escape');
    await screenshot(b, 'web-chat-phone');

    // ---- language: switched in the person's menu, saved as the person's locale ----------------------------
    await b.setViewportSize({ width: 1100, height: 760 });
    await b.getByRole('button', { name: /Your menu/ }).click();
    await b.getByLabel('Language').selectOption('pt-BR');
    await b.getByRole('textbox', { name: 'Mensagem para #general' }).waitFor();
    assert.equal(await b.evaluate(() => document.documentElement.lang), 'pt-BR');
    await waitUntil(async () => (await s.owner.get(`/v1/workspaceUsers/${created.body.id}`)).body.locale === 'pt-BR');
    await b.reload();
    await b.getByRole('textbox', { name: 'Mensagem para #general' }).waitFor();
    await messageRow(b, 'Second line of the owner').waitFor();
    await b.getByText('Hoje').waitFor();
    await screenshot(b, 'web-chat-pt-BR');

    // ---- sign out from the person's menu ------------------------------------------------------------------
    await a.getByRole('button', { name: /Your menu/ }).click();
    await a.getByRole('button', { name: 'Sign out' }).click();
    await a.waitForURL(/\/login$/);
    await a.goto(`${s.url}/`);
    await a.waitForURL(/\/login$/);

    assert.deepEqual(errors, [], 'no page errors (CSP violations included)');
  } finally {
    for (const c of contexts) await c.close().catch(() => {});
  }
});

async function waitUntil(check: () => Promise<boolean>, timeout = 10_000): Promise<void> {
  const deadline = Date.now() + timeout;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** Waits until nothing matches the locator any more. */
async function expectGone(locator: ReturnType<Page['locator']>, timeout = 10_000): Promise<void> {
  await locator.first().waitFor({ state: 'detached', timeout });
}
