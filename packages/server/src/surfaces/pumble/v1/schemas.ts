import { Type, type TSchema } from 'typebox';
import { ErrorRef } from '../../http/errors.js';

export const Id = Type.String({ pattern: '^[0-9a-f]{24}$', description: '24 lower-case hex characters' });

/**
 * An id in a path: at most 64 characters of `[A-Za-z0-9_-]`, else a 400 before any lookup. A NUL
 * would otherwise reach PostgreSQL, which cannot hold one in text (a 500); any other unknown id
 * is the route's 404 (docs/pumble-api.md §5).
 */
export const IdParam = Type.String({ minLength: 1, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$' });

const Loose = Type.Object({}, { additionalProperties: true });

export const Message = Type.Object(
  {
    id: Id,
    workspaceId: Id,
    channelId: Id,
    author: Type.String({ description: 'author workspace user id' }),
    text: Type.String(),
    timestamp: Type.String({ format: 'date-time' }),
    timestampMilli: Type.Number(),
    reactions: Type.Array(Type.Object({ user: Type.String(), code: Type.String() })),
    files: Type.Array(Loose),
    edited: Type.Boolean(),
    deleted: Type.Boolean(),
    blocks: Type.Optional(Type.Array(Loose)),
    attachments: Type.Optional(Type.Array(Loose)),
    threadRootInfo: Type.Optional(
      Type.Object({
        repliesCount: Type.Number(),
        repliers: Type.Array(Type.String()),
        lastReplyTimestamp: Type.Optional(Type.String()),
        lastReplyTimestampMilli: Type.Optional(Type.Number()),
      }),
    ),
    threadReplyInfo: Type.Optional(Type.Object({ rootId: Type.String(), replySentToChannel: Type.Boolean() })),
    isEphemeral: Type.Optional(Type.Boolean({ description: 'extension: set on ephemeral messages' })),
    alias: Type.Optional(Type.String({ description: 'extension: the display name an integration posted with' })),
    avatar: Type.Optional(Type.String({ description: 'extension: the avatar URL an integration posted with' })),
    emoji: Type.Optional(Type.String({ description: 'extension: the emoji avatar an integration posted with' })),
    integrationId: Type.Optional(Type.String({ description: 'extension: set on messages posted by an integration' })),
    linkPreviews: Type.Optional(
      Type.Array(
        Type.Object({
          url: Type.String(),
          title: Type.Optional(Type.String()),
          description: Type.Optional(Type.String()),
          imageUrl: Type.Optional(Type.String({ description: 'an https URL' })),
          siteName: Type.Optional(Type.String()),
        }),
        { description: "extension: previews of the message's links, plain text (docs/web-client.md §6.1); absent when none" },
      ),
    ),
  },
  { $id: 'Message' },
);

export const Channel = Type.Object(
  {
    id: Id,
    workspaceId: Id,
    channelType: Type.Union([Type.Literal('PUBLIC'), Type.Literal('PRIVATE'), Type.Literal('DIRECT'), Type.Literal('SELF')]),
    name: Type.Optional(Type.String()),
    description: Type.String(),
    isMember: Type.Boolean(),
    isMuted: Type.Boolean(),
    isHidden: Type.Boolean(),
    isArchived: Type.Boolean(),
    isMain: Type.Boolean(),
    isInitial: Type.Boolean(),
    postingPermissions: Type.Object({ allowThreads: Type.Boolean(), allowMentions: Type.Boolean() }),
    desktopNotificationPreferences: Type.String(),
    mobileNotificationPreferences: Type.String(),
    notifyAboutRepliesInThreads: Type.Boolean(),
    addedById: Type.Optional(Type.String()),
    createdAt: Type.String({ format: 'date-time' }),
  },
  { $id: 'Channel' },
);

export const ChannelInfo = Type.Object(
  { channel: Type.Unsafe({ $ref: 'Channel#' }), users: Type.Optional(Type.Array(Type.String())) },
  { $id: 'ChannelInfo' },
);

export const WorkspaceUser = Type.Object(
  {
    id: Id,
    email: Type.String(),
    name: Type.String(),
    workspaceId: Id,
    role: Type.String({ description: 'ADMINISTRATOR, USER, GUEST_MULTI_CHANNEL (docs/pumble-api.md §12.5)' }),
    workspaceRole: Type.String({ description: 'extension: OWNER, ADMIN, MEMBER or GUEST' }),
    status: Type.String({ description: 'ACTIVATED or DEACTIVATED' }),
    avatar: Type.Object({ fullPath: Type.String(), scaledPath: Type.String() }),
    timeZoneId: Type.String(),
    automaticallyTimeZone: Type.Boolean(),
    title: Type.String(),
    phone: Type.String(),
    isPumbleBot: Type.Boolean(),
    isAddonBot: Type.Boolean(),
    timeFormat: Type.String(),
    customStatus: Type.Optional(Type.Object({ code: Type.String(), status: Type.String(), expiresAt: Type.Number({ description: 'epoch ms; 0 = never' }) })),
    locale: Type.Union([Type.String(), Type.Null()], { description: "extension: the user's language; null follows the workspace" }),
  },
  { $id: 'WorkspaceUser' },
);

/** The shared schemas, registered once so routes and the OpenAPI document refer to them by name. */
export const sharedSchemas = [Message, Channel, ChannelInfo, WorkspaceUser];

export const ref = (name: 'Message' | 'Channel' | 'ChannelInfo' | 'WorkspaceUser') => Type.Unsafe({ $ref: `${name}#` });

export const Empty = Type.Unsafe<undefined>({ description: '200 with an empty body' });

/** Every error status a `/v1` route may answer, with the one error body. */
export function responses<T extends Record<number, TSchema>>(ok: T) {
  return { ...ok, 400: ErrorRef, 401: ErrorRef, 403: ErrorRef, 404: ErrorRef, 409: ErrorRef, 413: ErrorRef, 429: ErrorRef };
}

export const ChannelParams = Type.Object({ channelId: Type.String() });
export const MessageParams = Type.Object({ channelId: Type.String(), messageId: Type.String() });

const Blocks = Type.Array(Loose, { maxItems: 100 });

/** A field that may also be sent as null (tooling often sends null for "not set"). */
const orNull = (type: string | string[], opts: Record<string, unknown> = {}) =>
  Type.Optional(Type.Unsafe<unknown>({ type: [...(Array.isArray(type) ? type : [type]), 'null'], ...opts }));

/**
 * An attachment as apps send it (docs/pumble-api.md §12.2: Slack's legacy message attachments):
 * its known fields of their types (a number for `color` was stored and drawn as an empty bar),
 * anything else Slack defines passed through. `color` is any string, as Slack takes it: `good`,
 * `warning`, `danger` or a hex colour are drawn, the rest ignored — refusing them would break posts
 * that tools send today.
 */
export const AttachmentInput = Type.Object(
  {
    color: orNull('string', { maxLength: 64, description: 'good, warning, danger or a hex colour such as #439FE0 (others are not drawn)' }),
    fallback: orNull('string'),
    pretext: orNull('string'),
    author_name: orNull('string'),
    author_link: orNull('string'),
    author_icon: orNull('string'),
    title: orNull('string'),
    title_link: orNull('string'),
    text: orNull('string'),
    image_url: orNull('string'),
    thumb_url: orNull('string'),
    footer: orNull('string'),
    footer_icon: orNull('string'),
    ts: orNull(['number', 'string'], { description: 'epoch seconds' }),
    fields: orNull('array', {
      items: Type.Object(
        { title: orNull('string'), value: orNull(['string', 'number']), short: orNull('boolean') },
        { additionalProperties: true },
      ),
    }),
    blocks: orNull('array', { items: Loose }),
  },
  { additionalProperties: true },
);
export const AttachmentsInput = Type.Array(AttachmentInput, { maxItems: 100 });
const Attachments = AttachmentsInput;

export const PostMessageBody = Type.Object({
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  blocks: Type.Optional(Blocks),
  attachments: Type.Optional(Attachments),
  files: Type.Optional(Type.Array(Type.String(), { maxItems: 20, description: 'ids of your completed uploads (POST /v1/files/upload/complete, or POST /v1/files); apps need files:write' })),
  alsoSendToChannel: Type.Optional(Type.Boolean({ description: 'on a reply: also show it in the channel (ignored on a top-level message)' })),
  ephemeral: Type.Optional(
    Type.Object({
      sendToUsers: Type.Array(Type.String(), { minItems: 1 }),
    }),
  ),
  commandAppId: Type.Optional(
    Type.String({
      maxLength: 64,
      description:
        "a person's `/command`: the app they picked among those that registered it (the web client's menu, docs/app-platform.md §7.1); without it, or when that app has no such command, the app installed first answers",
    }),
  ),
});

export const EditMessageBody = Type.Object({
  text: Type.Optional(Type.String({ maxLength: 100_000 })),
  blocks: Type.Optional(Blocks),
  attachments: Type.Optional(Attachments),
  ephemeral: Type.Optional(
    Type.Object(
      { threadRootId: Type.Optional(Type.String()), sendToUsers: Type.Optional(Type.Array(Type.String())) },
      { description: 'set when editing an ephemeral message (its author only; it keeps its recipients)' },
    ),
  ),
});

export const PageQuery = Type.Object({
  cursor: Type.Optional(Type.String()),
  strategy: Type.Optional(Type.Union([Type.Literal('BEFORE'), Type.Literal('AFTER'), Type.Literal('AROUND')])),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 20 })),
});
