/**
 * Scheduled messages: the rules of the core service, the scheduler's runs (exactly once, on
 * SQLite and PostgreSQL, with several runners), recurrence arithmetic, the sender loop and the
 * `/v1/messages/scheduled` routes.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { migrate, openDatabase, type DatabaseHandle } from '../../src/store/database.js';
import type { ScheduledStore } from '../../src/store/scheduled-store.js';
import { Store } from '../../src/store/store.js';
import { createCore, type Core } from '../../src/domain/index.js';
import type { CoreContext } from '../../src/domain/context.js';
import { DomainError, type ErrorKind } from '../../src/domain/errors.js';
import type { Notice } from '../../src/domain/events.js';
import { Messages, type PostInput } from '../../src/domain/messages.js';
import type { Channel, Message, User } from '../../src/domain/model.js';
import {
  MAX_ATTEMPTS,
  nextOccurrence,
  planNext,
  retryDelayMs,
  ScheduledMessages,
  type RunReport,
  type ScheduledMessagesOptions,
} from '../../src/domain/scheduled-messages.js';
import { ScheduledSender } from '../../src/workers/scheduled-sender.js';
import { MemoryRateLimiter } from '../../src/limits/rate-limiter.js';
import { createUser, freshPostgresDatabase, http, needs, startTestServer, tempDir, type Client } from '../support/helpers.js';

const MINUTE = 60_000;
const DAY = 86_400_000;
const PASSWORD = 'password-long-1';

// ---- set-up ---------------------------------------------------------------------------------------


type EngineName = 'sqlite' | 'postgres';
const ENGINES: EngineName[] = ['sqlite', 'postgres'];

/** One server's worth of services over a database: its own pool. */
interface Node {
  handle: DatabaseHandle;
  store: Store;
  ctx: CoreContext;
  sstore: ScheduledStore;
  scheduled(opts?: ScheduledMessagesOptions): ScheduledMessages;
}

interface Env extends Node {
  core: Core;
  clock: { t: number };
  published: Notice[];
  outboxWakes: { n: number };
  owner: User;
  member: User;
  general: Channel;
  /** another node on the same database (PostgreSQL: another pool; SQLite: another store on the one connection) */
  otherNode(): Promise<Node>;
  close(): Promise<void>;
}

async function openEnv(t: TestContext, engine: EngineName): Promise<Env | undefined> {
  let url: string;
  const cleanups: Array<() => Promise<void> | void> = [];
  if (engine === 'sqlite') {
    const dir = tempDir();
    url = `sqlite:${join(dir.path, 's.db')}`;
    cleanups.push(() => dir.remove());
  } else {
    if (!(await needs(t, 'postgres'))) return undefined;
    const pg = await freshPostgresDatabase();
    url = pg.url;
    cleanups.push(() => pg.drop());
  }
  const clock = { t: Math.ceil(Date.now() / 1000) * 1000 };
  const now = () => clock.t;
  const published: Notice[] = [];
  const outboxWakes = { n: 0 };
  const sink = { publish: (n: readonly Notice[]) => void published.push(...n) };
  const handle = await openDatabase(url);
  cleanups.unshift(() => handle.close());
  await migrate(handle.db);

  const node = (h: DatabaseHandle, sharedStore?: Store): Node => {
    const store = sharedStore ?? new Store(h.db, h.engine);
    const ctx: CoreContext = { store, sink, now, limiter: new MemoryRateLimiter(now), onOutboxWrite: () => void outboxWakes.n++ };
    return { handle: h, store, ctx, sstore: store.scheduled, scheduled: (opts) => new ScheduledMessages(ctx, opts) };
  };
  const main = node(handle);
  const core = createCore(main.store, sink, { limiter: new MemoryRateLimiter(now), now });
  const boot = (await core.accounts.bootstrap({ email: 'owner@example.com', password: PASSWORD }))!;
  const member = await core.accounts.createUser(boot.owner, { email: 'member@example.com', name: 'Member', password: PASSWORD });
  const general = (await main.store.mainChannel(boot.workspace.id))!;
  return {
    ...main,
    core,
    clock,
    published,
    outboxWakes,
    owner: boot.owner,
    member,
    general,
    async otherNode() {
      if (engine === 'sqlite') return node(handle);
      const second = await openDatabase(url);
      cleanups.unshift(() => second.close());
      return node(second);
    },
    async close() {
      for (const c of cleanups) await c();
    },
  };
}

/** Runs `body` with a fresh environment on each engine (PostgreSQL when it is reachable). */
function onEachEngine(name: string, body: (env: Env, engine: EngineName) => Promise<void>) {
  for (const engine of ENGINES) {
    test(`${name} (${engine})`, async (t) => {
      const env = await openEnv(t, engine);
      if (!env) return;
      try {
        await body(env, engine);
      } finally {
        await env.close();
      }
    });
  }
}

