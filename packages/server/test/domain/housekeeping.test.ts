/**
 * The housekeeping worker (workers/housekeeping.ts) on a real store, with the clock driven by the
 * test: a modal idle for 24 h closes with `reason: expired` while a fresh one stays
 * (docs/app-platform.md §9.3), and an expired socket-mode ticket is pruned (§10.1).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { createCore } from '../../src/domain/index.js';
import type { Notice } from '../../src/domain/events.js';
import type { User } from '../../src/domain/model.js';
import type { View } from '../../src/domain/ports/views.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { Housekeeping } from '../../src/workers/housekeeping.js';
import { tempDir } from '../support/helpers.js';

const EXAMPLE = JSON.parse(readFileSync(new URL('../support/fixtures/example-manifest.json', import.meta.url), 'utf8'));
const HOUR = 60 * 60_000;
const silent = { error: () => {}, debug: () => {} };

test('idle modals close as expired and expired tickets go, each at its own age', async () => {
  const dir = tempDir();
  const handle = await openDatabase(`sqlite:${join(dir.path, 'h.db')}`);
  try {
    await migrate(handle.db);
    const clock = { t: Date.parse('2030-01-01T00:00:00Z') };
    const now = () => clock.t;
    const published: Notice[] = [];
    const store = new Store(handle.db, handle.engine);
    const core = createCore(store, { publish: (n) => void published.push(...n) }, { limiter: new MemoryRateLimiter(now), now });
    const owner = (await core.accounts.bootstrap({ email: 'owner@example.com', password: 'password-123' }))!.owner;
    const member = await core.accounts.createUser(owner, { email: 'member@example.com', name: 'Member', password: 'password-123' });
    const app = await core.apps.create(owner, { ...EXAMPLE, name: 'hk_app', socketMode: true });

    const modal = (id: string, person: User, updatedAt: number): View => ({
      id,
      workspaceId: person.workspaceId,
      appId: app.id,
      userId: person.id,
      type: 'MODAL',
      stackParentId: null,
      depth: 1,
      callbackId: 'cb',
      notifyOnClose: true,
      channelId: null,
      threadRootId: null,
      source: 'app',
      document: { title: { type: 'plain_text', text: 'T' }, blocks: [] },
      state: { values: {} },
      version: 1,
      createdAt: updatedAt,
      updatedAt,
    });
    await store.views.insertView(modal('v-old', owner, clock.t));
    await core.socketMode.handshake(app.id, app.secrets!.appKey);
    clock.t += 23 * HOUR;
    await store.views.insertView(modal('v-fresh', member, clock.t));

    const worker = new Housekeeping({ views: core.views, socketMode: core.socketMode }, { log: silent, now });
    const first = await worker.runNow();
    assert.deepEqual(first, { tickets: 1, sockets: 0 }, 'the ticket is 23 h old: pruned');
    assert.equal(published.filter((n) => n.event.type === 'view.closed').length, 0, 'no modal is a day old yet');

    clock.t += 1 * HOUR + 1;
    await worker.runNow();
    const closed = published.filter((n) => n.event.type === 'view.closed');
    assert.deepEqual(
      closed.map((n) => [n.audience, n.event]),
      [[[owner.id], { type: 'view.closed', viewId: 'v-old', appId: app.id, userId: owner.id, viewType: 'MODAL', reason: 'expired' }]],
    );
    assert.deepEqual((await core.views.openModals(owner)).map((v) => v.id), []);
    assert.deepEqual((await core.views.openModals(member)).map((v) => v.id), ['v-fresh'], 'a modal touched within the day stays');
    await worker.stop();
    assert.ok(worker.isStopped);
  } finally {
    await handle.close();
    dir.remove();
  }
});
