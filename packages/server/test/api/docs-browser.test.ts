/**
 * A person reads the API docs in a real browser: Authorize with their token, try a call, see
 * the answer.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../support/helpers.js';
import { launchBrowser } from '../support/browser.js';

test('Swagger UI at /docs: Authorize with a bearer token, then Try it out on GET /v1/workspace', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const s = await startTestServer();
  try {
    const page = await browser.newPage();
    await page.goto(`${s.url}/docs`);
    await page.getByRole('button', { name: /Authorize/ }).first().click();
    const bearer = page.locator('.modal-ux .auth-container').filter({ hasText: 'bearerAuth' });
    await bearer.locator('#auth-bearer-value').fill(s.owner.token);
    await bearer.getByRole('button', { name: 'Apply credentials' }).click();
    await bearer.getByText('Authorized').waitFor();
    await page.locator('.modal-ux .btn-done').first().click();

    // Swagger UI renders a long list of operations lazily, as it scrolls into view: scroll to it as a person would.
    const op = page.locator('#operations-workspace-get_v1_workspace');
    for (let i = 0; i < 40 && (await op.count()) === 0; i++) {
      await page.mouse.wheel(0, 800);
      await page.waitForTimeout(100);
    }
    await op.locator('.opblock-summary').click();
    await op.getByRole('button', { name: 'Try it out' }).click();
    await op.getByRole('button', { name: 'Execute' }).click();
    const live = op.locator('.live-responses-table');
    await live.getByText('Test Workspace').first().waitFor({ timeout: 10_000 });
    assert.match(await live.locator('tr.response .response-col_status').first().innerText(), /200/);
    assert.match(await live.innerText(), new RegExp(`"id": "${s.workspaceId}"`));
  } finally {
    if (process.env.SCREENSHOT_DIR) {
      const [page] = browser.contexts()[0]?.pages() ?? [];
      await page?.screenshot({ path: `${process.env.SCREENSHOT_DIR}/docs-final.png`, fullPage: true });
    }
    await browser.close();
    await s.close();
  }
});
