/**
 * The transactional outbox: events are written with the change that caused them, never without
 * it, and each is expanded once, in order, even across restarts and several nodes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import pino from 'pino';
import { createUser, freshPostgresDatabase, needs, startTestServer, tempDir } from '../support/helpers.js';
import { migrate, openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { OutboxDispatcher } from '../../src/workers/dispatcher.js';
import { LocalBus } from '../../src/realtime/bus.js';
import { createCore } from '../../src/domain/index.js';
import type { ChatStore, StoredDomainEvent } from '../../src/domain/ports/chat-store.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { newId } from '../../src/domain/ids.js';

const log = pino({ level: 'silent' });

/** A fresh SQLite database with a bootstrapped workspace, its core and its main channel. */
async function bootstrapped(file: string) {
  const handle = await openDatabase(`sqlite:${file}`);
  await migrate(handle.db);
  const store = new Store(handle.db, handle.engine);
  const core = createCore(store, new LocalBus(), { limiter: new MemoryRateLimiter() });
  const boot = (await core.accounts.bootstrap({ email: 'o@x.io', password: 'password-1' }))!;
  const general = (await store.mainChannel(boot.workspace.id))!;
  return { handle, store, core, boot, general };
}

test('each change writes its events in its own transaction; a refused change writes none', async () => {
  const s = await startTestServer();
  try {
    // Stop expansion so the rows stay visible as written.
    await s.sb.dispatcher.stop();
    const db = s.sb.database.db;
    await db.deleteFrom('domain_events').execute();
    const bob = await createUser(s.owner, 'MEMBER', 'Bob');
    const created = await db.selectFrom('domain_events').selectAll().orderBy('id').execute();
    assert.deepEqual(created.map((e) => e.type), ['user.created', 'member.joined'], 'a new user: announced, and joins general');
    assert.equal(new Set(created.map((e) => e.request_id)).size, 1, 'events of one change share their request id');

    await db.deleteFrom('domain_events').execute();
    const root = (await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'root' })).body;
    await bob.post(`/v1/channels/${s.generalId}/messages/${root.id}`, { text: 'reply' });
    const rows = await db.selectFrom('domain_events').selectAll().orderBy('id').execute();
    assert.deepEqual(rows.map((e) => e.type), ['message.created', 'message.created', 'message.updated']);
    assert.equal(JSON.parse(rows[0]!.payload).message.text, 'root');
    assert.equal(rows[1]!.request_id, rows[2]!.request_id, 'the reply and its root update: one request');
    assert.notEqual(rows[0]!.request_id, rows[1]!.request_id);
    assert.ok(rows.every((r) => r.expanded_at === null && r.workspace_id === s.workspaceId));

    await db.deleteFrom('domain_events').execute();
    const priv = (await s.owner.post('/v1/channels', { name: 'outbox-archive', type: 'PRIVATE' })).body.channel.id;
    await s.owner.post(`/v1/channels/${priv}/archive`);
    const refused = await s.owner.post(`/v1/channels/${priv}/messages`, { text: 'nope' });
    assert.equal(refused.status, 403);
    await s.owner.post(`/v1/channels/${s.generalId}/messages`, { text: 'only for bob', ephemeral: { sendToUsers: [bob.userId] } });
    const after = await db.selectFrom('domain_events').select('type').orderBy('id').execute();
    assert.deepEqual(after.map((e) => e.type), ['channel.created', 'channel.archived'], 'no event for a refused post nor for an ephemeral one');
  } finally {
    await s.close();
  }
});