async function rejectsWith(p: Promise<unknown>, kind: ErrorKind, field?: string): Promise<void> {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof DomainError, `a DomainError, got ${String(e)}`);
    assert.equal(e.kind, kind, e.message);
    if (field !== undefined) assert.equal(e.errors[0]?.field, field, e.message);
    return true;
  });
}

async function history(env: Env, channelId: string): Promise<Message[]> {
  return (await env.core.messages.list(env.owner, channelId, { limit: 100 })).messages.reverse();
}

// ---- the rules ------------------------------------------------------------------------------------

onEachEngine('create validates like a post, plus the time and the recurrence', async (env) => {
  const s = env.scheduled();
  const { member, general, clock } = env;
  const at = clock.t + 10 * MINUTE;

  const m = await s.create(member, { channelId: general.id, text: 'hello later', sendAt: at });
  assert.deepEqual(
    { ...m, id: undefined },
    {
      id: undefined,
      workspaceId: member.workspaceId,
      channelId: general.id,
      authorId: member.id,
      text: 'hello later',
      blocks: null,
      attachments: null,
      sendAt: at,
      recurrence: null,
      threadRootId: null,
      alsoSendToChannel: false,
      createdAt: clock.t,
      updatedAt: clock.t,
      appId: null,
    },
  );
  assert.deepEqual(await s.get(member, m.id), m);

  await rejectsWith(s.create(member, { channelId: general.id, text: 'x', sendAt: clock.t }), 'invalid', 'sendAt');
  await rejectsWith(s.create(member, { channelId: general.id, text: 'x', sendAt: clock.t - 1 }), 'invalid', 'sendAt');
  await rejectsWith(s.create(member, { channelId: general.id, text: 'x', sendAt: 1.5 }), 'invalid', 'sendAt');
  await rejectsWith(s.create(member, { channelId: general.id, text: '   ', sendAt: at }), 'invalid', 'text');
  // Blocks that fail validation are dropped, as on a post: then there is nothing left to send.
  await rejectsWith(s.create(member, { channelId: general.id, blocks: [{ type: 'nonsense' }], sendAt: at }), 'invalid', 'text');
  await rejectsWith(s.create(member, { channelId: general.id, text: 'x'.repeat(100_001), sendAt: at }), 'invalid', 'text');

  const bad = (recurrence: any) => s.create(member, { channelId: general.id, text: 'x', sendAt: at, recurrence });
  await rejectsWith(bad({ recurrenceType: 'HOURLY' }), 'invalid', 'recurrence.recurrenceType');
  await rejectsWith(bad({ recurrenceType: 'DAILY', endAfterOccurrences: 0 }), 'invalid', 'recurrence.endAfterOccurrences');
  await rejectsWith(bad({ recurrenceType: 'DAILY', endAfterOccurrences: 2.5 }), 'invalid', 'recurrence.endAfterOccurrences');
  await rejectsWith(bad({ recurrenceType: 'DAILY', endDate: at }), 'invalid', 'recurrence.endDate');
  const recurring = await bad({ recurrenceType: 'WEEKDAYS', endAfterOccurrences: 3, endDate: at + 30 * DAY });
  assert.deepEqual(recurring.recurrence, { recurrenceType: 'WEEKDAYS', endAfterOccurrences: 3, endDate: at + 30 * DAY });

  // Where the author may not post: not visible (404), not a member, archived (403).
  const secret = (await env.core.channels.create(env.owner, { name: 'secret', type: 'PRIVATE' })).channel;
  await rejectsWith(s.create(member, { channelId: secret.id, text: 'x', sendAt: at }), 'not_found');
  await rejectsWith(s.create(member, { channelId: 'not-an-id', text: 'x', sendAt: at }), 'not_found');
  const open = (await env.core.channels.create(env.owner, { name: 'open' })).channel;
  await rejectsWith(s.create(member, { channelId: open.id, text: 'x', sendAt: at }), 'forbidden');
  await env.core.channels.join(member, open.id);
  await s.create(member, { channelId: open.id, text: 'x', sendAt: at });
  await env.core.channels.archive(env.owner, open.id);
  await rejectsWith(s.create(member, { channelId: open.id, text: 'x', sendAt: at }), 'forbidden');

  // A scheduled reply goes under a root message of that channel.
  const root = await env.core.messages.post(env.owner, general.id, { text: 'root' });
  const reply = await env.core.messages.post(env.owner, general.id, { text: 'reply', threadRootId: root.id });
  const inThread = await s.create(member, { channelId: general.id, text: 'later reply', sendAt: at, threadRootId: root.id, alsoSendToChannel: true });
  assert.equal(inThread.threadRootId, root.id);
  assert.equal(inThread.alsoSendToChannel, true);
  await rejectsWith(s.create(member, { channelId: general.id, text: 'x', sendAt: at, threadRootId: reply.id }), 'invalid', 'threadRootId');
  await rejectsWith(s.create(member, { channelId: general.id, text: 'x', sendAt: at, threadRootId: '0'.repeat(24) }), 'not_found');
  const topLevel = await s.create(member, { channelId: general.id, text: 'x', sendAt: at, alsoSendToChannel: true });
  assert.equal(topLevel.alsoSendToChannel, false, 'alsoSendToChannel means something only in a thread');
  const byApp = await s.create(member, { channelId: general.id, text: 'x', sendAt: at, appId: 'app-1' });
  assert.equal(byApp.appId, 'app-1');
});

