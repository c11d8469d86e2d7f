/**
 * An app's waiting events follow its transport (docs/delivery.md §2.7): when a manifest update takes
 * the app out of socket mode, into it, or to another events URL, its pending deliveries go to the new
 * destination in the same transaction, due at once, instead of failing where the app no longer listens.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore } from '../../src/domain/index.js';
import { newDeliveryId, newId } from '../../src/domain/ids.js';
import { SOCKET_URL } from '../../src/domain/apps/socket-mode.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { tempDir } from '../support/helpers.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));

test('pending events move with the app between its socket and its URL', async () => {
  const dir = tempDir();
  const handle = await openDatabase(`sqlite:${join(dir.path, 't.db')}`);
  try {
    await migrate(handle.db);
    const store = new Store(handle.db, handle.engine);
    const core = createCore(store, { publish: () => {} }, { limiter: new MemoryRateLimiter() });
    const owner = (await core.accounts.bootstrap({ email: 'owner@example.com', password: 'password-123' }))!.owner;
    const events = { events: ['NEW_MESSAGE'] };
    const socketManifest = { ...EXAMPLE, name: 'switch_app', socketMode: true, eventSubscriptions: { ...events, url: '' } };
    const app = await core.apps.create(owner, socketManifest);
    const pending = async () => {
      const id = newDeliveryId();
      await store.deliveries.enqueue({ id, class: 'event', endpointType: 'app', endpointId: app.id, url: SOCKET_URL, eventType: 'NEW_MESSAGE', eventId: newId(), workspaceId: owner.workspaceId, payload: '{}', now: Date.now() });
      await store.deliveries.reschedule(id, Date.now() + 600_000, { attemptCount: 1, lastStatusCode: null, lastError: 'no-socket' });
      return id;
    };
    const urlOf = async (id: string) => (await store.deliveries.delivery(id))!.url;
    const first = await pending();

    await core.apps.update(owner, app.id, { ...socketManifest, socketMode: false, eventSubscriptions: { ...events, url: 'https://app.example/events' } });
    assert.equal(await urlOf(first), 'https://app.example/events');
    assert.ok((await store.deliveries.delivery(first))!.nextAttemptAt <= Date.now(), 'due at once, not at its old retry time');

    await core.apps.update(owner, app.id, { ...socketManifest, socketMode: false, eventSubscriptions: { ...events, url: 'https://app.example/v2/events' } });
    assert.equal(await urlOf(first), 'https://app.example/v2/events');

    await core.apps.update(owner, app.id, socketManifest);
    assert.equal(await urlOf(first), SOCKET_URL);

    // An unchanged destination moves nothing.
    const second = await pending();
    await core.apps.update(owner, app.id, { ...socketManifest, displayName: 'Renamed' });
    assert.equal((await store.deliveries.delivery(second))!.nextAttemptAt > Date.now() + 500_000, true);

  } finally {
    await handle.close();
    dir.remove();
  }
});