test('the dispatcher expands events in order, once; a failing expander leaves them for the next run', async () => {
  const dir = tempDir();
  const { handle, store, core, boot, general } = await bootstrapped(join(dir.path, 'o.db'));
  for (let i = 0; i < 5; i++) await core.messages.post(boot.owner, general.id, { text: `m${i}` });

  const seen: string[] = [];
  let failNext = true;
  const expander = async (_tx: ChatStore, e: StoredDomainEvent) => {
    if (failNext && e.event.type === 'message.created' && e.event.message.text === 'm2') {
      failNext = false;
      throw new Error('receiver lookup failed');
    }
    if (e.event.type === 'message.created') seen.push(e.event.message.text);
    // "Queued work" for one message only: only then is its worker woken.
    return e.event.type === 'message.created' && e.event.message.text === 'm3';
  };
  let wakes = 0;
  let idleWakes = 0;
  const dispatcher = new OutboxDispatcher(
    store,
    [
      { expand: expander, wake: () => wakes++ },
      { expand: async () => false, wake: () => idleWakes++ },
    ],
    { log, batchSize: 100 },
  );
  await assert.rejects(dispatcher.expandBatch(), /receiver lookup failed/);
  assert.equal(await store.countUnexpandedEvents(), 5, 'the failed batch rolled back whole');
  assert.equal(wakes, 0, 'a batch that rolled back wakes nobody');
  seen.length = 0;
  assert.equal(await dispatcher.expandBatch(), 5);
  assert.deepEqual(seen, ['m0', 'm1', 'm2', 'm3', 'm4'], 'in commit order');
  assert.deepEqual([wakes, idleWakes], [1, 0], 'only the worker with new work is woken, once per batch');
  assert.equal(await dispatcher.expandBatch(), 0, 'nothing twice');
  assert.equal(await store.countUnexpandedEvents(), 0);
  await handle.close();

  // A "restart": events committed while no dispatcher ran are expanded by the next one.
  const reopened = await openDatabase(`sqlite:${join(dir.path, 'o.db')}`);
  const store2 = new Store(reopened.db, reopened.engine);
  const core2 = createCore(store2, new LocalBus(), { limiter: new MemoryRateLimiter() });
  await core2.messages.post(boot.owner, general.id, { text: 'while down' });
  const later: string[] = [];
  const d2 = new OutboxDispatcher(store2, [{ expand: async (_tx, e) => (e.event.type === 'message.created' && later.push(e.event.message.text), false), wake: () => {} }], { log, pollMs: 20 });
  d2.start();
  for (let i = 0; i < 100 && later.length === 0; i++) await new Promise((r) => setTimeout(r, 20));
  await d2.stop();
  assert.deepEqual(later, ['while down']);
  await reopened.close();
  dir.remove();
});

test('on SQLite each batch ends with the expansion of the events it wrote: expanded when the change is answered; a failing expansion is taken back alone, for the poll', async () => {
  const dir = tempDir();
  const { handle, store, core, boot, general } = await bootstrapped(join(dir.path, 'f.db'));
  await new OutboxDispatcher(store, [], { log }).expandBatch(); // the bootstrap's own events

  const seen: string[] = [];
  let failOn: string | undefined;
  let wakes = 0;
  const errors: unknown[] = [];
  const expand = async (tx: ChatStore, e: StoredDomainEvent) => {
    if (e.type !== 'message.created' || e.event.type !== 'message.created') return false;
    // Writes first, then fails: only rolling back the expansion takes the write away.
    await tx.insertDomainEvent({ id: newId(), workspaceId: e.workspaceId, type: 'probe' as never, event: e.event, requestId: 'probe', createdAt: 1 });
    if (e.event.message.text === failOn) throw new Error('expander failed');
    seen.push(e.event.message.text);
    return true;
  };
  // No poll in this test's time: only the end of a batch can expand.
  const dispatcher = new OutboxDispatcher(store, [{ expand, wake: () => wakes++ }], { log: { ...log, error: (o: unknown) => void errors.push(o) } as never, pollMs: 3_600_000 });
  dispatcher.start();
  try {
    await Promise.all(Array.from({ length: 10 }, (_, i) => core.messages.post(boot.owner, general.id, { text: `b${i}` })));
    assert.deepEqual(new Set(seen.filter((t) => t.startsWith('b'))), new Set(Array.from({ length: 10 }, (_, i) => `b${i}`)), 'expanded by the time the posts were answered');
    assert.ok(wakes >= 1, 'the worker with new work was woken');
    const unexpanded = await store.transaction(async (tx) => (await tx.claimUnexpandedEvents(100)).filter((e) => e.type === 'message.created'));
    assert.deepEqual(unexpanded, [], 'no message event left for the poll');

    failOn = 'bad';
    seen.length = 0;
    const posted = await Promise.all(['ok1', 'bad', 'ok2'].map((text) => core.messages.post(boot.owner, general.id, { text })));
    assert.equal(posted.length, 3, 'every post was answered: a failing expansion fails no change');
    assert.equal(errors.length, 1, 'the failure was logged');
    const left = await store.transaction(async (tx) => (await tx.claimUnexpandedEvents(100)).filter((e) => e.type === 'message.created'));
    assert.ok(left.some((e) => e.event.type === 'message.created' && e.event.message.text === 'bad'), 'the failed expansion left its events for the poll');
    const probes = await handle.db.selectFrom('domain_events').select('id').where('type', '=', 'probe').where('request_id', '=', 'probe').execute();
    assert.equal(probes.length, 10, 'what the failing expansion wrote was taken back (only the first round of writes remains)');
    failOn = undefined;
    await dispatcher.expandBatch();
    assert.ok(seen.includes('bad'), 'the poll expands it later');
  } finally {
    await dispatcher.stop();
    await handle.close();
    dir.remove();
  }
});