onEachEngine('only the author sees, lists, edits and deletes a scheduled message', async (env) => {
  const s = env.scheduled();
  const { member, owner, general, clock } = env;
  const other = (await env.core.channels.create(owner, { name: 'other' })).channel;
  await env.core.channels.join(member, other.id);
  const at = clock.t + DAY;
  // Created out of order; two share a sendAt (then the id decides).
  await s.create(member, { channelId: general.id, text: 'c', sendAt: at + 3000 });
  const a = await s.create(member, { channelId: general.id, text: 'a', sendAt: at + 1000 });
  await s.create(member, { channelId: other.id, text: 'b1', sendAt: at + 2000 });
  await s.create(member, { channelId: general.id, text: 'b2', sendAt: at + 2000 });
  const owners = await s.create(owner, { channelId: general.id, text: 'owner', sendAt: at });

  await rejectsWith(s.get(owner, a.id), 'not_found');
  await rejectsWith(s.get(member, owners.id), 'not_found');
  await rejectsWith(s.get(member, 'nope'), 'not_found');

  const all = await s.list(member, {});
  assert.deepEqual(all.scheduledMessages.map((m) => m.text), ['a', 'b1', 'b2', 'c']);
  assert.equal(all.hasMore, false);
  const p1 = await s.list(member, { limit: 2 });
  assert.deepEqual([p1.scheduledMessages.map((m) => m.text), p1.hasMore], [['a', 'b1'], true]);
  const p2 = await s.list(member, { limit: 2, cursor: p1.scheduledMessages[1]!.id });
  assert.deepEqual([p2.scheduledMessages.map((m) => m.text), p2.hasMore], [['b2', 'c'], false]);
  const inGeneral = await s.list(member, { channelId: general.id });
  assert.deepEqual(inGeneral.scheduledMessages.map((m) => m.text), ['a', 'b2', 'c']);
  assert.deepEqual((await s.list(owner, {})).scheduledMessages.map((m) => m.text), ['owner']);
  await rejectsWith(s.list(member, { cursor: owners.id }), 'invalid', 'cursor');
  await rejectsWith(s.list(member, { channelId: 'x' }), 'invalid', 'channelId');
  assert.equal((await s.list(member, { limit: 1000 })).scheduledMessages.length, 4, 'limit is capped, not refused');

  // Edit: text and time as given; blocks and attachments kept when omitted; recurrence kept unless null.
  const blocks = [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'rich' }] }] }];
  const rich = await s.create(member, { channelId: general.id, text: 'rich', blocks, attachments: [{ text: 'att' }], sendAt: at, recurrence: { recurrenceType: 'DAILY' } });
  assert.deepEqual(rich.blocks, blocks);
  env.clock.t += 5000;
  const edited = await s.update(member, rich.id, { channelId: general.id, text: 'edited', sendAt: at + 7000 });
  assert.equal(edited.text, 'edited');
  assert.equal(edited.sendAt, at + 7000);
  assert.deepEqual(edited.blocks, blocks);
  assert.deepEqual(edited.attachments, [{ text: 'att' }]);
  assert.deepEqual(edited.recurrence, { recurrenceType: 'DAILY' });
  assert.equal(edited.updatedAt, env.clock.t);
  assert.equal(edited.createdAt, rich.createdAt);
  const moved = await s.update(member, rich.id, { channelId: other.id, text: 'moved', blocks: [], sendAt: at + 8000, recurrence: null });
  assert.deepEqual([moved.channelId, moved.blocks, moved.recurrence], [other.id, null, null]);
  const withAtt = await s.replaceAttachments(member, rich.id, [{ text: 'new' }]);
  assert.deepEqual(withAtt.attachments, [{ text: 'new' }]);

  await rejectsWith(s.update(owner, a.id, { channelId: general.id, text: 'mine now', sendAt: at }), 'not_found');
  await rejectsWith(s.update(member, a.id, { channelId: general.id, text: 'past', sendAt: env.clock.t }), 'invalid', 'sendAt');
  await rejectsWith(s.update(member, a.id, { channelId: general.id, text: '', sendAt: at }), 'invalid', 'text');
  assert.equal((await s.get(member, a.id)).text, 'a', 'a refused edit changes nothing');

  // The thread stays with the channel it is in.
  const root = await env.core.messages.post(owner, general.id, { text: 'root' });
  const reply = await s.create(member, { channelId: general.id, text: 'r', sendAt: at, threadRootId: root.id });
  assert.equal((await s.update(member, reply.id, { channelId: general.id, text: 'r2', sendAt: at })).threadRootId, root.id);
  assert.equal((await s.update(member, reply.id, { channelId: general.id, text: 'r3', sendAt: at, threadRootId: null })).threadRootId, null);

  await rejectsWith(s.delete(owner, a.id), 'not_found');
  await s.delete(member, a.id);
  await rejectsWith(s.get(member, a.id), 'not_found');
  await rejectsWith(s.delete(member, a.id), 'not_found');
});

