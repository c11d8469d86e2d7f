import { Type, type TSchema } from 'typebox';

/**
 * Request and response schemas of the addon's API (docs/api-keys.md §5). The server validates
 * with them and the addon's OpenAPI 3.0 document is built from them, so the two cannot drift.
 * OpenAPI 3.0 has no `const` or type arrays: enums are plain `enum`s, nothing is nullable.
 */

export const StringEnum = <T extends string>(values: readonly T[], opts: Record<string, unknown> = {}) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], ...opts });

const open = (props: Record<string, TSchema>, description?: string) =>
  Type.Object(props, { additionalProperties: true, ...(description && { description }) });

const Id = Type.String({ minLength: 1, maxLength: 64, description: 'an id (24 hex characters)' });
const Text = Type.String({ minLength: 1, maxLength: 100_000 });
const Blocks = Type.Array(Type.Object({}, { additionalProperties: true }), { description: 'Block Kit blocks (docs/pumble-api.md §12.7)' });

/** `channelId` or `channel` (a name, with or without `#`); channelId wins (§5.2). */
const ChannelSelector = {
  channelId: Type.Optional(Id),
  channel: Type.Optional(Type.String({ minLength: 1, maxLength: 81, description: 'channel name, with or without #' })),
};
const AsBot = Type.Optional(Type.Boolean({ description: 'post as the API addon bot instead of the key owner' }));

export const Message = open(
  {
    id: Type.String(),
    channelId: Type.String(),
    workspaceId: Type.String(),
    author: Type.String(),
    authorAppId: Type.Optional(Type.String()),
    text: Type.String(),
    blocks: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    attachments: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
    files: Type.Array(Type.Object({}, { additionalProperties: true })),
    reactions: Type.Array(Type.Object({ user: Type.String(), code: Type.String() })),
    threadRootInfo: Type.Optional(Type.Object({ replyCount: Type.Optional(Type.Number()), lastReplyTimestampMilli: Type.Optional(Type.Number()) })),
    threadReplyInfo: Type.Optional(Type.Object({ rootId: Type.Optional(Type.String()), replySentToChannel: Type.Optional(Type.Boolean()) })),
    deleted: Type.Boolean(),
    edited: Type.Boolean(),
    timestamp: Type.String({ description: 'ISO 8601' }),
    timestampMilli: Type.Number(),
  },
  'A message',
);

export const Channel = open({
  id: Type.String(),
  workspaceId: Type.String(),
  channelType: StringEnum(['PUBLIC', 'PRIVATE', 'DIRECT', 'SELF']),
  name: Type.String({ description: "a DM's other participants, the SELF channel's owner" }),
  description: Type.String(),
  isMember: Type.Boolean(),
  isArchived: Type.Boolean(),
  creatorId: Type.Optional(Type.String()),
  timestamp: Type.String(),
  timestampMilli: Type.Number(),
});

export const User = open({
  id: Type.String(),
  email: Type.String(),
  name: Type.String(),
  title: Type.String(),
  role: StringEnum(['OWNER', 'ADMIN', 'MEMBER', 'GUEST']),
  status: StringEnum(['ACTIVATED', 'DEACTIVATED', 'INVITED']),
  workspaceId: Type.String(),
  avatar: Type.Object({ fullPath: Type.String(), scaledPath: Type.String() }),
  customStatus: Type.Optional(Type.Object({ code: Type.String(), status: Type.String(), expiresAt: Type.Number() })),
  timeZoneId: Type.String(),
  automaticallyTimeZone: Type.Boolean(),
  isAddonBot: Type.Boolean(),
  isPumbleBot: Type.Boolean(),
});

export const UserGroup = open({
  id: Type.String(),
  name: Type.String(),
  handle: Type.String(),
  description: Type.Optional(Type.String()),
  disabled: Type.Optional(Type.Boolean()),
  createdBy: Type.Optional(Type.String()),
  workspaceId: Type.String(),
  workspaceUserIds: Type.Optional(Type.Array(Type.String())),
});

const Recurrence = Type.Object({
  recurrenceType: StringEnum(['DAILY', 'WEEKDAYS', 'WEEKLY', 'MONTHLY', 'YEARLY']),
  endAfterOccurrences: Type.Optional(Type.Integer({ minimum: 1 })),
  endDate: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms' })),
});

export const ScheduledMessage = open({
  id: Type.String(),
  workspaceId: Type.String(),
  channelId: Type.String(),
  author: Type.String(),
  text: Type.String(),
  blocks: Type.Optional(Type.Array(Type.Object({}, { additionalProperties: true }))),
  sendAt: Type.Number({ description: 'epoch ms' }),
  recurrence: Type.Optional(Recurrence),
  threadRootId: Type.Optional(Type.String()),
  alsoSendToChannel: Type.Optional(Type.Boolean()),
});

