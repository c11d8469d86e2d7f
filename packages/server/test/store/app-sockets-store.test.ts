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
      await store.appSockets.touchSockets('node-b', [{ id: 's2', appId, openedAt: now + 10 }], now + 100_000);
      assert.deepEqual((await store.appSockets.liveSockets(appId, now + 50_000)).map((s) => s.id), ['s2']);
      await store.appSockets.insertTicket({ ticketHash: 'h3', appId, now, expiresAt: now + 60_000 });
      assert.deepEqual(await store.appSockets.prune(now + 60_000, now + 50_000), { tickets: 1, sockets: 2 });
      assert.equal(await store.appSockets.deleteNode('node-b'), 1);
      assert.deepEqual(await store.appSockets.liveSockets(appId, 0), []);
    });

    test('the heartbeat re-registers a socket still open whose row was pruned (review 3.2)', async (t) => {
      if (!handle) return t.skip('engine not available');
      await store.appSockets.insertSocket({ id: 'h1', appId, nodeId: 'node-h', now });
      await store.appSockets.insertSocket({ id: 'h2', appId, nodeId: 'node-h', now });
      // The node could not vouch for a while: another node pruned its rows.
      assert.deepEqual(await store.appSockets.prune(now + 100_000, now + 10_000), { tickets: 0, sockets: 2 });
      await store.transaction((tx) => tx.appSockets.touchSockets('node-h', [{ id: 'h1', appId, openedAt: now }, { id: 'h2', appId, openedAt: now }], now + 120_000));
      const live = await store.appSockets.liveSockets(appId, now + 110_000);
      assert.deepEqual(live.map((s) => [s.id, s.nodeId, s.openedAt, s.seenAt]), [['h1', 'node-h', now, now + 120_000], ['h2', 'node-h', now, now + 120_000]]);
      // And a row that is there is only refreshed.
      await store.appSockets.touchSockets('node-h', [{ id: 'h1', appId, openedAt: now }], now + 130_000);
      assert.deepEqual((await store.appSockets.liveSockets(appId, now + 125_000)).map((s) => s.id), ['h1']);
      assert.equal(await store.appSockets.deleteNode('node-h'), 2);
    });

    test('redeliver: succeeded socket deliveries are pending and due again as a new sequence; others stay as they are (review 3.4)', async (t) => {
      if (!handle) return t.skip('engine not available');
      const d = store.deliveries;
      const make = async (url: string) => {
        const id = newDeliveryId(now);
        await d.enqueue({ id, class: 'event', endpointType: 'app', endpointId: appId, url, eventType: 'NEW_MESSAGE', eventId: newId(), workspaceId: ws, payload: '{}', now });
        return id;
      };
      const written = await make(SOCKET_URL);
      const waiting = await make(SOCKET_URL);
      const http = await make('https://x.io/events');
      await d.markSucceeded(written, { attemptCount: 1, lastStatusCode: null, lastError: null });
      await d.markSucceeded(http, { attemptCount: 1, lastStatusCode: 200, lastError: null });
      await d.reschedule(waiting, now + 300_000, { attemptCount: 1, lastStatusCode: null, lastError: 'no-socket' });
      assert.equal(await store.transaction((tx) => tx.deliveries.redeliver([written, waiting, http], SOCKET_URL, now + 5000)), 1);
      const again = (await d.delivery(written))!;
      assert.equal(again.status, 'pending');
      assert.equal(again.nextAttemptAt, now + 5000);
      assert.equal(again.sequenceOffset, 1, 'a new attempt sequence: the retry schedule starts over');
      assert.equal(again.manual, false);
      assert.equal((await d.delivery(waiting))!.nextAttemptAt, now + 300_000);
      assert.equal((await d.delivery(http))!.status, 'succeeded');
      const claimed = await d.claimDue(now + 5000, 10, 'w2', 60_000, 10);
      assert.deepEqual(claimed.map((c) => c.id), [written]);
      await d.markSucceeded(written, { attemptCount: 2, lastStatusCode: null, lastError: null });
      // Out of the next test's way: it claims every delivery due by then.
      await d.markSucceeded(waiting, { attemptCount: 2, lastStatusCode: null, lastError: null });
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

    test('retargetPending: an app that leaves socket mode takes its waiting events to its URL, leased ones too; an event already sent there is cancelled, finished ones stay', async (t) => {
      if (!handle) return t.skip('engine not available');
      const d = store.deliveries;
      const endpointId = newId();
      const later = now + 600_000;
      const url = 'https://x.io/events';
      const make = async (to: string, eventId = newId()) => {
        const id = newDeliveryId(now);
        await d.enqueue({ id, class: 'event', endpointType: 'app', endpointId, url: to, eventType: 'NEW_MESSAGE', eventId, workspaceId: ws, payload: '{}', now });
        return id;
      };
      const summary = { attemptCount: 1, lastStatusCode: null, lastError: 'no-socket' };
      const waiting = await make(SOCKET_URL);
      const leased = await make(SOCKET_URL);
      const done = await make(SOCKET_URL);
      const twiceEvent = newId();
      const sentThere = await make(url, twiceEvent);
      const duplicate = await make(SOCKET_URL, twiceEvent);
      await d.markSucceeded(sentThere, { attemptCount: 1, lastStatusCode: 200, lastError: null });
      await d.markSucceeded(done, summary);
      const claimed = await d.claimDue(now + 1, 10, 'w9', 60_000, 10);
      for (const c of claimed.filter((c) => c.endpointId === endpointId && c.id !== leased)) await d.reschedule(c.id, later, summary);
      assert.ok(claimed.some((c) => c.id === leased));
      assert.equal(await store.transaction((tx) => tx.deliveries.retargetPending(endpointId, url, now + 2000)), 2);
      for (const id of [waiting, leased]) {
        const moved = (await d.delivery(id))!;
        assert.deepEqual([moved.url, moved.status, moved.nextAttemptAt <= now + 2000], [url, 'pending', true]);
      }
      assert.equal((await d.delivery(duplicate))!.status, 'cancelled');
      assert.deepEqual([(await d.delivery(done))!.url, (await d.delivery(done))!.status], [SOCKET_URL, 'succeeded']);
      // Out of later tests' way.
      for (const id of [waiting, leased]) await d.markSucceeded(id, summary);
    });

    after(async () => cleanup?.());
  });
}