// ---- the scheduler ----------------------------------------------------------------------------------

onEachEngine('runDue posts what is due, once, as its author, with events after the commit', async (env) => {
  const s = env.scheduled();
  const { member, owner, general, clock } = env;
  const t0 = clock.t;
  const root = await env.core.messages.post(owner, general.id, { text: 'root' });
  await s.create(member, { channelId: general.id, text: 'first', sendAt: t0 + 1000 });
  await s.create(member, { channelId: general.id, text: 'in thread', sendAt: t0 + 1500, threadRootId: root.id });
  await s.create(member, { channelId: general.id, text: 'in thread and channel', sendAt: t0 + 1700, threadRootId: root.id, alsoSendToChannel: true });
  await s.create(owner, { channelId: general.id, text: 'second', sendAt: t0 + 2000 });
  const later = await s.create(member, { channelId: general.id, text: 'later', sendAt: t0 + 10 * MINUTE });

  assert.equal(await s.runDue(), 0, 'nothing due yet');
  clock.t = t0 + 2000;
  env.published.length = 0;
  env.outboxWakes.n = 0;
  await env.handle.db.deleteFrom('domain_events').execute();

  const report = await s.runDueReport();
  assert.deepEqual([report.handled, report.posted, report.dropped, report.failed], [4, 4, [], []]);
  const posted = (await history(env, general.id)).filter((m) => m.id !== root.id);
  assert.deepEqual(posted.map((m) => [m.text, m.authorId, m.createdAt]), [
    ['first', member.id, t0 + 2000],
    ['in thread and channel', member.id, t0 + 2000],
    ['second', owner.id, t0 + 2000],
  ]);
  const replies = await env.core.messages.replies(owner, general.id, root.id, {});
  assert.deepEqual(replies.map((m) => [m.text, m.authorId, m.sentToChannel]), [['in thread', member.id, false], ['in thread and channel', member.id, true]]);
  assert.equal((await env.core.messages.get(owner, general.id, root.id)).replyCount, 2);

  // As for any post: outbox events (so app events), realtime notices, and the dispatcher woken.
  const events = await env.handle.db.selectFrom('domain_events').select(['type', 'payload']).orderBy('id').execute();
  assert.deepEqual(events.map((e) => e.type), ['message.created', 'message.created', 'message.updated', 'message.created', 'message.updated', 'message.created']);
  assert.deepEqual(
    env.published.filter((n) => n.event.type === 'message.created').map((n) => (n.event as { message: Message }).message.text),
    ['first', 'in thread', 'in thread and channel', 'second'],
  );
  assert.ok(env.outboxWakes.n >= 1);

  assert.deepEqual((await s.list(member, {})).scheduledMessages.map((m) => m.id), [later.id], 'one-off messages are gone once posted');
  assert.equal(await s.runDue(), 0, 'never twice');
  clock.t = t0 + 10 * MINUTE;
  assert.equal(await s.runDue(), 1);
  assert.equal(await s.runDue(), 0);
});

onEachEngine('a recurring series moves on, ends after N or at endDate, and skips what was missed', async (env) => {
  const s = env.scheduled();
  const { member, general, clock } = env;
  const t0 = clock.t + 1000;

  const daily = await s.create(member, { channelId: general.id, text: 'daily', sendAt: t0, recurrence: { recurrenceType: 'DAILY', endAfterOccurrences: 3 } });
  const weekly = await s.create(member, { channelId: general.id, text: 'weekly', sendAt: t0, recurrence: { recurrenceType: 'WEEKLY', endDate: t0 + 8 * DAY } });
  const forever = await s.create(member, { channelId: general.id, text: 'forever', sendAt: t0, recurrence: { recurrenceType: 'DAILY' } });

  clock.t = t0;
  assert.equal(await s.runDue(), 3);
  assert.equal((await s.get(member, daily.id)).sendAt, t0 + DAY);
  assert.equal((await s.get(member, weekly.id)).sendAt, t0 + 7 * DAY);
  assert.equal((await s.get(member, forever.id)).sendAt, t0 + DAY);

  clock.t = t0 + DAY;
  assert.equal(await s.runDue(), 2, 'daily twice');
  // Editing does not extend a series: its count goes on (2 of 3 are behind it).
  await rejectsWith(
    s.update(member, daily.id, { channelId: general.id, text: 'daily', sendAt: t0 + 2 * DAY, recurrence: { recurrenceType: 'DAILY', endAfterOccurrences: 2 } }),
    'invalid',
    'recurrence.endAfterOccurrences',
  );
  clock.t = t0 + 2 * DAY;
  assert.equal(await s.runDue(), 2);
  await rejectsWith(s.get(member, daily.id), 'not_found', undefined);

  // The server was down for three and a half days: one post, then the first occurrence after now.
  clock.t = t0 + 5 * DAY + 12 * 3_600_000;
  env.published.length = 0;
  assert.equal(await s.runDue(), 1, 'only "forever": weekly is due at day 7');
  assert.equal((await s.get(member, forever.id)).sendAt, t0 + 6 * DAY);

  clock.t = t0 + 7 * DAY;
  assert.equal(await s.runDue(), 2, 'weekly and forever');
  await rejectsWith(s.get(member, weekly.id), 'not_found', undefined);
  const texts = (await history(env, general.id)).map((m) => m.text);
  assert.deepEqual(
    [texts.filter((x) => x === 'daily').length, texts.filter((x) => x === 'weekly').length, texts.filter((x) => x === 'forever').length],
    [3, 2, 5],
  );
});

