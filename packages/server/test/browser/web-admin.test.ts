/**
 * The web client's profile, preferences and administration slice in a real browser
 * (docs/web-client.md §6.8, §7): display name, custom status and time zone (another person's tab
 * sees the name and status change live), password change (a wrong current password shows the
 * field's error; the new one works), the developer token; as the owner: create a member, change
 * their role, reset their password, deactivate them, archive a channel, turn one private and back
 * (a member's tab sees the lock come and go), rename the workspace; an incoming webhook with a script, called with fetch, and
 * its history entry with the script's console; a member gets no Administration entry and a 403
 * page. The administration pages and the developer token use the web session's cookie only: no
 * password prompt, no Rocket.Chat login or logout, no token headers. Screenshots of the profile dialog, the members page and the integrations page go to
 * artifacts/ (git-ignored), each checked with axe-core. One server and one browser for the file;
 * each test makes its own people.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Page } from 'playwright-core';
import { http, login } from '../support/helpers.js';
import { axeViolations, screenshot, webClientHarness } from '../support/web-client.js';

const harness = webClientHarness({ viewport: { width: 1280, height: 860 } });
const { server: s, needBrowser, signedIn, signedInOwner, member } = harness;

async function openProfile(page: Page): Promise<void> {
  await page.goto(`${s.url}/c/${s.generalId}`);
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  await page.getByRole('button', { name: 'Your menu' }).click();
  await page.getByRole('button', { name: 'Profile and preferences' }).click();
  await page.getByRole('dialog', { name: 'Profile and preferences' }).waitFor();
}

test('profile: display name, custom status and time zone — saved, and another tab sees the name and status live', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const cai = await member('Cai Status');
  const olu = await member('Olu Observer');
  const said = await cai.api.post(`/v1/channels/${s.generalId}/messages`, { text: 'status check from Cai' });
  assert.equal(said.status, 200, said.text);
  // another person's tab, open on the channel with Cai's message
  const { page: other } = await signedIn(t, olu, errors);
  await other.goto(`${s.url}/c/${s.generalId}`);
  const row = other.locator(`[data-message-id="${said.body.id}"]`);
  await row.locator('.message-author').filter({ hasText: 'Cai Status' }).waitFor();

  const { page } = await signedIn(t, cai, errors);
  await openProfile(page);
  const dialog = page.getByRole('dialog', { name: 'Profile and preferences' });
  const name = dialog.getByLabel('Display name');
  assert.equal(await name.inputValue(), 'Cai Status');
  // a blank name is refused here, before any request, with what to do
  await name.fill('   ');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await dialog.getByRole('alert').filter({ hasText: 'Type a name' }).waitFor();
  assert.equal(await name.getAttribute('aria-invalid'), 'true');
  await name.fill('Cai Renamed');
  await dialog.getByRole('button', { name: 'Save name' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await cai.api.get(`/v1/workspaceUsers/${cai.api.userId}`)).body.name, 'Cai Renamed');
  await row.locator('.message-author').filter({ hasText: 'Cai Renamed' }).waitFor();

  await dialog.getByLabel('Emoji').fill(':palm_tree:');
  await dialog.getByLabel("What's your status?").fill('On holiday');
  await dialog.getByLabel('Clear after').selectOption('4h');
  await dialog.getByRole('button', { name: 'Set status' }).click();
  await dialog.getByTestId('current-status').filter({ hasText: 'On holiday' }).waitFor();
  assert.match(await dialog.getByTestId('current-status').innerText(), /🌴 On holiday — until/);
  const me = (await cai.api.get(`/v1/workspaceUsers/${cai.api.userId}`)).body;
  assert.equal(me.customStatus.code, ':palm_tree:');
  assert.equal(me.customStatus.status, 'On holiday');
  assert.ok(me.customStatus.expiresAt > Date.now() + 3.5 * 3600_000, 'ends in about 4 hours');
  // the other tab shows the status beside the name, its text as the accessible name
  const status = row.getByRole('img', { name: 'On holiday' });
  await status.waitFor();
  assert.equal(await status.innerText(), '🌴');

  await screenshot(page, 'web-profile');
  assert.deepEqual(await axeViolations(page), [], 'axe on the profile dialog');
  // a preset fills emoji and text; clearing removes the status everywhere
  await dialog.getByRole('group', { name: 'Quick statuses' }).getByRole('button', { name: 'In a meeting' }).click();
  assert.equal(await dialog.getByLabel('Emoji').inputValue(), ':calendar:');
  assert.equal(await dialog.getByLabel("What's your status?").inputValue(), 'In a meeting');
  await dialog.getByRole('button', { name: 'Clear status' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Status cleared.' }).waitFor();
  assert.equal((await cai.api.get(`/v1/workspaceUsers/${cai.api.userId}`)).body.customStatus ?? null, null);
  await status.waitFor({ state: 'detached' });

  // the other tabs render and stay accessible; the time zone is saved to the profile
  await dialog.getByRole('tab', { name: 'Notifications' }).click();
  await dialog.getByLabel('Notifications for #general').waitFor();
  await dialog.getByRole('tab', { name: 'Preferences' }).click();
  await dialog.getByLabel('Time zone').selectOption('Asia/Tokyo');
  await dialog.getByRole('button', { name: 'Save time zone' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  assert.equal((await cai.api.get(`/v1/workspaceUsers/${cai.api.userId}`)).body.timeZoneId, 'Asia/Tokyo');
  assert.deepEqual(await axeViolations(page), [], 'axe on the preferences tab');
  await page.keyboard.press('Escape');
  await dialog.waitFor({ state: 'detached' });
  assert.deepEqual(errors, []);
});

test('profile: an avatar picture — uploaded, shown in another tab live, a non-image refused, removed', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const pia = await member('Pia Picture');
  const rex = await member('Rex Observer');
  const said = await pia.api.post(`/v1/channels/${s.generalId}/messages`, { text: 'picture check from Pia' });
  assert.equal(said.status, 200, said.text);
  const { page: other } = await signedIn(t, rex, errors);
  await other.goto(`${s.url}/c/${s.generalId}`);
  const row = other.locator(`[data-message-id="${said.body.id}"]`);
  await row.locator('.avatar').filter({ hasText: 'PP' }).waitFor();

  // a 400 from the server (not an image) is shown in the dialog: the bytes decide, not the name
  const { page } = await signedIn(t, pia, errors, { expected: [{ method: 'PUT', status: 400, path: /^\/v1\/workspaceUsers\/me\/avatar$/ }] });
  await openProfile(page);
  const dialog = page.getByRole('dialog', { name: 'Profile and preferences' });
  const picker = dialog.getByLabel('Choose a profile picture');
  await picker.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('not really a picture') });
  await dialog.getByRole('alert').filter({ hasText: "isn't an image we can use" }).waitFor();

  const sharp = (await import('sharp')).default;
  const picture = await sharp({ create: { width: 300, height: 200, channels: 3, background: { r: 30, g: 160, b: 90 } } }).png().toBuffer();
  await picker.setInputFiles({ name: 'me.png', mimeType: 'image/png', buffer: picture });
  await dialog.getByRole('button', { name: 'Remove picture' }).waitFor();
  const path = (await pia.api.get(`/v1/workspaceUsers/${pia.api.userId}`)).body.avatar.fullPath as string;
  assert.match(path, /^\/v1\/workspaceUsers\/[A-Za-z0-9]+\/avatar\/[A-Za-z0-9]+$/);
  await dialog.locator(`.avatar img[src="${path}"]`).waitFor();
  // the other person's tab shows the picture beside Pia's message, live (user.updated), and it loads
  const img = row.locator(`.avatar img[src="${path}"]`);
  await img.waitFor();
  await other.waitForFunction((src) => [...document.querySelectorAll<HTMLImageElement>('.avatar img')].some((i) => i.getAttribute('src') === src && i.complete && i.naturalWidth === 256), path);
  await screenshot(page, 'web-profile-avatar');
  assert.deepEqual(await axeViolations(page), [], 'axe on the profile dialog with a picture');

  // removed: initials again, everywhere
  await dialog.getByRole('button', { name: 'Remove picture' }).click();
  await dialog.getByRole('button', { name: 'Upload a picture' }).waitFor();
  await img.waitFor({ state: 'detached' });
  await row.locator('.avatar').filter({ hasText: 'PP' }).waitFor();
  assert.deepEqual((await pia.api.get(`/v1/workspaceUsers/${pia.api.userId}`)).body.avatar, { fullPath: '', scaledPath: '' });
  assert.deepEqual(errors, []);
});

test('profile: change password — a wrong current password shows the error, the new one works', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const dee = await member('Dee Password');
  const { page } = await signedIn(t, dee, errors, { expected: [{ method: 'PUT', path: /^\/v1\/workspaceUsers\/me\/password$/, status: 403 }] });
  await openProfile(page);
  const dialog = page.getByRole('dialog', { name: 'Profile and preferences' });
  await dialog.getByRole('tab', { name: 'Password and tokens' }).click();
  await dialog.getByLabel('Current password').fill('not-my-password');
  await dialog.getByLabel('New password').fill('a-brand-new-password');
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('alert').filter({ hasText: "That isn't your current password." }).waitFor();
  assert.equal(await dialog.getByLabel('Current password').getAttribute('aria-invalid'), 'true');

  await dialog.getByLabel('Current password').fill(dee.password);
  await dialog.getByRole('button', { name: 'Change password' }).click();
  await dialog.getByRole('status').filter({ hasText: 'Password changed' }).waitFor();
  // the old password no longer works, the new one does; the other (API) session ended
  assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: dee.email, password: dee.password } })).status, 401);
  await login(s.url, dee.email, 'a-brand-new-password');
  assert.equal((await dee.api.get(`/v1/workspaceUsers/${dee.api.userId}`)).status, 401, 'other sessions end');
  // this tab's session stays
  await page.keyboard.press('Escape');
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  assert.equal(new URL(page.url()).pathname.startsWith('/login'), false);
  assert.deepEqual(errors, []);
});

test('profile: Developer token — shown once with a copy button, and it works on the app-management routes', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const eli = await member('Eli Developer');
  const { ctx, page } = await signedIn(t, eli, errors);
  await ctx.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: s.url });
  await openProfile(page);
  const dialog = page.getByRole('dialog', { name: 'Profile and preferences' });
  await dialog.getByRole('tab', { name: 'Password and tokens' }).click();
  // the web session's cookie is enough: no password to confirm
  assert.equal(await dialog.getByLabel('Confirm your password').count(), 0);
  await dialog.getByRole('button', { name: 'Developer token' }).click();
  const token = await dialog.getByLabel('Token', { exact: true }).inputValue();
  assert.ok(token.length > 20, token);
  await dialog.getByRole('button', { name: 'Copy' }).first().click();
  await dialog.getByText('Copied to the clipboard.').waitFor();
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
  const who = await http(s.url, 'GET', `/workspaces/${s.workspaceId}/workspaceUsers/${eli.api.userId}`, { headers: { authtoken: token } });
  assert.equal(who.status, 200, who.text);
  assert.equal(who.body.email, eli.email);
  assert.deepEqual(errors, []);
});

test('admin: the owner creates a member, changes their role, resets their password, deactivates them; archives a channel, turns one private and back (a member\'s tab sees it); renames the workspace', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const made = await s.owner.post('/v1/channels', { name: 'to-archive', type: 'PUBLIC' });
  assert.equal(made.status, 200, made.text);
  const hal = await member('Hal Member');
  const ivy = await member('Ivy Outside');
  const closing = (await s.owner.post('/v1/channels', { name: 'to-close', type: 'PUBLIC' })).body.channel.id as string;
  assert.equal((await s.owner.post(`/v1/channels/${closing}/users`, { userIds: [hal.api.userId] })).status, 200);
  assert.equal((await hal.api.post('/v1/channels', { name: 'hidden-room', type: 'PRIVATE' })).status, 200);
  const { page } = await signedInOwner(t, errors);
  await page.goto(`${s.url}/c/${s.generalId}`);
  await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).click();
  await page.getByRole('heading', { level: 1, name: 'Administration' }).waitFor();
  await page.getByRole('heading', { level: 2, name: 'Members' }).waitFor();

  await page.getByLabel('Name', { exact: true }).fill('Fay Created');
  await page.getByLabel('E-mail', { exact: true }).fill('fay@example.com');
  await page.getByLabel('Password', { exact: true }).fill('fay-password-1');
  await page.getByLabel('Role', { exact: true }).selectOption('ADMIN');
  await page.getByRole('button', { name: 'Create member' }).click();
  const row = page.getByTestId('member-fay@example.com');
  await row.waitFor();
  await page.getByRole('status').filter({ hasText: 'Hand fay@example.com this password: fay-password-1' }).waitFor();
  const role = row.getByLabel('Role of Fay Created');
  assert.equal(await role.inputValue(), 'ADMIN');
  await login(s.url, 'fay@example.com', 'fay-password-1');
  assert.equal(await page.getByRole('note').count(), 0, 'nothing on this page waits for a server route');

  // change the role: the server has it at once
  await role.selectOption('MEMBER');
  await page.getByRole('status').filter({ hasText: 'Fay Created is now Member.' }).waitFor();
  const fayId = (await s.owner.get('/v1/workspaceUsers')).body.find((u: { email: string }) => u.email === 'fay@example.com').id;
  assert.equal((await s.owner.get(`/v1/workspaceUsers/${fayId}`)).body.workspaceRole, 'MEMBER');
  // making an owner asks first
  await role.selectOption('OWNER');
  const makeOwner = page.getByRole('dialog', { name: 'Make Fay Created an owner?' });
  await makeOwner.getByRole('button', { name: 'Cancel' }).click();
  await makeOwner.waitFor({ state: 'detached' });
  assert.equal((await s.owner.get(`/v1/workspaceUsers/${fayId}`)).body.workspaceRole, 'MEMBER');

  // reset the password: asked first, then shown once; the old one stops working, the new one works
  await row.getByRole('button', { name: 'Reset password for Fay Created' }).click();
  const reset = page.getByRole('dialog', { name: "Reset Fay Created's password?" });
  await reset.getByRole('button', { name: 'Reset password' }).click();
  const generated = await reset.getByLabel("Fay Created's new password").inputValue();
  assert.ok(generated.length >= 12, generated);
  assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: 'fay@example.com', password: 'fay-password-1' } })).status, 401);
  await login(s.url, 'fay@example.com', generated);
  assert.deepEqual(await axeViolations(page), [], 'axe on the reset dialog');
  await reset.getByRole('button', { name: 'Done' }).click();
  await reset.waitFor({ state: 'detached' });

  await row.getByRole('button', { name: 'Deactivate Fay Created' }).click();
  // asked first (web-chat-5 tests the question itself)
  await page.getByRole('dialog', { name: 'Deactivate Fay Created?' }).getByRole('button', { name: 'Deactivate' }).click();
  await row.getByText('Deactivated', { exact: true }).waitFor();
  await row.getByRole('button', { name: 'Reactivate Fay Created' }).waitFor();
  assert.equal((await http(s.url, 'POST', '/auth/login', { body: { email: 'fay@example.com', password: generated } })).status, 401);
  // Fay, at the sign-in page with her right password, is told why (a wrong one says what it says for anyone)
  const fayCtx = await harness.browser.newContext();
  t.after(() => fayCtx.close().catch(() => {}));
  const fayPage = await fayCtx.newPage();
  await fayPage.goto(`${s.url}/login`);
  await fayPage.locator('#login-email').fill('fay@example.com');
  await fayPage.locator('#login-password').fill(generated);
  await fayPage.locator('button[type="submit"]').click();
  await fayPage.getByText('This account is deactivated. Ask a workspace admin to reactivate it.').waitFor();
  await fayPage.locator('#login-password').fill('not-her-password');
  await fayPage.locator('button[type="submit"]').click();
  await fayPage.getByText("That e-mail and password don't match an account.", { exact: false }).waitFor();

  await page.mouse.move(0, 0);
  await screenshot(page, 'web-admin-members', { fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe on the members page');

  await page.getByRole('link', { name: 'Channels', exact: true }).click();
  const channel = page.getByTestId('channel-to-archive');
  await channel.getByRole('button', { name: 'Archive #to-archive' }).click();
  await channel.getByText('Archived', { exact: true }).waitFor();
  const info = await s.owner.get(`/v1/channels/${made.body.channel.id}`);
  assert.equal(info.body.channel.isArchived, true);
  // a private channel the owner is not in is listed, without actions (only its members may change it)
  await page.getByTestId('channel-hidden-room').getByText('Only its members can change it').waitFor();
  assert.equal(await page.getByTestId('channel-hidden-room').getByRole('button').count(), 0);
  assert.deepEqual(await axeViolations(page), [], 'axe on the channels page');

  // privacy: a member's open tab sees the lock come and go; someone outside loses the channel meanwhile
  const { page: halPage } = await signedIn(t, hal, errors);
  await halPage.goto(`${s.url}/c/${closing}`);
  const halLink = halPage.getByRole('navigation').getByRole('link', { name: /to-close/ });
  await halLink.waitFor();
  assert.equal(await halLink.getByRole('img', { name: 'Private channel' }).count(), 0);
  const closeRow = page.getByTestId('channel-to-close');
  await closeRow.getByRole('button', { name: 'Make private #to-close' }).click();
  const makePrivate = page.getByRole('dialog', { name: 'Make #to-close private?' });
  await makePrivate.getByText('Only its current members keep it').waitFor();
  await makePrivate.getByRole('button', { name: 'Make private' }).click();
  await makePrivate.waitFor({ state: 'detached' });
  await closeRow.getByText('Private', { exact: true }).waitFor();
  await halLink.getByRole('img', { name: 'Private channel' }).waitFor();
  const ivySees = async () => ((await ivy.api.get('/v1/channels')).body as Array<{ channel: { id: string } }>).some((c) => c.channel.id === closing);
  assert.equal(await ivySees(), false);
  await closeRow.getByRole('button', { name: 'Make public #to-close' }).click();
  await page.getByRole('dialog', { name: 'Make #to-close public?' }).getByRole('button', { name: 'Make public' }).click();
  await closeRow.getByText('Public', { exact: true }).waitFor();
  await halLink.getByRole('img', { name: 'Private channel' }).waitFor({ state: 'detached' });
  assert.equal(await ivySees(), true);

  // the workspace: rename it and choose its language; the sidebar shows the new name at once
  const sections = page.getByRole('navigation', { name: 'Administration sections' });
  await sections.getByRole('link', { name: 'Workspace', exact: true }).click();
  const form = page.getByRole('form', { name: 'Workspace' });
  await form.getByLabel('Name', { exact: true }).fill('   ');
  await form.getByRole('alert').filter({ hasText: 'Type a name' }).waitFor();
  await form.getByLabel('Name', { exact: true }).fill('Renamed Team');
  await form.getByLabel('Default language').selectOption('pt-BR');
  // message retention (web-client.md §7): a non-number is refused here, with what to do; 30 days is saved
  const retention = form.getByLabel('Delete messages after (days)');
  await retention.fill('1.5');
  await form.getByRole('alert').filter({ hasText: 'whole number of days' }).waitFor();
  assert.equal(await form.getByRole('button', { name: 'Save changes' }).isDisabled(), true);
  await retention.fill('30');
  await form.getByRole('button', { name: 'Save changes' }).click();
  await form.getByRole('status').filter({ hasText: 'Saved.' }).waitFor();
  await page.locator('.sidebar-workspace-name').filter({ hasText: 'Renamed Team' }).waitFor();
  await page.getByTestId('workspace-retention').filter({ hasText: 'Messages are deleted after 30 days' }).waitFor();
  const ws = (await s.owner.get('/v1/workspace')).body;
  assert.deepEqual([ws.name, ws.locale, ws.messageRetentionDays], ['Renamed Team', 'pt-BR', 30]);
  // a member's open tab follows the rename live (workspace.updated), without a reload
  await halPage.locator('.sidebar-workspace-name').filter({ hasText: 'Renamed Team' }).waitFor();
  await page.mouse.move(0, 0);
  await screenshot(page, 'web-admin-workspace', { fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe on the workspace page');
  assert.equal((await s.owner.put('/v1/workspace', { name: 'Test Workspace', locale: 'en', messageRetentionDays: null })).status, 200);
  assert.deepEqual(errors, []);
});

test('admin: an incoming webhook with a script — syntax error shown, fixed, called with fetch, history with the console', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const { page } = await signedInOwner(t, errors);
  // Rocket.Chat's /api/v1 takes the web session's cookie: no password prompt, no sign-in of its own
  const rcCalls: string[] = [];
  page.on('request', (req) => {
    const path = new URL(req.url()).pathname;
    if (path.startsWith('/api/v1/')) {
      const h = req.headers();
      rcCalls.push(`${req.method()} ${path}${h['x-auth-token'] || h['x-user-id'] ? ' with X-Auth-Token/X-User-Id' : ''}`);
    }
  });
  await page.goto(`${s.url}/admin/integrations`);
  await page.getByRole('heading', { level: 2, name: 'Integrations' }).waitFor();
  await page.getByText('No integrations yet').waitFor();
  assert.equal(await page.getByLabel('Your password').count(), 0);

  await page.getByRole('button', { name: 'New incoming webhook' }).click();
  const form = page.getByRole('form', { name: 'New integration' });
  await form.getByLabel('Name', { exact: true }).fill('Build bot');
  await form.getByLabel('Post to').fill('#general');
  await form.getByLabel('Script enabled').check();
  await form.getByRole('textbox', { name: 'Script' }).fill('class Script {\n  process_incoming_request({ request }) {\n    return { content: { text: ;\n  }\n}\n');
  await form.getByRole('button', { name: 'Save' }).click();
  await page.getByRole('alert').filter({ hasText: "The script doesn't compile" }).waitFor();
  await screenshot(page, 'web-admin-integration-editor', { fullPage: true });

  await page
    .getByRole('textbox', { name: 'Script' })
    .fill("class Script {\n  process_incoming_request({ request }) {\n    console.log('got', request.content.text);\n    return { content: { text: 'Build: ' + request.content.text } };\n  }\n}\n");
  await page.getByRole('button', { name: 'Save' }).click();
  const card = page.getByTestId('integration-Build bot');
  await card.waitFor();
  const url = await card.getByLabel('Webhook URL').inputValue();
  assert.match(url, /\/hooks\/[^/]+\/[^/]+$/);
  const posted = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ text: 'green #42' }) });
  assert.equal(posted.status, 200, await posted.text());
  const recent = await s.owner.get(`/v1/channels/${s.generalId}/messages?limit=5`);
  assert.ok(recent.body.messages.some((m: { text: string }) => m.text === 'Build: green #42'), 'the script shaped the message');

  await page.mouse.move(0, 0);
  await screenshot(page, 'web-admin-integrations', { fullPage: true });
  assert.deepEqual(await axeViolations(page), [], 'axe on the integrations page');

  await card.getByRole('button', { name: 'History' }).click();
  const history = page.getByRole('region', { name: 'History of Build bot' });
  await history.locator('.history-record').first().waitFor();
  await history.getByText('got green #42').waitFor();
  assert.match(await history.locator('.history-step').first().innerText(), /message-posted|script-result/);
  assert.deepEqual(await axeViolations(page), [], 'axe on the history');
  await history.getByRole('button', { name: 'Clear history' }).click();
  await history.getByText('Nothing yet').waitFor();
  assert.ok(rcCalls.length > 0);
  assert.deepEqual(rcCalls.filter((c) => / with |\/(login|logout)$/.test(c)), [], 'cookie only: no login, no logout, no token headers');
  // the other /api/v1 page, and the developer routes (a developer token from the cookie), without a prompt either
  const sections = page.getByRole('navigation', { name: 'Administration sections' });
  await sections.getByRole('link', { name: 'Permissions', exact: true }).click();
  await page.getByRole('heading', { level: 2, name: 'Integration permissions' }).waitFor();
  await page.locator('.admin-table input[type="checkbox"]:checked').first().waitFor();
  await sections.getByRole('link', { name: 'Apps', exact: true }).click();
  await page.getByText("You haven't created any apps.").waitFor();
  assert.equal(await page.getByLabel('Your password').count(), 0);
  assert.deepEqual(rcCalls.filter((c) => / with |\/(login|logout)$/.test(c)), []);
  assert.deepEqual(errors, []);
});

test('admin: a member gets no Administration entry and a 403 page on /admin', async (t) => {
  if (!(await needBrowser(t))) return;
  const errors: string[] = [];
  const gus = await member('Gus Member');
  const { page } = await signedIn(t, gus, errors);
  await page.goto(`${s.url}/c/${s.generalId}`);
  await page.getByRole('heading', { level: 1, name: 'general' }).waitFor();
  assert.equal(await page.getByRole('navigation').getByRole('link', { name: 'Administration' }).count(), 0);
  await page.goto(`${s.url}/admin`);
  await page.getByRole('heading', { name: "You can't open this page" }).waitFor();
  assert.equal(await page.getByRole('link', { name: 'Members' }).count(), 0);
  assert.deepEqual(await axeViolations(page), [], 'axe on the 403 page');
  assert.deepEqual(errors, []);
});