export const ErrorBody = Type.Object(
  {
    error: Type.String({ description: 'the message, for clients that read `error`' }),
    message: Type.String({ description: 'English' }),
    localizedMessage: Type.String({ description: "in the key owner's language" }),
    code: Type.Integer({ description: '400000 validation, 401000 key, 403000 not allowed, 404000 not found, 429000 rate limited, 500000 server' }),
  },
  { description: 'Every error: status 403 (429 when rate limited, 500 on a server error)' },
);

export const Posted = Type.Object({ id: Type.String(), channelId: Type.String() });
export const StatusOk = Type.Object({ status: Type.String({ description: '"ok"' }) });
export const Empty = Type.Unsafe<undefined>({ description: '200 with an empty body' });

export const bodies = {
  createChannel: Type.Object({
    name: Type.String({ minLength: 1, maxLength: 80 }),
    type: StringEnum(['PUBLIC', 'PRIVATE']),
    description: Type.Optional(Type.String({ maxLength: 250 })),
  }),
  addUsersToChannel: Type.Object({ channelId: Id, userIds: Type.Array(Id, { minItems: 1, maxItems: 1000 }) }),
  removeUserFromChannel: Type.Object({ channelId: Id, userId: Id }),
  sendMessage: Type.Object({ ...ChannelSelector, text: Text, threadRootId: Type.Optional(Id), asBot: AsBot, blocks: Type.Optional(Blocks) }),
  sendReply: Type.Object({ ...ChannelSelector, messageId: Id, text: Text, alsoSendToChannel: Type.Optional(Type.Boolean()), asBot: AsBot }),
  dmUser: Type.Object({ userId: Id, text: Text, asBot: AsBot }),
  dmGroup: Type.Object({ userIds: Type.Array(Id, { minItems: 1, maxItems: 7 }), text: Text, asBot: AsBot }),
  searchMessages: Type.Object({
    text: Type.Optional(Type.String({ maxLength: 1000 })),
    from: Type.Optional(Type.Array(Id, { maxItems: 100 })),
    in: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 81 }), { maxItems: 100 })),
    limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100 })),
    strategy: Type.Optional(StringEnum(['MOST_RELEVANT', 'MOST_RECENT', 'NEWEST', 'OLDEST'])),
    beforeTs: Type.Optional(Type.Integer({ minimum: 0 })),
    afterTs: Type.Optional(Type.Integer({ minimum: 0 })),
  }),
  editMessage: Type.Object({ messageId: Id, channelId: Id, text: Text, blocks: Type.Optional(Blocks) }),
  addReaction: Type.Object({
    messageId: Id,
    channelId: Type.Optional(Id),
    reaction: Type.String({ minLength: 3, maxLength: 102, pattern: '^:[^:\\s]+:$', description: 'an emoji code with colons, e.g. :thumbsup:' }),
    skinTone: Type.Optional(Type.Integer({ minimum: 1, maximum: 6 })),
  }),
  createScheduledMessage: Type.Object({
    channelId: Id,
    text: Text,
    sendAt: Type.Integer({ minimum: 0, description: 'epoch ms, in the future' }),
    blocks: Type.Optional(Blocks),
    threadRootId: Type.Optional(Id),
    alsoSendToChannel: Type.Optional(Type.Boolean()),
    recurrence: Type.Optional(Recurrence),
  }),
  editScheduledMessage: Type.Object({
    scheduledMessageId: Id,
    channelId: Id,
    text: Text,
    sendAt: Type.Integer({ minimum: 0 }),
    blocks: Type.Optional(Blocks),
    recurrence: Type.Optional(Recurrence),
  }),
  customStatus: Type.Object({
    code: Type.String({ maxLength: 102, pattern: '^(:[^:\\s]+:)?$', description: 'an emoji code with colons, e.g. :palm_tree:; empty, with an empty status, clears the status' }),
    status: Type.Optional(Type.String({ maxLength: 100 })),
    expiresAt: Type.Optional(Type.Integer({ minimum: 0, description: 'epoch ms; 0 = never. Required unless clearing' })),
  }),
};

const Cursor = Type.Optional(Type.String({ maxLength: 64, description: 'a message id: the last one seen' }));
const Limit = Type.Optional(Type.Integer({ minimum: 1, maximum: 100, description: 'default 20' }));

export const queries = {
  channel: Type.Object(ChannelSelector),
  message: Type.Object({ messageId: Id, ...ChannelSelector }),
  threadReplies: Type.Object({ rootMessageId: Id, ...ChannelSelector, cursor: Cursor, limit: Limit }),
  listMessages: Type.Object({ ...ChannelSelector, cursor: Cursor, limit: Limit, strategy: Type.Optional(StringEnum(['BEFORE', 'AFTER', 'AROUND'])) }),
  removeReaction: Type.Object({ messageId: Id, channelId: Type.Optional(Id), reaction: bodies.addReaction.properties.reaction }),
  scheduledList: Type.Object({ channelId: Type.Optional(Id), cursor: Type.Optional(Type.String({ maxLength: 64 })), limit: Limit }),
  scheduledOne: Type.Object({ scheduledMessageId: Id }),
};