onEachEngine('a message that can no longer be posted is dropped, not retried', async (env) => {
  const s = env.scheduled();
  const { member, owner, general, clock } = env;
  const at = clock.t + 1000;
  const priv = (await env.core.channels.create(owner, { name: 'private', type: 'PRIVATE' })).channel;
  await env.core.channels.addMembers(owner, priv.id, [member.id]);
  const arch = (await env.core.channels.create(owner, { name: 'to-archive' })).channel;
  const root = await env.core.messages.post(owner, general.id, { text: 'root' });

  const left = await s.create(member, { channelId: priv.id, text: 'after leaving', sendAt: at, recurrence: { recurrenceType: 'DAILY' } });
  const archived = await s.create(owner, { channelId: arch.id, text: 'archived', sendAt: at });
  const orphan = await s.create(owner, { channelId: general.id, text: 'orphan', sendAt: at, threadRootId: root.id });
  await env.core.channels.removeMember(owner, priv.id, member.id);
  await env.core.channels.archive(owner, arch.id);
  await env.core.messages.delete(owner, general.id, root.id);

  clock.t = at;
  const report = await s.runDueReport();
  assert.equal(report.posted, 0);
  assert.deepEqual(report.dropped.map((d) => d.id).sort(), [left.id, archived.id, orphan.id].sort());
  assert.ok(report.dropped.every((d) => d.reason.length > 0));
  assert.deepEqual((await s.list(member, {})).scheduledMessages, []);
  assert.deepEqual((await s.list(owner, {})).scheduledMessages, []);

  // A deactivated author: their series ends.
  const gone = await s.create(member, { channelId: general.id, text: 'from a former user', sendAt: at + 1000, recurrence: { recurrenceType: 'DAILY' } });
  await env.core.accounts.setStatus(owner, member.id, 'DEACTIVATED');
  clock.t = at + 1000;
  const r2 = await s.runDueReport();
  assert.deepEqual([r2.posted, r2.dropped.map((d) => [d.id, d.reason])], [0, [[gone.id, 'the author is deactivated']]]);
  assert.equal(await env.sstore.get(gone.id), undefined);
  assert.ok(!(await history(env, general.id)).some((m) => m.text === 'from a former user'));
});

onEachEngine('an unexpected failure rolls the post back, is retried later, and is given up after MAX_ATTEMPTS', async (env) => {
  const { member, general, clock } = env;
  let failures = 0;
  let failAfterInsert = false;
  class Flaky extends Messages {
    override async post(actor: User, channelId: string, input: PostInput): Promise<Message> {
      if (failures > 0) {
        failures -= 1;
        if (!failAfterInsert) throw new Error('connection reset');
        await super.post(actor, channelId, input);
        throw new Error('failed after the insert');
      }
      return super.post(actor, channelId, input);
    }
  }
  const s = env.scheduled({ messagesFor: (ctx) => new Flaky(ctx) });
  const t0 = clock.t + 1000;
  const m = await s.create(member, { channelId: general.id, text: 'flaky', sendAt: t0 });

  clock.t = t0;
  failures = 1;
  failAfterInsert = true;
  env.published.length = 0;
  await env.handle.db.deleteFrom('domain_events').execute();
  const r1 = await s.runDueReport();
  assert.deepEqual([r1.posted, r1.failed.map((f) => [f.id, f.attempt, f.gaveUp])], [0, [[m.id, 1, false]]]);
  assert.deepEqual(await history(env, general.id), [], 'the message written before the failure was rolled back');
  assert.equal((await env.handle.db.selectFrom('domain_events').selectAll().execute()).length, 0, 'and so were its events');
  assert.deepEqual(env.published, [], 'and nobody heard of it');
  const stored = (await env.sstore.get(m.id))!;
  assert.deepEqual([stored.sendAt, stored.dueAt, stored.failures], [t0, t0 + retryDelayMs(1), 1]);
  assert.equal(await s.runDue(), 0, 'not again before its back-off');

  clock.t = t0 + retryDelayMs(1);
  assert.equal(await s.runDue(), 1);
  assert.deepEqual((await history(env, general.id)).map((x) => x.text), ['flaky']);

  // Failing every time: given up after MAX_ATTEMPTS; a recurring series moves to its next occurrence.
  const t1 = clock.t + 1000;
  const daily = await s.create(member, { channelId: general.id, text: 'never', sendAt: t1, recurrence: { recurrenceType: 'DAILY' } });
  failures = 1000;
  failAfterInsert = false;
  clock.t = t1;
  for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
    const r = await s.runDueReport();
    assert.deepEqual(r.failed.map((f) => [f.attempt, f.gaveUp]), [[attempt, attempt === MAX_ATTEMPTS]]);
    clock.t += retryDelayMs(attempt);
  }
  const after = (await env.sstore.get(daily.id))!;
  assert.deepEqual([after.sendAt, after.failures, after.occurrencesDone], [t1 + DAY, 0, 1]);
  assert.equal(await s.runDue(), 0);
});