test('on SQLite the end of a batch expands exactly the events its committed units wrote: none of a unit that failed after writing, each once, none left for the poll', async () => {
  const dir = tempDir();
  const { handle, store, core, boot, general } = await bootstrapped(join(dir.path, 'u.db'));
  await new OutboxDispatcher(store, [], { log }).expandBatch(); // the bootstrap's own events

  const seen: string[] = [];
  const expand = async (_tx: ChatStore, e: StoredDomainEvent) => {
    if (e.event.type === 'message.created') seen.push(e.event.message.text);
    return false;
  };
  const dispatcher = new OutboxDispatcher(store, [{ expand, wake: () => {} }], { log, pollMs: 3_600_000 });
  dispatcher.start();
  try {
    const template = await core.messages.post(boot.owner, general.id, { text: 'template' });
    seen.length = 0;
    // Queued together, so one batch takes them all: the third writes its event and then fails,
    // which takes the batch round again with a savepoint per unit.
    const units = await Promise.allSettled([
      core.messages.post(boot.owner, general.id, { text: 'kept-1' }),
      core.messages.post(boot.owner, general.id, { text: 'kept-2' }),
      store.transaction(async (tx) => {
        await tx.insertDomainEvent({ id: newId(), workspaceId: boot.workspace.id, type: 'message.created', event: { type: 'message.created', message: { ...template, text: 'rolled-back' } } as never, requestId: 'r', createdAt: Date.now() });
        throw new Error('fails after writing its event');
      }),
      core.messages.post(boot.owner, general.id, { text: 'kept-3' }),
    ]);
    assert.deepEqual(units.map((u) => u.status), ['fulfilled', 'fulfilled', 'rejected', 'fulfilled']);
    assert.deepEqual([...seen].sort(), ['kept-1', 'kept-2', 'kept-3'], 'the failed unit\'s event, taken back with it, was never expanded; the others once each');
    assert.equal(await store.countUnexpandedEvents(), 0, 'nothing waits for the poll');
    const texts = (await handle.db.selectFrom('domain_events').select('payload').where('type', '=', 'message.created').execute()).map((r) => (JSON.parse(r.payload) as { message: { text: string } }).message.text);
    assert.ok(!texts.includes('rolled-back'), 'the failed unit wrote nothing');
  } finally {
    await dispatcher.stop();
    await handle.close();
    dir.remove();
  }
});

test('on SQLite an event taken back by a savepoint inside a unit (ScheduledStore.savepoint) leaves the batch with its row: never expanded', async () => {
  const dir = tempDir();
  const { handle, store, core, boot, general } = await bootstrapped(join(dir.path, 's.db'));
  await new OutboxDispatcher(store, [], { log }).expandBatch(); // the bootstrap's own events
  const seen: string[] = [];
  const dispatcher = new OutboxDispatcher(store, [{ expand: async (_tx, e) => (seen.push(e.id), false), wake: () => {} }], { log, pollMs: 3_600_000 });
  dispatcher.start();
  try {
    const template = await core.messages.post(boot.owner, general.id, { text: 'template' });
    seen.length = 0;
    const id = newId();
    await store.transaction(async (tx) => {
      await tx.scheduled
        .savepoint(async () => {
          await tx.insertDomainEvent({ id, workspaceId: boot.workspace.id, type: 'message.created', event: { type: 'message.created', message: { ...template, text: 'inner' } } as never, requestId: 'r', createdAt: Date.now() });
          throw new Error('taken back by the inner savepoint');
        })
        .catch(() => {});
      await tx.insertDomainEvent({ id: newId(), workspaceId: boot.workspace.id, type: 'message.created', event: { type: 'message.created', message: { ...template, text: 'kept' } } as never, requestId: 'r', createdAt: Date.now() });
    });
    assert.equal(await handle.db.selectFrom('domain_events').select('id').where('id', '=', id).executeTakeFirst(), undefined, 'the row was taken back');
    assert.equal(seen.length, 1, 'only the kept event was expanded');
    assert.ok(!seen.includes(id), 'an event whose row was taken back is never expanded');
  } finally {
    await dispatcher.stop();
    await handle.close();
    dir.remove();
  }
});

