/**
 * The consent page in a real browser: log in, read what the app asks for, Allow → back at the
 * app with a code and the state; Cancel → access_denied; a foreign redirect → refused in place.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { readFileSync } from 'node:fs';
import { OWNER, http, startTestServer } from '../support/helpers.js';
import { launchBrowser } from '../support/browser.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

test('consent: log in, Allow, land on the redirect URL with code and state; the code works once', async (t) => {
  const browser = await launchBrowser(t);
  if (!browser) return;
  const s = await startTestServer();
  const landed: URL[] = [];
  const appSite = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://x');
    if (url.pathname !== '/favicon.ico') landed.push(url);
    res.writeHead(200, { 'content-type': 'text/html' }).end('<h1>Back at the app</h1>');
  });
  await new Promise<void>((r) => appSite.listen(0, '127.0.0.1', () => r()));
  const appUrl = `http://127.0.0.1:${(appSite.address() as { port: number }).port}`;
  try {
    const devToken = (await s.owner.post('/auth/developer-token')).body.token;
    const created = await http(s.url, 'POST', `/workspaces/${s.workspaceId}/workspaceUsers/${s.ownerId}/apps`, {
      body: { ...EXAMPLE, redirectUrls: [`${appUrl}/redirect`] },
      headers: { authtoken: devToken },
    });
    assert.equal(created.status, 200, created.text);
    const consentUrl = `${s.url}/access-request?${new URLSearchParams({
      clientId: created.body.id,
      scopes: 'messages:read,bot:messages:write',
      redirectUrl: `${appUrl}/redirect`,
      state: 'xyz-42',
    })}`;

    const page = await browser.newPage();
    const first = await page.goto(consentUrl);
    assert.equal(first?.headers()['x-frame-options'], 'DENY');
    assert.match(first?.headers()['content-security-policy'] ?? '', /frame-ancestors 'none'/);
    await page.getByLabel('E-mail').fill(OWNER.email);
    await page.getByLabel('Password').fill(OWNER.password);
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('heading', { name: /My App wants access to Test Workspace/ }).waitFor();
    const text = await page.locator('body').innerText();
    assert.match(text, /On your behalf[\s\S]*messages:read/);
    assert.match(text, /As its bot[\s\S]*messages:write/);
    await page.getByRole('button', { name: 'Allow' }).click();
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    const back = landed.at(-1)!;
    assert.equal(back.pathname, '/redirect');
    assert.equal(back.searchParams.get('state'), 'xyz-42');
    const code = back.searchParams.get('code')!;
    assert.ok(code);
    const tokens = await http(s.url, 'POST', '/oauth2/access', { body: { 'client-id': created.body.id, 'client-secret': created.body.clientSecret, code } });
    assert.equal(tokens.status, 200, tokens.text);
    assert.ok(tokens.body.botToken && tokens.body.accessToken);

    // Cancel: back at the app with access_denied and the state
    await page.goto(consentUrl);
    await page.getByRole('button', { name: 'Cancel' }).click();
    await page.getByRole('heading', { name: 'Back at the app' }).waitFor();
    assert.equal(landed.at(-1)!.searchParams.get('error'), 'access_denied');
    assert.equal(landed.at(-1)!.searchParams.get('state'), 'xyz-42');

    // A redirect the app did not register: refused in place, no navigation away
    const before = landed.length;
    const bad = await page.goto(consentUrl.replace(encodeURIComponent(`${appUrl}/redirect`), encodeURIComponent('https://evil.example/steal')));
    assert.equal(bad?.status(), 400);
    assert.match(await page.locator('body').innerText(), /cannot be granted[\s\S]*redirect/i);
    assert.equal(landed.length, before);

    // A forged Allow (no CSRF token) is refused
    const forged = await http(s.url, 'POST', '/access-request', {
      raw: new URLSearchParams({ clientId: created.body.id, scopes: 'messages:read', decision: 'allow' }).toString(),
      headers: { 'content-type': 'application/x-www-form-urlencoded', cookie: (await page.context().cookies()).map((c) => `${c.name}=${c.value}`).join('; ') },
    });
    assert.equal(forged.status, 403);
  } finally {
    await browser.close();
    appSite.close();
    await s.close();
  }
});