onEachEngine('runners racing over the same rows post each occurrence exactly once', async (env) => {
  const { member, general, clock } = env;
  const t0 = clock.t + 1000;
  const s = env.scheduled();
  const N = 40;
  for (let i = 0; i < N; i++) {
    await s.create(member, {
      channelId: general.id,
      text: `m${i}`,
      sendAt: t0 + (i % 5),
      ...(i % 2 === 0 && { recurrence: { recurrenceType: 'DAILY' as const } }),
    });
  }
  const other = await env.otherNode();
  const runners = [s, env.scheduled(), other.scheduled(), other.scheduled()];
  clock.t = t0 + 10;
  const counts = await Promise.all(runners.map((r) => r.runDue(7)));
  let total = counts.reduce((a, b) => a + b, 0);
  // Some runners may stop at their limit before the others are done: drain.
  total += await s.runDue(N);
  assert.equal(total, N);
  const texts = (await history(env, general.id)).map((m) => m.text);
  assert.equal(texts.length, N);
  assert.equal(new Set(texts).size, N, 'no duplicates');
  const remaining = (await s.list(member, { limit: 100 })).scheduledMessages;
  assert.equal(remaining.length, N / 2, 'the recurring half moved on');
  assert.ok(remaining.every((m) => m.sendAt >= t0 + DAY));

  // Again with the recurring half due tomorrow, all runners at once with room to spare.
  clock.t = t0 + DAY + 10;
  const again = await Promise.all(runners.map((r) => r.runDue(100)));
  assert.equal(again.reduce((a, b) => a + b, 0), N / 2);
});

// ---- recurrence arithmetic ----------------------------------------------------------------------------

test('recurrence: days, weekdays, weeks, months (clamped), years (Feb 29), in UTC', () => {
  const utc = (s: string) => Date.parse(s);
  const iso = (t: number) => new Date(t).toISOString();
  const anchor = utc('2030-01-31T09:15:30.250Z'); // a Thursday
  assert.equal(iso(nextOccurrence('DAILY', anchor, anchor)), '2030-02-01T09:15:30.250Z');
  assert.equal(iso(nextOccurrence('WEEKLY', anchor, anchor)), '2030-02-07T09:15:30.250Z');
  assert.equal(iso(nextOccurrence('WEEKDAYS', anchor, anchor)), '2030-02-01T09:15:30.250Z');
  assert.equal(iso(nextOccurrence('WEEKDAYS', anchor, utc('2030-02-01T09:15:30.250Z'))), '2030-02-04T09:15:30.250Z', 'Friday → Monday');
  assert.equal(iso(nextOccurrence('WEEKDAYS', utc('2030-02-02T08:00:00Z'), utc('2030-02-02T08:00:00Z'))), '2030-02-04T08:00:00.000Z', 'Saturday → Monday');
  let t = anchor;
  const months: string[] = [];
  for (let i = 0; i < 4; i++) months.push(iso((t = nextOccurrence('MONTHLY', anchor, t))));
  assert.deepEqual(months, ['2030-02-28T09:15:30.250Z', '2030-03-31T09:15:30.250Z', '2030-04-30T09:15:30.250Z', '2030-05-31T09:15:30.250Z']);
  assert.equal(iso(nextOccurrence('MONTHLY', utc('2030-12-15T00:00:00Z'), utc('2030-12-15T00:00:00Z'))), '2031-01-15T00:00:00.000Z');
  const leap = utc('2028-02-29T12:00:00Z');
  const years: string[] = [];
  t = leap;
  for (let i = 0; i < 4; i++) years.push(iso((t = nextOccurrence('YEARLY', leap, t))));
  assert.deepEqual(years, ['2029-02-28T12:00:00.000Z', '2030-02-28T12:00:00.000Z', '2031-02-28T12:00:00.000Z', '2032-02-29T12:00:00.000Z']);
});