test('on SQLite, after an expansion failed, later batches expand the events put back first: in order', async () => {
  const dir = tempDir();
  const { handle, store, core, boot, general } = await bootstrapped(join(dir.path, 'r.db'));
  await new OutboxDispatcher(store, [], { log }).expandBatch(); // the bootstrap's own events
  const seen: string[] = [];
  let failOn: string | undefined = 'first';
  const expand = async (_tx: ChatStore, e: StoredDomainEvent) => {
    if (e.event.type !== 'message.created') return false;
    if (e.event.message.text === failOn) throw new Error('expander failed');
    seen.push(e.event.message.text);
    return false;
  };
  const dispatcher = new OutboxDispatcher(store, [{ expand, wake: () => {} }], { log: { ...log, error: () => {} } as never, pollMs: 3_600_000 });
  dispatcher.start();
  try {
    await core.messages.post(boot.owner, general.id, { text: 'zero' }); // nothing waits any more
    await core.messages.post(boot.owner, general.id, { text: 'first' });
    failOn = undefined;
    await core.messages.post(boot.owner, general.id, { text: 'second' });
    assert.deepEqual(seen, ['zero', 'first', 'second'], 'the event put back is expanded before the later one, by the later batch (no poll ran)');
    assert.equal(await store.countUnexpandedEvents(), 0);
  } finally {
    await dispatcher.stop();
    await handle.close();
    dir.remove();
  }
});

test('PostgreSQL: two dispatchers on two connections pools expand every event exactly once', async (t) => {
  if (!(await needs(t, 'postgres'))) return;
  const pg = await freshPostgresDatabase();
  const a = await openDatabase(pg.url);
  const b = await openDatabase(pg.url);
  try {
    await migrate(a.db);
    const storeA = new Store(a.db, a.engine);
    const storeB = new Store(b.db, b.engine);
    const core = createCore(storeA, new LocalBus(), { limiter: new MemoryRateLimiter() });
    const boot = (await core.accounts.bootstrap({ email: 'o@x.io', password: 'password-1' }))!;
    const general = (await storeA.mainChannel(boot.workspace.id))!;
    await Promise.all(Array.from({ length: 120 }, (_, i) => core.messages.post(boot.owner, general.id, { text: `p${i}` })));

    const expandedBy = new Map<string, string>();
    const recorder = (node: string) => async (_tx: ChatStore, e: StoredDomainEvent) => {
      if (expandedBy.has(e.id)) throw new Error(`event ${e.id} expanded twice`);
      expandedBy.set(e.id, node);
      await new Promise((r) => setTimeout(r, 1)); // hold the rows a moment so the nodes overlap
      return false;
    };
    const dA = new OutboxDispatcher(storeA, [{ expand: recorder('A'), wake: () => {} }], { log, batchSize: 10 });
    const dB = new OutboxDispatcher(storeB, [{ expand: recorder('B'), wake: () => {} }], { log, batchSize: 10 });
    const drain = async (d: OutboxDispatcher) => {
      while ((await d.expandBatch()) > 0);
    };
    await Promise.all([drain(dA), drain(dB)]);
    const total = await a.db.selectFrom('domain_events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(expandedBy.size, Number(total.n), 'every event expanded');
    assert.equal(await storeA.countUnexpandedEvents(), 0);
    const byNode = [...expandedBy.values()];
    assert.ok(byNode.includes('A') && byNode.includes('B'), 'both nodes took a share (SKIP LOCKED)');
  } finally {
    await a.close();
    await b.close();
    await pg.drop();
  }
});
