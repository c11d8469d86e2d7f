/**
 * People's own profile and the administration routes the web client's profile and admin pages use
 * (docs/pumble-api.md §5): display name and time zone, clearing a custom status, changing a role (an
 * owner's, or to owner, only by an owner; never one's own), an admin's password reset (answered once,
 * the person's sessions end), and the workspace's name and default language (owners only).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Listener, createUser, login, startTestServer } from '../support/helpers.js';

test('profile, roles, password resets and the workspace, with who may do what', async () => {
  const s = await startTestServer();
  try {
    const { owner } = s;
    const admin = await createUser(owner, 'ADMIN', 'Ada Admin');
    const member = await createUser(owner, 'MEMBER', 'Mo Member');
    const watcher = await Listener.connect(s.wsUrl, owner.token);

    // Profile: name and time zone; bad input names its field.
    const me = await member.put('/v1/workspaceUsers/me', { name: '  Mo M.  ', timeZone: 'Europe/Lisbon' });
    assert.equal(me.status, 200, me.text);
    assert.deepEqual([me.body.name, me.body.timeZoneId], ['Mo M.', 'Europe/Lisbon']);
    await watcher.next((f) => f.type === 'user.updated' && f.userId === member.userId);
    for (const [body, field] of [[{ name: '   ' }, 'name'], [{ timeZone: 'Mars/Olympus' }, 'timeZone']] as const) {
      const bad = await member.put('/v1/workspaceUsers/me', body);
      assert.equal(bad.status, 400, bad.text);
      assert.equal(bad.body.errors[0].field, field);
    }

    // A custom status, then cleared.
    assert.equal((await member.put('/v1/workspaceUsers/customStatus', { code: ':palm_tree:', status: 'away', expiresAt: 0 })).status, 200);
    const cleared = await member.delete('/v1/workspaceUsers/customStatus');
    assert.equal(cleared.status, 200, cleared.text);
    assert.equal((await owner.get(`/v1/workspaceUsers/${member.userId}`)).body.customStatus ?? null, null);

    // Roles.
    assert.equal((await member.put(`/v1/workspaceUsers/${admin.userId}/role`, { role: 'MEMBER' })).status, 403, 'members change no roles');
    assert.equal((await admin.put(`/v1/workspaceUsers/${member.userId}/role`, { role: 'OWNER' })).status, 403, 'only an owner makes an owner');
    assert.equal((await admin.put(`/v1/workspaceUsers/${s.ownerId}/role`, { role: 'MEMBER' })).status, 403, 'only an owner unmakes an owner');
    assert.equal((await admin.put(`/v1/workspaceUsers/${admin.userId}/role`, { role: 'OWNER' })).status, 403, 'not one’s own');
    const promoted = await admin.put(`/v1/workspaceUsers/${member.userId}/role`, { role: 'ADMIN' });
    assert.deepEqual([promoted.status, promoted.body.role, promoted.body.workspaceRole], [200, 'ADMINISTRATOR', 'ADMIN']);
    assert.equal((await owner.put(`/v1/workspaceUsers/${member.userId}/role`, { role: 'KING' })).status, 400);
    assert.equal((await owner.put(`/v1/workspaceUsers/nobody-here/role`, { role: 'MEMBER' })).status, 404);
    // The new role counts on the member's next request, same session.
    assert.equal((await member.post('/v1/workspaceUsers', { email: 'new@example.com', name: 'New', password: 'new-password-1' })).status, 200);

    // Password resets: the new password works once handed over, the old sessions end.
    assert.equal((await admin.post(`/v1/workspaceUsers/${s.ownerId}/password/reset`)).status, 403, "an owner's only by an owner");
    assert.equal((await admin.post(`/v1/workspaceUsers/${admin.userId}/password/reset`)).status, 403, 'one’s own through the password change');
    const memberSocket = await Listener.connect(s.wsUrl, member.token);
    const reset = await admin.post(`/v1/workspaceUsers/${member.userId}/password/reset`);
    assert.equal(reset.status, 200, reset.text);
    assert.equal(reset.headers.get('cache-control'), 'no-store');
    assert.equal((await memberSocket.closedWith()).code, 4001);
    assert.equal((await member.get('/v1/channels')).status, 401);
    const again = await login(s.url, member.email!, reset.body.password);
    assert.equal((await again.get('/v1/channels')).status, 200);

    // The workspace: owners only.
    assert.equal((await admin.put('/v1/workspace', { name: 'Nope' })).status, 403);
    const ws = await owner.put('/v1/workspace', { name: 'Renamed Team', locale: 'pt-BR' });
    assert.equal(ws.status, 200, ws.text);
    assert.deepEqual([ws.body.name, ws.body.locale], ['Renamed Team', 'pt-BR']);
    assert.deepEqual((await again.get('/v1/workspace')).body.name, 'Renamed Team');
    assert.equal((await owner.put('/v1/workspace', { locale: 'not a tag!' })).body.errors[0].field, 'locale');
    watcher.close();
  } finally {
    await s.close();
  }
});
