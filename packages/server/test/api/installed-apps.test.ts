/**
 * `GET /v1/apps/installed` (web client, docs/pumble-api.md §5): the apps installed in the workspace,
 * each with its bot and whether it has a home view for the caller; people only.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, startTestServer } from '../support/helpers.js';

test('installed apps: none, then the API addon with its bot and home view; per-person authorization', async () => {
  const s = await startTestServer();
  try {
    const { owner } = s;
    const member = await createUser(owner);
    assert.deepEqual((await owner.get('/v1/apps/installed')).body, []);
    const addon = ((await owner.get('/v1/appDirectory')).body as any[]).find((a) => a.builtin);
    assert.ok(addon, 'the API addon is in the directory');
    const install = await owner.post(`/v1/appDirectory/${addon.id}/install`);
    assert.equal(install.status, 200, install.text);
    const [mine] = (await owner.get('/v1/apps/installed')).body as any[];
    assert.deepEqual(
      { ...mine, botUserId: typeof mine.botUserId },
      { id: addon.id, name: addon.name, displayName: addon.displayName, avatarUrl: addon.avatarUrl, builtin: true, botUserId: 'string', authorized: true, hasHomeView: true },
    );
    const [theirs] = (await member.get('/v1/apps/installed')).body as any[];
    assert.deepEqual([theirs.id, theirs.authorized, theirs.botUserId], [addon.id, false, mine.botUserId]);
  } finally {
    await s.close();
  }
});
