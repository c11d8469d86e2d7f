/**
 * Views and loading states on both engines (docs/app-platform.md §9.3, §9.4, §11.2; migration
 * 0016): one home view per app and person even when two publishes race, a default or built-in
 * one never replacing the app's, a new version per change but none for the person's own values,
 * the modal stack in depth order, a loading state ended exactly once, deleting an app takes its
 * views, and an ephemeral message keeps its blocks.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { newId } from '../../src/domain/ids.js';
import { validateManifest } from '../../src/domain/apps/manifest.js';
import type { InteractionLoad, View } from '../../src/domain/ports/views.js';
import { appRecord, engines, storeWithOwner } from '../support/engines.js';

for (const engine of engines) {
  describe(`views on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const owner = newId();
    const person = newId();
    const now = 1_700_000_000_000;
    const appId = newId();

    const view = (over: Partial<View>): View => ({
      id: newId(),
      workspaceId: ws,
      appId,
      userId: person,
      type: 'MODAL',
      stackParentId: null,
      depth: 1,
      callbackId: 'cb',
      notifyOnClose: false,
      channelId: null,
      threadRootId: null,
      source: 'app',
      document: { title: { type: 'plain_text', text: 'T' }, blocks: [], extra: { kept: true } },
      state: { values: {} },
      version: 1,
      createdAt: now,
      updatedAt: now,
      ...over,
    });

    test('open', async (t) => {
      const opened = await storeWithOwner(engine, t, { workspaceId: ws, ownerId: owner, now });
      if (!opened) return;
      ({ handle, cleanup, store } = opened);
      const m = validateManifest({ name: 'views', displayName: 'Views', bot: false, scopes: { botScopes: [], userScopes: ['messages:read'] }, shortcuts: [], slashCommands: [], eventSubscriptions: { url: 'https://x.io/e', events: ['NEW_MESSAGE'] }, redirectUrls: ['https://x.io/r'] });
      assert.ok(m.ok);
      await store.insertApp(appRecord({ id: appId, workspaceId: ws, ownerId: owner, name: 'views', manifest: m.manifest, now }));
    });

    test('one home view per app and person, even when two publishes race; the id stays, the version grows', async (t) => {
      if (!handle) return t.skip('engine not available');
      const publish = async (text: string) => (await store.transaction((tx) => tx.views.putHomeView(view({ type: 'HOME', depth: 0, callbackId: null, document: { blocks: [{ type: 'divider', text }] } }))))!;
      const [a, b] = await Promise.all([publish('a'), publish('b')]);
      assert.equal(a.id, b.id, 'the second publish replaced the first');
      assert.deepEqual([a.version, b.version].sort(), [1, 2]);
      const stored = await store.views.homeView(appId, person);
      assert.equal(stored?.id, a.id);
      assert.equal(stored?.version, 2);
      const again = await publish('c');
      assert.deepEqual([again.id, again.version, (again.document.blocks as any[])[0].text], [a.id, 3, 'c']);
    });

    test("a default or built-in home view never replaces the app's published one; it replaces its own kind", async (t) => {
      if (!handle) return t.skip('engine not available');
      const other = newId();
      const home = (source: View['source'], text: string) => view({ userId: other, type: 'HOME', depth: 0, callbackId: null, source, document: { blocks: [{ type: 'divider', text }] } });
      const put = (v: View) => store.transaction((tx) => tx.views.putHomeView(v));
      const def = (await put(home('default', 'd1')))!;
      const def2 = (await put(home('builtin', 'b1')))!;
      assert.deepEqual([def2.id, def2.version, def2.source], [def.id, 2, 'builtin'], 'a re-render replaces a default or built-in view');
      const published = (await put(home('app', 'a1')))!;
      assert.deepEqual([published.id, published.version, published.source], [def.id, 3, 'app']);
      for (const source of ['default', 'builtin'] as const) {
        assert.equal(await put(home(source, 'late')), undefined, `a ${source} view does not overwrite the app's`);
      }
      const stored = (await store.views.homeView(appId, other))!;
      assert.deepEqual([stored.version, stored.source, (stored.document.blocks as any[])[0].text], [3, 'app', 'a1']);
      assert.equal((await put(home('app', 'a2')))!.version, 4, 'the app replaces its own');
      await store.views.deleteViews([def.id]);
    });

    test('a modal round-trips its document; a change bumps the version, the person\'s own values do not', async (t) => {
      if (!handle) return t.skip('engine not available');
      const m = view({ notifyOnClose: true, channelId: 'c1' });
      await store.views.insertView(m);
      const read = await store.views.view(m.id);
      assert.deepEqual(read, m);
      await store.views.setState(m.id, { values: { b: { a: { type: 'plain_text_input', value: 'typed' } } } });
      assert.equal((await store.views.view(m.id))?.version, 1);
      const updated = await store.views.updateView(m.id, { document: { blocks: [] }, updatedAt: now + 5 });
      assert.deepEqual([updated?.version, updated?.updatedAt, updated?.state.values.b?.a?.value], [2, now + 5, 'typed']);
      assert.equal(await store.views.updateView(newId(), { updatedAt: now }), undefined, 'a view that is gone');
      await store.views.deleteViews([m.id]);
    });

    test('the stack comes bottom first; stale modals are found for housekeeping', async (t) => {
      if (!handle) return t.skip('engine not available');
      const bottom = view({ depth: 1, updatedAt: now - 100 });
      const middle = view({ depth: 2, stackParentId: bottom.id });
      const top = view({ depth: 3, stackParentId: middle.id });
      for (const v of [top, bottom, middle]) await store.views.insertView(v);
      assert.deepEqual((await store.views.modalStack(person)).map((v) => v.depth), [1, 2, 3]);
      assert.deepEqual((await store.views.modalStack(owner)), []);
      assert.deepEqual((await store.views.staleModals(now - 50)).map((v) => v.id), [bottom.id]);
      await store.views.deleteViews([bottom.id, middle.id, top.id]);
    });

    test('a loading state ends exactly once, whoever tries first', async (t) => {
      if (!handle) return t.skip('engine not available');
      const load: InteractionLoad = { triggerId: newId(), appId, workspaceId: ws, userId: person, channelId: 'c1', blockId: null, sourceType: 'MESSAGE', sourceId: 'm1', onAction: 'go', startedAt: now, endsAt: now + 5000, completeUntil: now + 60_000, completedAt: null, completedBy: null };
      await store.views.insertLoad(load);
      assert.deepEqual((await store.views.activeLoads(person, now + 1)).map((l) => l.triggerId), [load.triggerId]);
      assert.deepEqual(await store.views.activeLoads(person, now + 5000), [], 'over once endsAt has passed');
      const ends = await Promise.all([
        store.transaction((tx) => tx.views.completeLoad(load.triggerId, 'app', now + 10)),
        store.transaction((tx) => tx.views.completeLoad(load.triggerId, 'timeout', now + 11)),
      ]);
      assert.deepEqual(ends.filter(Boolean).length, 1);
      const ended = await store.views.load(load.triggerId);
      assert.ok(ended?.completedAt !== null && ['app', 'timeout'].includes(ended!.completedBy!));
      assert.equal(await store.views.pruneLoads(now + 1), 1);
      assert.equal(await store.views.load(load.triggerId), undefined);
    });

    test("deleting the app takes its views (foreign key); an ephemeral message keeps its blocks", async (t) => {
      if (!handle) return t.skip('engine not available');
      const channelId = newId();
      await store.insertChannel({ id: channelId, workspaceId: ws, type: 'PUBLIC', name: 'c', directKey: null, description: '', createdBy: null, now });
      const blocks = [{ type: 'actions', elements: [{ type: 'button', onAction: 'x', text: { type: 'plain_text', text: 'X' } }] }];
      const id = newId();
      await store.insertEphemeral({ id, workspaceId: ws, channelId, authorId: owner, recipients: [person], threadRootId: null, createdAt: now, blocks });
      assert.deepEqual((await store.ephemeral(channelId, id))?.blocks, blocks);
      await store.setEphemeralBlocks(id, []);
      assert.deepEqual((await store.ephemeral(channelId, id))?.blocks, []);
      assert.equal((await store.views.viewsOfApp(appId, ws)).length, 1, 'the home view');
      await store.deleteApp(appId);
      assert.deepEqual(await store.views.viewsOfApp(appId, ws), []);
    });

    after(async () => {
      await cleanup?.();
    });
  });
}
