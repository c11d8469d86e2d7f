/**
 * Exhaustive event tables (issue #12 item 4): every surface's table names every domain event type,
 * with `null` where that surface sends nothing. One sample event of each type goes through every
 * table. `SAMPLES` is typed over the union, so adding an event type fails to compile here too.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DURABLE, isDurable, type DomainEvent, type DomainEventType, type EventOf, type EventTable } from '../../src/domain/events.js';
import type { Channel, Message, User, UserGroup } from '../../src/domain/model.js';
import type { InteractionLoad, View } from '../../src/domain/ports/views.js';
import { appEventCopies } from '../../src/domain/apps/app-event-routing.js';
import { APP_EVENTS, renderAppEvent } from '../../src/surfaces/pumble/app-events.js';
import { isEventName } from '../../src/domain/apps/catalog.js';
import { EventReader, planOutgoingCalls } from '../../src/domain/integrations/outgoing-events.js';
import { OUTGOING_OCCURRENCES } from '../../src/surfaces/rocketchat/outgoing/occurrences.js';
import { rocketChatOutgoing } from '../../src/surfaces/rocketchat/outgoing/index.js';
import { isOutgoingEvent } from '../../src/domain/integrations/outgoing-match.js';
import { FRAMES, renderFrame } from '../../src/surfaces/pumble/v1/realtime-frames.js';

const W = 'w1';
const AT = Date.UTC(2024, 0, 2, 3, 4, 5);

const user: User = {
  id: 'u1',
  workspaceId: W,
  email: 'u1@example.com',
  name: 'User One',
  role: 'MEMBER',
  status: 'ACTIVATED',
  isBot: false,
  title: '',
  timeZone: 'UTC',
  locale: null,
  customStatus: null,
  username: 'user.one',
  extraRoles: [],
  createdAt: AT,
  updatedAt: AT,
};
const channel: Channel = {
  id: 'c1',
  workspaceId: W,
  type: 'PUBLIC',
  name: 'general',
  description: '',
  isArchived: false,
  isMain: false,
  createdBy: 'u1',
  createdAt: AT,
  updatedAt: AT,
};
const message: Message = {
  id: 'm1',
  workspaceId: W,
  channelId: 'c1',
  authorId: 'u1',
  text: 'hello',
  postedText: null,
  blocks: null,
  attachments: null,
  threadRootId: null,
  sentToChannel: false,
  replyCount: 0,
  lastReplyAt: null,
  repliers: [],
  edited: false,
  deleted: false,
  createdAt: AT,
  updatedAt: AT,
  reactions: [],
  alias: null,
  avatar: null,
  emoji: null,
  bot: null,
};
const group: UserGroup = {
  id: 'g1',
  workspaceId: W,
  name: 'Team',
  handle: 'team',
  description: '',
  disabled: false,
  createdBy: 'u1',
  createdAt: AT,
  updatedAt: AT,
  memberIds: ['u1'],
};

const modal: View = {
  id: 'v1',
  workspaceId: W,
  appId: 'a1',
  userId: 'u1',
  type: 'MODAL',
  stackParentId: null,
  depth: 1,
  callbackId: 'cb',
  notifyOnClose: true,
  channelId: 'c1',
  threadRootId: null,
  source: 'app',
  document: { title: { type: 'plain_text', text: 'T' }, blocks: [], privateKey: 'secret' },
  state: { values: {} },
  version: 1,
  createdAt: AT,
  updatedAt: AT,
};
const load: InteractionLoad = {
  triggerId: 't1',
  appId: 'a1',
  workspaceId: W,
  userId: 'u1',
  channelId: 'c1',
  blockId: null,
  sourceType: 'MESSAGE',
  sourceId: 'm1',
  onAction: 'go',
  startedAt: AT,
  endsAt: AT + 5000,
  completeUntil: AT + 60_000,
  completedAt: null,
  completedBy: null,
};

/** One event of every type: a missing or extra key does not compile. */
const SAMPLES: { [K in DomainEventType]: EventOf<K> } = {
  'message.created': { type: 'message.created', message },
  'message.updated': { type: 'message.updated', message: { ...message, edited: true }, cause: 'edit' },
  'message.deleted': { type: 'message.deleted', channelId: 'c1', messageId: 'm1', threadRootId: null, authorId: 'u1', at: AT },
  'message.ephemeral': { type: 'message.ephemeral', message, forApps: { recipients: ['u1'] } },
  'message.ephemeral_updated': { type: 'message.ephemeral_updated', message },
  'message.ephemeral_deleted': { type: 'message.ephemeral_deleted', channelId: 'c1', messageId: 'm1' },
  'reaction.added': { type: 'reaction.added', channelId: 'c1', messageId: 'm1', messageAuthorId: 'u1', userId: 'u1', code: ':tada:' },
  'reaction.removed': { type: 'reaction.removed', channelId: 'c1', messageId: 'm1', messageAuthorId: 'u1', userId: 'u1', code: ':tada:' },
  'channel.created': { type: 'channel.created', channel },
  'channel.updated': { type: 'channel.updated', channel },
  'channel.archived': { type: 'channel.archived', channel: { ...channel, isArchived: true }, actorId: 'u1' },
  'channel.unarchived': { type: 'channel.unarchived', channel, actorId: 'u1' },
  'channel.deleted': { type: 'channel.deleted', channel, memberIds: ['u1'], actorId: 'u1' },
  'member.joined': { type: 'member.joined', channelId: 'c1', userIds: ['u1'], addedBy: null },
  'member.left': { type: 'member.left', channelId: 'c1', userId: 'u1', removedBy: null },
  'user.created': { type: 'user.created', userId: 'u1', user },
  'user.updated': { type: 'user.updated', userId: 'u1', user, changedBy: 'u1' },
  'app.uninstalled': { type: 'app.uninstalled', appId: 'a1', installationId: 'i1', installedBy: 'u1', botUserId: null, at: AT },
  'app.unauthorized': { type: 'app.unauthorized', appId: 'a1', installationId: 'i1', authorizationId: 'z1', userId: 'u1', grantedScopes: [] },
  'user.sessions_revoked': { type: 'user.sessions_revoked', userId: 'u1' },
  'app.sockets_revoked': { type: 'app.sockets_revoked', appId: 'a1', socketIds: ['s1'], reason: 'secrets_rotated' },
  'user_group.created': { type: 'user_group.created', group, actorId: 'u1' },
  'user_group.updated': { type: 'user_group.updated', group, actorId: 'u1' },
  'view.opened': { type: 'view.opened', view: modal },
  'view.pushed': { type: 'view.pushed', view: { ...modal, depth: 2, stackParentId: 'v0' } },
  'view.updated': { type: 'view.updated', view: { ...modal, version: 2 } },
  'view.closed': { type: 'view.closed', viewId: 'v1', appId: 'a1', userId: 'u1', viewType: 'MODAL', reason: 'closed' },
  'view.error': { type: 'view.error', viewId: 'v1', appId: 'a1', userId: 'u1', message: 'Nope' },
  'interaction.loading': { type: 'interaction.loading', load },
  'interaction.completed': { type: 'interaction.completed', load: { ...load, completedAt: AT + 10, completedBy: 'app' }, by: 'app' },
  'channel.read': { type: 'channel.read', channelId: 'c1', userId: 'u1', lastReadMessageId: 'm1' },
  'user.typing': { type: 'user.typing', channelId: 'c1', userId: 'u2', threadRootId: null },
  'message.pinned': { type: 'message.pinned', pin: { channelId: 'c1', messageId: 'm1', pinnedBy: 'u1', pinnedAt: AT, message } },
  'message.unpinned': { type: 'message.unpinned', channelId: 'c1', messageId: 'm1', userId: null },
  'message.saved': { type: 'message.saved', channelId: 'c1', messageId: 'm1', savedAt: AT },
  'message.unsaved': { type: 'message.unsaved', channelId: 'c1', messageId: 'm1' },
  'user.presence': { type: 'user.presence', online: ['u1'], offline: ['u2'] },
  'workspace.updated': { type: 'workspace.updated', workspace: { id: W, name: 'Acme', locale: 'en', createdAt: AT, messageRetentionDays: null } },
  'notification_level.updated': { type: 'notification_level.updated', channelId: 'c1', level: 'nothing', isDefault: false },
};
const TYPES = Object.keys(SAMPLES).sort() as DomainEventType[];
const samples = (): DomainEvent[] => TYPES.map((t) => SAMPLES[t]);