test('recurrence keeps the local time of day in the author\'s time zone across DST; unknown zones are UTC', () => {
  const iso = (t: number) => new Date(t).toISOString();
  const ny = 'America/New_York';
  // 2030-03-10: US clocks go from 02:00 EST to 03:00 EDT.
  const nine = Date.parse('2030-03-09T14:00:00Z'); // 09:00 EST
  assert.equal(iso(nextOccurrence('DAILY', nine, nine, ny)), '2030-03-10T13:00:00.000Z', '09:00 EDT');
  const gap = Date.parse('2030-03-09T07:30:00Z'); // 02:30 EST; 02:30 does not exist on the 10th
  assert.equal(iso(nextOccurrence('DAILY', gap, gap, ny)), '2030-03-10T07:30:00.000Z', '03:30 EDT: moved forward by the gap');
  assert.equal(iso(nextOccurrence('DAILY', gap, Date.parse('2030-03-10T07:30:00Z'), ny)), '2030-03-11T06:30:00.000Z', 'back to 02:30, now EDT');
  // 2030-11-03: 02:00 EDT → 01:00 EST; 01:30 happens twice, the earlier is taken.
  const early = Date.parse('2030-11-02T05:30:00Z'); // 01:30 EDT
  assert.equal(iso(nextOccurrence('DAILY', early, early, ny)), '2030-11-03T05:30:00.000Z');
  assert.equal(iso(nextOccurrence('DAILY', early, Date.parse('2030-11-03T05:30:00Z'), ny)), '2030-11-04T06:30:00.000Z');
  // Week-based in a zone east of UTC: Friday 08:00 in Tokyo is Thursday 23:00 UTC.
  const tokyoFriday = Date.parse('2030-02-07T23:00:00Z');
  assert.equal(iso(nextOccurrence('WEEKDAYS', tokyoFriday, tokyoFriday, 'Asia/Tokyo')), '2030-02-10T23:00:00.000Z', 'Monday 08:00 in Tokyo');
  const utcNine = Date.parse('2030-03-09T09:00:00Z');
  assert.equal(iso(nextOccurrence('DAILY', utcNine, utcNine, 'Not/AZone')), '2030-03-10T09:00:00.000Z');
});

test('planNext: counts occurrences, stops at endDate, skips missed occurrences', () => {
  const t0 = Date.parse('2030-01-01T10:00:00Z');
  const base = { anchorAt: t0, sendAt: t0, occurrencesDone: 0 };
  assert.equal(planNext({ ...base, recurrence: null }, 'UTC', t0), null, 'a one-off ends');
  assert.deepEqual(planNext({ ...base, recurrence: { recurrenceType: 'DAILY' } }, 'UTC', t0), { sendAt: t0 + DAY, occurrencesDone: 1 });
  assert.equal(planNext({ ...base, recurrence: { recurrenceType: 'DAILY', endAfterOccurrences: 1 } }, 'UTC', t0), null);
  assert.deepEqual(planNext({ ...base, recurrence: { recurrenceType: 'DAILY', endAfterOccurrences: 2 } }, 'UTC', t0), { sendAt: t0 + DAY, occurrencesDone: 1 });
  assert.equal(planNext({ ...base, recurrence: { recurrenceType: 'DAILY', endDate: t0 + DAY - 1 } }, 'UTC', t0), null);
  assert.deepEqual(planNext({ ...base, recurrence: { recurrenceType: 'DAILY', endDate: t0 + DAY } }, 'UTC', t0), { sendAt: t0 + DAY, occurrencesDone: 1 });
  assert.deepEqual(planNext({ ...base, recurrence: { recurrenceType: 'DAILY' } }, 'UTC', t0 + 3 * DAY + 1), { sendAt: t0 + 4 * DAY, occurrencesDone: 4 });
  assert.equal(planNext({ ...base, recurrence: { recurrenceType: 'DAILY', endAfterOccurrences: 3 } }, 'UTC', t0 + 3 * DAY + 1), null, 'missed ones count');
});

// ---- the sender loop --------------------------------------------------------------------------------------

test('ScheduledSender: runs at start and when woken, never overlapping; stop waits for the run in flight', async () => {
  const empty = (): RunReport => ({ handled: 0, posted: 0, dropped: [], failed: [] });
  let calls = 0;
  let release: (() => void) | undefined;
  const runs: Array<Promise<void>> = [];
  const stub = {
    async runDueReport(): Promise<RunReport> {
      calls += 1;
      const gate = new Promise<void>((r) => (release = r));
      runs.push(gate);
      await gate;
      return calls === 1 ? { ...empty(), handled: 1, dropped: [{ id: 'x', authorId: 'u', channelId: 'c', reason: 'gone' }] } : empty();
    },
  };
  const warnings: unknown[] = [];
  const sender = new ScheduledSender(stub, { log: { warn: (o: unknown) => void warnings.push(o), error: () => {} }, pollMs: 60_000 });
  sender.start();
  await new Promise((r) => setImmediate(r));
  assert.equal(calls, 1);
  sender.wake();
  sender.wake();
  assert.equal(calls, 1, 'no overlap');
  release!();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(calls, 2, 'the wake-ups during the run: one more round');
  let stopped = false;
  const stopping = sender.stop().then(() => (stopped = true));
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(stopped, false, 'stop waits for the run in flight');
  release!();
  await stopping;
  assert.equal(calls, 2);
  sender.wake();
  await new Promise((r) => setTimeout(r, 5));
  assert.equal(calls, 2, 'nothing after stop');
  assert.equal(warnings.length, 1, 'drops are logged');
});

