/**
 * The app platform's records and the ephemeral-message record through the store, on SQLite and
 * PostgreSQL alike: what goes in as a model comes back as the same model — manifest and scopes
 * parsed, booleans and times as the model has them — whatever the tables hold (docs/architecture.md §3.2).
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { UniqueViolation } from '../../src/domain/errors.js';
import { newId } from '../../src/domain/ids.js';
import { validateManifest, type Manifest } from '../../src/domain/apps/manifest.js';
import type { App, Installation } from '../../src/domain/ports/chat-store.js';
import { appRecord, engines, storeWithOwner } from '../support/engines.js';

function manifest(name: string): Manifest {
  const r = validateManifest({
    name,
    displayName: 'My App',
    bot: true,
    scopes: { botScopes: ['messages:read'], userScopes: ['messages:read', 'messages:write'] },
    shortcuts: [],
    slashCommands: [{ command: '/hello', url: 'https://myapp.com/slash', description: null, usageHint: null }],
    defaultHomeView: { enabled: true, blocks: [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'Welcome' }] }] }] },
    eventSubscriptions: { url: 'https://myapp.com/events', events: ['NEW_MESSAGE'] },
    redirectUrls: ['https://myapp.com/redirect'],
  });
  assert.ok(r.ok);
  return r.manifest;
}

for (const engine of engines) {
  describe(`app records on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const owner = newId();
    const now = 1_700_000_000_000;

    const app = (over: Partial<App> = {}): App => appRecord({ id: newId(), workspaceId: ws, ownerId: owner, name: 'my_app', manifest: manifest('my_app'), now, ...over });

    test('open', async (t) => {
      const opened = await storeWithOwner(engine, t, { workspaceId: ws, ownerId: owner, now });
      if (!opened) return;
      ({ handle, cleanup, store } = opened);
    });

    test('an app comes back as it went in; names are unique per owner, built-in apps apart', async (t) => {
      if (!handle) return t.skip('no database');
      const mine = app();
      await store.insertApp(mine);
      assert.deepEqual(await store.app(mine.id), mine);
      await assert.rejects(store.insertApp(app({ name: 'MY_APP' })), UniqueViolation, 'the same name in another case');
      // A built-in app is keyed apart, so it may share a name with the owner's own app, and a rename leaves its key.
      const builtin = app({ name: 'my_app', builtin: 'api-keys' });
      await store.insertApp(builtin);
      await store.updateApp(builtin.id, { name: 'other', updatedAt: now + 1 });
      await store.insertApp(app({ id: newId(), name: 'Other' }));
      assert.deepEqual(await store.builtinApp(ws, 'api-keys'), { ...builtin, name: 'other', updatedAt: now + 1 });
      assert.deepEqual((await store.appsOwnedBy(ws, owner)).map((a) => a.name), ['my_app', 'Other']);

      const rotated = { manifest: manifest('renamed'), name: 'renamed', published: true, previousSigningSecretSealed: 's', previousSigningUntil: now + 5, updatedAt: now + 2 };
      await store.updateApp(mine.id, rotated);
      assert.deepEqual(await store.app(mine.id), { ...mine, ...rotated });
      await store.insertApp(app({ name: 'My_App' }));
      assert.ok((await store.directoryApps(ws)).some((a) => a.id === mine.id), 'published');
    });

    test('installation, authorization, tokens, codes', async (t) => {
      if (!handle) return t.skip('no database');
      const a = app({ name: 'installed' });
      await store.insertApp(a);
      const inst: Installation = {
        id: newId(),
        appId: a.id,
        workspaceId: ws,
        botUserId: null,
        installedBy: owner,
        botScopes: ['messages:read'],
        homeView: { type: 'HOME', blocks: a.manifest.defaultHomeView?.blocks ?? [] },
        createdAt: now,
      };
      await store.insertInstallation(inst);
      assert.deepEqual(await store.installation(a.id, ws), inst);
      await store.updateInstallation(inst.id, { botScopes: ['messages:read', 'messages:write'] });
      assert.deepEqual((await store.installationsOfApp(a.id))[0]!.botScopes, ['messages:read', 'messages:write']);

      const auth = { id: newId(), appId: a.id, installationId: inst.id, workspaceId: ws, userId: owner, userScopes: ['messages:read'], createdAt: now };
      assert.deepEqual(await store.upsertAuthorization(auth), auth);
      const again = await store.upsertAuthorization({ ...auth, id: newId(), userScopes: ['messages:write'], createdAt: now + 1 });
      assert.deepEqual(again, { ...auth, userScopes: ['messages:write'] }, 'the grant is replaced, not added');

      const token = { tokenHash: 'th', appId: a.id, workspaceId: ws, installationId: inst.id, authorizationId: auth.id, kind: 'user' as const, userId: owner, scopes: ['messages:write'], createdAt: now };
      await store.insertAppToken(token);
      assert.deepEqual(await store.appToken('th'), token);

      const code = { codeHash: 'ch', appId: a.id, workspaceId: ws, userId: owner, redirectUrl: 'https://myapp.com/redirect', expiresAt: now + 600_000, usedAt: null };
      await store.insertOAuthCode(code);
      assert.deepEqual(await store.consumeOAuthCode('ch', now + 1), { ...code, usedAt: now + 1 });
      assert.equal(await store.consumeOAuthCode('ch', now + 2), undefined, 'single use');

      await store.deleteInstallation(inst.id);
      assert.equal(await store.appToken('th'), undefined);
      assert.equal(await store.authorization(a.id, owner), undefined);
    });

    test('an ephemeral record keeps its recipients until none is left', async (t) => {
      if (!handle) return t.skip('no database');
      const record = { id: newId(), workspaceId: ws, channelId: newId(), authorId: owner, recipients: ['u1', 'u2'], threadRootId: null, blocks: [{ type: 'divider' }], createdAt: now };
      await store.insertEphemeral(record);
      assert.deepEqual(await store.ephemeral(record.channelId, record.id), record);
      await store.setEphemeralRecipients(record.id, ['u2']);
      assert.deepEqual((await store.ephemeral(record.channelId, record.id))?.recipients, ['u2']);
      await store.setEphemeralRecipients(record.id, []);
      assert.equal(await store.ephemeral(record.channelId, record.id), undefined);
    });

    after(async () => cleanup?.());
  });
}