/** The documented "not sent" types of each table. */
const NOT_SENT = {
  frames: ['app.sockets_revoked', 'app.unauthorized', 'app.uninstalled', 'user.sessions_revoked', 'user_group.created', 'user_group.updated'],
  appEvents: [
    'app.sockets_revoked',
    'channel.read',
    'channel.updated',
    'interaction.completed',
    'interaction.loading',
    'message.ephemeral_deleted',
    'message.ephemeral_updated',
    'message.pinned',
    'message.saved',
    'message.unpinned',
    'message.unsaved',
    'user.sessions_revoked',
    'user.typing',
    'user.presence',
    'workspace.updated',
    'notification_level.updated',
    'view.closed',
    'view.error',
    'view.opened',
    'view.pushed',
    'view.updated',
  ],
  outgoing: [
    'app.sockets_revoked',
    'app.unauthorized',
    'app.uninstalled',
    'channel.deleted',
    'channel.unarchived',
    'channel.updated',
    'message.deleted',
    'message.ephemeral',
    'message.ephemeral_deleted',
    'message.ephemeral_updated',
    'message.pinned',
    'message.saved',
    'message.unpinned',
    'message.unsaved',
    'reaction.added',
    'reaction.removed',
    'user.sessions_revoked',
    'user.updated',
    'user_group.created',
    'user_group.updated',
    'view.closed',
    'view.error',
    'view.opened',
    'view.pushed',
    'view.updated',
    'interaction.completed',
    'interaction.loading',
    'channel.read',
    'user.typing',
    'user.presence',
    'workspace.updated',
    'notification_level.updated',
  ],
  durable: [
    'app.sockets_revoked',
    'channel.read',
    'interaction.completed',
    'interaction.loading',
    'message.ephemeral_deleted',
    'message.ephemeral_updated',
    'message.pinned',
    'message.saved',
    'message.unpinned',
    'message.unsaved',
    'user.sessions_revoked',
    'user.typing',
    'user.presence',
    'workspace.updated',
    'notification_level.updated',
    'view.closed',
    'view.error',
    'view.opened',
    'view.pushed',
    'view.updated',
  ],
} satisfies Record<string, DomainEventType[]>;