test('ScheduledSender posts due messages on its poll', async (t) => {
  const env = (await openEnv(t, 'sqlite'))!;
  try {
    const s = env.scheduled();
    const m = await s.create(env.member, { channelId: env.general.id, text: 'on time', sendAt: env.clock.t + 1000 });
    const sender = new ScheduledSender(s, { log: { warn: () => {}, error: () => {} }, pollMs: 10 });
    sender.start();
    await new Promise((r) => setTimeout(r, 30));
    assert.deepEqual(await history(env, env.general.id), [], 'not before its time');
    env.clock.t += 1000;
    for (let i = 0; i < 200 && (await env.sstore.get(m.id)); i++) await new Promise((r) => setTimeout(r, 10));
    await sender.stop();
    assert.deepEqual((await history(env, env.general.id)).map((x) => x.text), ['on time']);
  } finally {
    await env.close();
  }
});

// ---- HTTP ----------------------------------------------------------------------------------------------------

test('/v1/messages/scheduled: the wire shape, scopes and errors', async () => {
  const server = await startTestServer();
  try {
    const member = await createUser(server.owner, 'MEMBER');
    const general = server.generalId;
    const paths = Object.keys((await member.get('/openapi.json')).body.paths);
    assert.ok(paths.includes('/v1/messages/scheduled') && paths.includes('/v1/messages/scheduled/{id}'));

    const call = async (method: 'GET' | 'POST' | 'PUT' | 'DELETE', url: string, body?: unknown, as: Client = member) => {
      const r = await http(server.url, method, url, { headers: { authorization: `Bearer ${as.token}` }, ...(body !== undefined && { body }) });
      return { status: r.status, body: r.body };
    };
    const sendAt = Date.now() + 3_600_000;

    const created = await call('POST', '/v1/messages/scheduled', { channelId: general, text: 'hi', sendAt, recurrence: { recurrenceType: 'WEEKLY', endAfterOccurrences: 4 } });
    assert.equal(created.status, 200, JSON.stringify(created.body));
    assert.deepEqual(created.body, {
      id: created.body.id,
      workspaceId: member.workspaceId,
      channelId: general,
      author: member.userId,
      text: 'hi',
      files: [],
      sendAt,
      recurrence: { recurrenceType: 'WEEKLY', endAfterOccurrences: 4 },
    });
    const id = created.body.id as string;
    assert.deepEqual((await call('GET', `/v1/messages/scheduled/${id}`)).body, created.body);
    assert.equal((await call('GET', `/v1/messages/scheduled/${id}`, undefined, server.owner)).status, 404);
    const list = await call('GET', `/v1/messages/scheduled?channelId=${general}&limit=10`);
    assert.deepEqual(list.body, { scheduledMessages: [created.body], hasMore: false });

    const put = await call('PUT', `/v1/messages/scheduled/${id}`, { channelId: general, text: 'changed', sendAt: sendAt + 1000, recurrence: null });
    assert.equal(put.status, 200);
    assert.deepEqual([put.body.text, put.body.sendAt, put.body.recurrence], ['changed', sendAt + 1000, undefined]);
    const att = await call('PUT', `/v1/messages/scheduled/${id}/attachments`, { attachments: [{ text: 'a' }] });
    assert.deepEqual(att.body.attachments, [{ text: 'a' }]);

    const past = await call('POST', '/v1/messages/scheduled', { channelId: general, text: 'hi', sendAt: Date.now() - 1 });
    assert.deepEqual([past.status, past.body.field], [400, 'sendAt']);
    const badType = await call('POST', '/v1/messages/scheduled', { channelId: general, text: 'hi', sendAt, recurrence: { recurrenceType: 'HOURLY' } });
    assert.equal(badType.status, 400);
    const noTime = await call('POST', '/v1/messages/scheduled', { channelId: general, text: 'hi' });
    assert.deepEqual([noTime.status, noTime.body.field], [400, 'sendAt']);

    const del = await call('DELETE', `/v1/messages/scheduled/${id}`);
    assert.deepEqual([del.status, del.body], [200, undefined]);
    assert.equal((await call('GET', `/v1/messages/scheduled/${id}`)).status, 404);
    assert.equal((await call('DELETE', `/v1/messages/scheduled/${id}`)).status, 404);
    assert.equal((await http(server.url, 'GET', '/v1/messages/scheduled')).status, 401);
  } finally {
    await server.close();
  }
});
