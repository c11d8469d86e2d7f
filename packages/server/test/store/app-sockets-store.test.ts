/**
 * Socket mode's storage on both engines (docs/app-platform.md §10, docs/delivery.md §2.7): a
 * handshake ticket admits one socket even when two upgrades redeem it at once, and none once
 * expired; the registry tells live sockets from stale ones; a node's rows go with it; and `dueNow`
 * makes an app's waiting socket deliveries due — not leased ones, not other URLs, not finished ones.
 */
import { describe, test, after } from 'node:test';
import assert from 'node:assert/strict';
import type { DatabaseHandle } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { newDeliveryId, newId } from '../../src/domain/ids.js';
import { validateManifest } from '../../src/domain/apps/manifest.js';
import { SOCKET_URL } from '../../src/domain/apps/socket-mode.js';
import { appRecord, engines, storeWithOwner } from '../support/engines.js';

for (const engine of engines) {
  describe(`app sockets on ${engine.name}`, () => {
    let handle: DatabaseHandle | undefined;
    let cleanup: (() => Promise<void>) | undefined;
    let store: Store;
    const ws = newId();
    const owner = newId();
    const now = 1_700_000_000_000;
    const appId = newId();

    test('open', async (t) => {
      const opened = await storeWithOwner(engine, t, { workspaceId: ws, ownerId: owner, now });
      if (!opened) return;
      ({ handle, cleanup, store } = opened);
      const m = validateManifest({ name: 'sock', displayName: 'Sock', bot: false, socketMode: true, scopes: { botScopes: [], userScopes: ['messages:read'] }, shortcuts: [], slashCommands: [], eventSubscriptions: { events: ['NEW_MESSAGE'] }, redirectUrls: ['https://x.io/r'] });
      assert.ok(m.ok);
      await store.insertApp(appRecord({ id: appId, workspaceId: ws, ownerId: owner, name: 'sock', manifest: m.manifest, now }));
    });

    test('a ticket is redeemed once, even by two upgrades at once, and never after it expired', async (t) => {
      if (!handle) return t.skip('engine not available');
      await store.transaction((tx) => tx.appSockets.insertTicket({ ticketHash: 'h1', appId, now, expiresAt: now + 60_000 }));
      // Two connections of their own, as two nodes would redeem.
      const redeem = () => store.transaction((tx) => tx.appSockets.redeemTicket('h1', now + 1000));
      const both = await Promise.all([redeem(), redeem()]);
      assert.deepEqual(both.filter((x) => x === appId).length, 1);
      assert.deepEqual(both.filter((x) => x === undefined).length, 1);
      assert.equal(await store.appSockets.redeemTicket('h1', now + 1000), undefined);
      await store.appSockets.insertTicket({ ticketHash: 'h2', appId, now, expiresAt: now + 60_000 });
      assert.equal(await store.appSockets.redeemTicket('h2', now + 60_000), undefined, 'expired at its expiry');
      assert.equal(await store.appSockets.redeemTicket('h2', now), undefined, 'and gone: an expired ticket is used up too');
    });

    test('the registry: live sockets oldest first, stale ones left out and pruned, a node leaves with its rows', async (t) => {
      if (!handle) return t.skip('engine not available');
      await store.appSockets.insertSocket({ id: 's1', appId, nodeId: 'node-a', now });
      await store.appSockets.insertSocket({ id: 's2', appId, nodeId: 'node-b', now: now + 10 });
      await store.appSockets.insertSocket({ id: 's3', appId, nodeId: 'node-b', now: now + 20 });
      assert.deepEqual((await store.appSockets.liveSockets(appId, now - 1)).map((s) => [s.id, s.nodeId]), [['s1', 'node-a'], ['s2', 'node-b'], ['s3', 'node-b']]);
      await store.appSockets.touchSockets(['s2'], now + 100_000);
      assert.deepEqual((await store.appSockets.liveSockets(appId, now + 50_000)).map((s) => s.id), ['s2']);
      await store.appSockets.insertTicket({ ticketHash: 'h3', appId, now, expiresAt: now + 60_000 });
      assert.deepEqual(await store.appSockets.prune(now + 60_000, now + 50_000), { tickets: 1, sockets: 2 });
      assert.equal(await store.appSockets.deleteNode('node-b'), 1);
      assert.deepEqual(await store.appSockets.liveSockets(appId, 0), []);
    });

    test('dueNow: the app’s waiting socket deliveries are due at once; leased, finished and other URLs stay as they are', async (t) => {
      if (!handle) return t.skip('engine not available');
      const d = store.deliveries;
      const later = now + 300_000;
      const make = async (url: string, endpointId = appId) => {
        const id = newDeliveryId(now);
        await d.enqueue({ id, class: 'event', endpointType: 'app', endpointId, url, eventType: 'NEW_MESSAGE', eventId: newId(), workspaceId: ws, payload: '{}', now });
        return id;
      };
      const waiting = await make(SOCKET_URL);
      const leased = await make(SOCKET_URL);
      const done = await make(SOCKET_URL);
      const http = await make('https://x.io/events');
      const other = await make(SOCKET_URL, 'another-app');
      const summary = { attemptCount: 1, lastStatusCode: null, lastError: 'no-socket' };
      for (const id of [waiting, leased, http, other]) await d.reschedule(id, later, summary);
      await d.markSucceeded(done, summary);
      const claimed = await d.claimDue(later, 10, 'w1', 60_000, 10);
      assert.equal(claimed.length, 4);
      for (const c of claimed) if (c.id !== leased) await d.reschedule(c.id, later, summary);
      assert.equal(await d.dueNow(appId, SOCKET_URL, now + 1000), 1);
      assert.equal((await d.delivery(waiting))!.nextAttemptAt, now + 1000);
      assert.equal((await d.delivery(leased))!.nextAttemptAt, later);
      assert.equal((await d.delivery(http))!.nextAttemptAt, later);
      assert.equal((await d.delivery(other))!.nextAttemptAt, later);
      assert.equal((await d.delivery(done))!.status, 'succeeded');
    });

    after(async () => cleanup?.());
  });
}