const TABLES: Array<[keyof typeof NOT_SENT, EventTable<unknown, any[]>]> = [
  ['frames', FRAMES],
  ['appEvents', APP_EVENTS],
  ['outgoing', OUTGOING_OCCURRENCES],
  ['durable', DURABLE],
];

/** Stored as the outbox keeps it. */
const stored = (event: DomainEvent) => ({ id: `e-${event.type}`, workspaceId: W, type: event.type, event, requestId: 'r1', createdAt: AT });

/** Just what the renderers read, answering from the samples above; anything else fails the test. */
const fakeStore = new Proxy(
  {
    message: async () => undefined,
    memberIds: async () => ['u1'],
    channel: async (_w: string, id: string) => (id === channel.id ? channel : undefined),
    user: async (_w: string, id: string) => (id === user.id ? user : undefined),
    users: async () => [user],
  } as Record<string, unknown>,
  {
    get(target, key) {
      if (typeof key === 'string' && !(key in target)) throw new Error(`the renderer read store.${key}`);
      return target[key as string];
    },
  },
) as unknown as Parameters<typeof appEventCopies>[0];

test('every table names exactly the domain event types, with the documented nulls', () => {
  for (const [name, table] of TABLES) {
    assert.deepEqual(Object.keys(table).sort(), TYPES, `${name}: keys`);
    const nulls = TYPES.filter((t) => table[t] === null);
    assert.deepEqual(nulls, [...NOT_SENT[name]].sort(), `${name}: null entries`);
    for (const t of TYPES) if (table[t] !== null) assert.equal(typeof table[t], 'function', `${name}: ${t}`);
  }
});

test('/v1 realtime frames: a JSON frame carrying the event type, or nothing for null types', () => {
  for (const e of samples()) {
    const frame = renderFrame({ workspaceId: W, audience: ['u1'], event: e });
    if (FRAMES[e.type] === null) {
      assert.equal(frame, undefined, e.type);
      continue;
    }
    assert.ok(frame, e.type);
    const parsed = JSON.parse(frame) as Record<string, unknown>;
    assert.equal(parsed.type, e.type);
    assert.equal(parsed.workspaceId, W);
  }
});

test('app events: a catalogue event with its body for non-null types, no copy for null ones', async () => {
  for (const e of samples()) {
    const render = APP_EVENTS[e.type] as ((e: DomainEvent, ctx: unknown) => Promise<unknown>) | null;
    if (render === null) {
      // Not rendered, so nothing else is read: no store call happens at all.
      assert.deepEqual(await appEventCopies(fakeStore, stored(e), renderAppEvent), [], e.type);
      continue;
    }
    const rendered = (await render(e, { tx: fakeStore, rid: 'r1', wId: W, at: AT })) as
      | { name: string; visibility: { kind: string }; body: Record<string, unknown> }
      | undefined;
    assert.ok(rendered, e.type);
    assert.ok(isEventName(rendered.name), `${e.type}: ${rendered.name}`);
    assert.ok(['channel', 'workspace', 'users', 'app'].includes(rendered.visibility.kind), e.type);
    if (rendered.name.startsWith('APP_')) assert.equal(rendered.body.app, 'a1', e.type);
    else assert.deepEqual([rendered.body.ty, rendered.body.rid, rendered.body.wId], [rendered.name, 'r1', W], e.type);
  }
});

test('app events: the events of a sent type apps do not get render to nothing', async () => {
  const ctx = { tx: fakeStore, rid: 'r1', wId: W, at: AT };
  const thread: EventOf<'message.updated'> = { ...SAMPLES['message.updated'], cause: 'thread' };
  const notForApps: EventOf<'message.ephemeral'> = { type: 'message.ephemeral', message };
  const bot: EventOf<'user.created'> = { ...SAMPLES['user.created'], user: { ...user, isBot: true } };
  assert.equal(await APP_EVENTS['message.updated']?.(thread, ctx), undefined);
  assert.equal(await APP_EVENTS['message.ephemeral']?.(notForApps, ctx), undefined);
  assert.equal(await APP_EVENTS['user.created']?.(bot, ctx), undefined);
});

test('outgoing webhooks: Rocket.Chat events that match and carry data, none for null types', async () => {
  for (const e of samples()) {
    const occur = OUTGOING_OCCURRENCES[e.type] as ((e: DomainEvent, r: EventReader) => Array<Record<string, unknown>>) | null;
    if (occur === null) {
      // No occurrence, so no integration is even looked up.
      assert.deepEqual(await planOutgoingCalls(fakeStore, stored(e), 'https://chat.example.com', rocketChatOutgoing), [], e.type);
      continue;
    }
    const occurrences = occur(e, new EventReader(fakeStore, W)) as Array<{
      event: string;
      match: () => Promise<{ event: string } | undefined>;
      data: () => Promise<{ event: string } | undefined>;
    }>;
    assert.ok(occurrences.length > 0, e.type);
    for (const o of occurrences) {
      assert.ok(isOutgoingEvent(o.event), `${e.type}: ${o.event}`);
      assert.equal((await o.match())?.event, o.event, e.type);
      assert.equal((await o.data())?.event, o.event, e.type);
    }
  }
});

test('view frames: the one person sees the view as drawn, never the app\'s private keys; loads carry endsAt', () => {
  const frame = (e: DomainEvent) => JSON.parse(renderFrame({ workspaceId: W, audience: ['u1'], event: e })!) as Record<string, any>;
  const opened = frame(SAMPLES['view.opened']);
  assert.equal(opened.view.id, 'v1');
  assert.equal(opened.view.depth, 1);
  assert.equal(opened.view.privateKey, undefined, 'app metadata stays on the server');
  assert.equal(frame(SAMPLES['view.pushed']).view.parentViewId, 'v0');
  assert.equal(frame(SAMPLES['view.updated']).view.version, 2);
  assert.equal(frame(SAMPLES['view.closed']).reason, 'closed');
  assert.equal(frame(SAMPLES['interaction.loading']).endsAt, AT + 5000);
  assert.equal(frame(SAMPLES['interaction.completed']).by, 'app');
});

test('durability: through the outbox unless the table says null (or an ephemeral message is not for apps)', () => {
  for (const e of samples()) assert.equal(isDurable(e), !NOT_SENT.durable.includes(e.type as never), e.type);
  assert.equal(isDurable({ type: 'message.ephemeral', message }), false);
});
