/**
 * The room endpoints Rocket.Chat clients and the ported suites use (docs/integrations.md §12.5), in
 * Rocket.Chat's shapes (present.ts): `channels.*` are public channels, `groups.*` private ones,
 * `im.*` (and their `dm.*` aliases) direct channels. Every rule — who sees, creates, archives,
 * reads — is core.channels' and core.messages'; this file only translates.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../domain/index.js';
import { DomainError, isDomainError } from '../../domain/errors.js';
import { codedError, failureError } from '../../domain/integrations/errors.js';
import type { ChannelView } from '../../domain/channels.js';
import type { ChannelType, Message, User } from '../../domain/model.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { MAX_COUNT, page, paging, PaginationQuery } from './pagination.js';
import { presentMember, presentMessage, presentRoom, type PresentedRoom } from './present.js';
import { GENERAL_ROOM_ID } from '../../domain/integrations/room-ref.js';

type Kind = 'channels' | 'groups';
const KIND = {
  channels: { type: 'PUBLIC', key: 'channel', noun: 'channel', threadRepliesInHistory: false },
  // Upstream's groups.history shows thread replies unless told not to; channels.history and im.history the opposite.
  groups: { type: 'PRIVATE', key: 'group', noun: 'group', threadRepliesInHistory: true },
} as const;
const DIRECT_TYPES: readonly ChannelType[] = ['DIRECT', 'SELF'];

const RoomQuery = {
  roomId: Type.Optional(Type.String({ description: 'the room id (`GENERAL`: the default channel)' })),
  roomName: Type.Optional(Type.String({ description: 'or its name' })),
};
const DirectQuery = {
  roomId: Type.Optional(Type.String({ description: 'the direct room id (or a user id or username: the direct room with them)' })),
  username: Type.Optional(Type.String({ description: 'or the other person: the direct room with them (opened if need be)' })),
};
const HistoryQuery = {
  latest: Type.Optional(Type.String({ description: 'ISO date: only messages before it (default: now)' })),
  oldest: Type.Optional(Type.String({ description: 'ISO date: only messages after it' })),
  inclusive: Type.Optional(Type.Boolean({ description: 'include messages exactly at latest / oldest' })),
  offset: Type.Optional(Type.Integer({ minimum: 0, description: 'messages to skip (default 0)' })),
  count: Type.Optional(Type.Integer({ minimum: 0, description: `page length (default 20, at most ${MAX_COUNT})` })),
  unreads: Type.Optional(Type.Boolean({ description: 'add unreadNotLoaded (always 0: Switchboard keeps no read marks here)' })),
  showThreadMessages: Type.Optional(Type.Boolean({ description: 'thread replies too' })),
};
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    members: Type.Optional(Type.Array(Type.String(), { description: 'usernames to add' })),
    readOnly: Type.Optional(Type.Boolean({ description: 'accepted; Switchboard has no read-only channels' })),
  },
  { additionalProperties: true },
);
const DirectCreateBody = Type.Object(
  {
    username: Type.Optional(Type.String({ minLength: 1 })),
    usernames: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated, for a group DM' })),
    excludeSelf: Type.Optional(Type.Boolean({ description: 'accepted; the caller is always one of the people' })),
  },
  { additionalProperties: true },
);
interface HistoryParams {
  latest?: string;
  oldest?: string;
  inclusive?: boolean;
  offset?: number;
  count?: number;
  unreads?: boolean;
  showThreadMessages?: boolean;
}
/** Sorting rooms: by name, creation (`ts`) or last change (`_updatedAt`). */
const ROOM_SORT = ['name', 'ts', '_updatedAt'] as const;

const roomNotFound = (kind: Kind) =>
  codedError('error-room-not-found', `The required "roomId" or "roomName" param provided does not match any ${KIND[kind].noun}`);
const directNotFound = () => codedError('error-room-not-found', 'The required "roomId" param provided does not match any direct message');
const isNotFound = (e: unknown) => isDomainError(e, 'not_found');

function parseDate(text: string | undefined): number | undefined {
  if (text === undefined) return undefined;
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw codedError('error-invalid-date', 'Invalid date');
  return ms;
}

export const roomRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat rooms'];
  const security = rcSecurity;
  const config = { rocketChat: { auth: true } };

  /** The room the query names, seen by the caller and of the endpoint's type; upstream answers 400 otherwise. */
  async function roomOf(actor: User, q: { roomId?: string; roomName?: string }, kind: Kind): Promise<ChannelView> {
    let id = q.roomId;
    if (id === GENERAL_ROOM_ID) id = await core.channels.mainId(actor);
    else if (id === undefined && q.roomName !== undefined) {
      const name = q.roomName.replace(/^#/, '').toLowerCase();
      id = (await core.channels.list(actor, [KIND[kind].type])).find((v) => v.channel.name?.toLowerCase() === name)?.channel.id;
    }
    if (id === undefined) {
      // Upstream: groups.* name the missing parameter; channels.* look up nothing and find nothing
      // (current channels.ts; a new user expected the parameter named, but clients match upstream).
      if (kind === 'groups' && q.roomId === undefined && q.roomName === undefined) {
        throw codedError('error-room-param-not-provided', 'The parameter "roomId" or "roomName" is required');
      }
      throw roomNotFound(kind);
    }
    try {
      const view = await core.channels.get(actor, id);
      if (view.channel.type !== KIND[kind].type) throw roomNotFound(kind);
      return view;
    } catch (e) {
      if (isNotFound(e)) throw roomNotFound(kind);
      throw e;
    }
  }

  /**
   * A direct room as upstream's findDirectMessageRoom finds one: by its id, else `roomId` or
   * `username` names a person (id or username) and it is the direct room with them, opened if
   * need be (the caller's own username: their self room).
   */
  async function directOf(actor: User, q: { roomId?: string; username?: string }): Promise<ChannelView> {
    const ref = q.roomId || q.username;
    if (!ref) throw codedError('error-room-param-not-provided', 'Query param "roomId" or "username" is required');
    try {
      const view = await core.channels.get(actor, ref);
      if (!DIRECT_TYPES.includes(view.channel.type)) throw directNotFound();
      return view;
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
    const peer = await core.accounts.getUserByUsername(actor, ref).catch(async (e: unknown) => {
      if (!isNotFound(e)) throw e;
      return core.accounts.getUser(actor, ref).catch((e2: unknown) => {
        if (isNotFound(e2)) throw directNotFound();
        throw e2;
      });
    });
    return core.channels.openDirect(actor, peer.id === actor.id ? [] : [peer.id]);
  }

  /** Usernames to users, all before anything is created: an unknown one creates nothing. */
  async function usersNamed(actor: User, usernames: readonly string[]): Promise<User[]> {
    const found: User[] = [];
    for (const username of new Set(usernames)) {
      try {
        found.push(await core.accounts.getUserByUsername(actor, username));
      } catch (e) {
        if (isNotFound(e)) throw codedError('error-invalid-user', `Invalid user: ${username}`);
        throw e;
      }
    }
    return found;
  }

  /** One request's view of the workspace: its users once, then rooms and messages as Rocket.Chat shows them. */
  function viewer(actor: User) {
    let users: Promise<Map<string, User>> | undefined;
    const usersById = () => (users ??= core.accounts.listUsers(actor).then((list) => new Map(list.map((u) => [u.id, u]))));
    return {
      async messages(list: readonly Message[]) {
        const byId = await usersById();
        return list.map((m) => presentMessage(m, byId));
      },
      async room(view: ChannelView): Promise<PresentedRoom> {
        const byId = await usersById();
        const memberIds = view.memberIds ?? (await core.channels.get(actor, view.channel.id)).memberIds ?? [];
        // The message count and the newest message, in one query.
        const newest = await core.messages.search(actor, { in: [view.channel.id], strategy: 'NEWEST', limit: 1 });
        const last = newest.messages[0];
        const creator = view.channel.createdBy ? byId.get(view.channel.createdBy) : undefined;
        return presentRoom(view.channel, {
          ...(creator && { creator }),
          members: memberIds.map((id) => byId.get(id)).filter((u): u is User => u !== undefined),
          msgs: newest.total,
          ...(last && { lastMessage: presentMessage(last, byId) }),
        });
      },
      async members(view: ChannelView) {
        const byId = await usersById();
        return (view.memberIds ?? []).map((id) => byId.get(id)).filter((u): u is User => u !== undefined);
      },
    };
  }

  /** A page of rooms: `{<key>: [...], offset, count, total}`, sorted as asked. */
  async function roomPage(actor: User, key: string, views: ChannelView[], query: Parameters<typeof paging>[0], fallback: (typeof ROOM_SORT)[number]) {
    const p = paging(query, ROOM_SORT, { field: fallback, direction: 'asc' });
    const sortKey = (v: ChannelView) => (p.sort.field === 'name' ? (v.channel.name ?? '').toLowerCase() : p.sort.field === 'ts' ? v.channel.createdAt : v.channel.updatedAt);
    const dir = p.sort.direction === 'asc' ? 1 : -1;
    const sorted = [...views].sort((a, b) => {
      const x = sortKey(a);
      const y = sortKey(b);
      return dir * (x < y ? -1 : x > y ? 1 : a.channel.id.localeCompare(b.channel.id));
    });
    const view = viewer(actor);
    const rooms: PresentedRoom[] = [];
    for (const v of sorted.slice(p.offset, p.offset + p.count)) rooms.push(await view.room(v));
    return ok(page(key, rooms, p.offset, sorted.length));
  }

  /** `*.messages`: every message of the room (thread replies too), newest first unless sorted by `{"ts":1}`. */
  async function messagePage(actor: User, view: ChannelView, query: Parameters<typeof paging>[0]) {
    const p = paging(query, ['ts'] as const, { field: 'ts', direction: 'desc' });
    const found = await core.messages.search(actor, {
      in: [view.channel.id],
      strategy: p.sort.direction === 'desc' ? 'NEWEST' : 'OLDEST',
      offset: p.offset,
      limit: p.count,
    });
    return ok(page('messages', await viewer(actor).messages(found.messages), p.offset, found.total));
  }

  /** `*.history`: `{messages}` between oldest and latest, newest first (upstream's getChannelHistory). */
  async function historyOf(actor: User, view: ChannelView, query: HistoryParams, threadRepliesByDefault: boolean) {
    const latest = parseDate(query.latest);
    const oldest = parseDate(query.oldest);
    const count = query.count === undefined ? 20 : query.count === 0 ? MAX_COUNT : Math.min(query.count, MAX_COUNT);
    const found = await core.messages.history(actor, view.channel.id, {
      ...(latest !== undefined && { latest }),
      ...(oldest !== undefined && { oldest }),
      inclusive: query.inclusive === true,
      threadReplies: query.showThreadMessages ?? threadRepliesByDefault,
      offset: query.offset ?? 0,
      count,
    });
    return ok({ messages: await viewer(actor).messages(found), ...(query.unreads === true && { unreadNotLoaded: 0 }) });
  }

  async function memberPage(actor: User, view: ChannelView, query: Parameters<typeof paging>[0]) {
    const p = paging(query, ['username', 'name'] as const, { field: 'username', direction: 'asc' });
    const members = await viewer(actor).members(view);
    const dir = p.sort.direction === 'asc' ? 1 : -1;
    members.sort((a, b) => dir * a[p.sort.field].localeCompare(b[p.sort.field]));
    return ok(page('members', members.slice(p.offset, p.offset + p.count).map(presentMember), p.offset, members.length));
  }

  for (const kind of ['channels', 'groups'] as const) {
    const { type, key, noun, threadRepliesInHistory } = KIND[kind];

    app.post(
      `/${kind}.create`,
      { config, schema: { tags, ...security, summary: `Create a ${type.toLowerCase()} channel → {${key}}`, body: CreateBody, response: rcResponses() } },
      async (request) => {
        const actor = request.user;
        const members = (await usersNamed(actor, request.body.members ?? [])).filter((u) => u.id !== actor.id);
        const created = await core.channels.create(actor, { name: request.body.name, type }).catch((e: unknown) => {
          if (isDomainError(e, 'conflict')) {
            throw codedError('error-duplicate-channel-name', `A channel with name '${request.body.name.trim()}' exists`);
          }
          throw e;
        });
        if (members.length > 0) await core.channels.addMembers(actor, created.channel.id, members.map((u) => u.id));
        return ok({ [key]: await viewer(actor).room(await core.channels.get(actor, created.channel.id)) });
      },
    );

    app.get(
      `/${kind}.info`,
      { config, schema: { tags, ...security, summary: `One ${noun} → {${key}}`, querystring: Type.Object(RoomQuery), response: rcResponses() } },
      async (request) => ok({ [key]: await viewer(request.user).room(await roomOf(request.user, request.query, kind)) }),
    );

    app.post(
      `/${kind}.delete`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: `Remove a ${noun}: Switchboard archives it (history is kept, nobody can post)`,
          body: Type.Object(RoomQuery),
          response: rcResponses(),
        },
      },
      async (request) => {
        const view = await roomOf(request.user, request.body, kind);
        await core.channels.archive(request.user, view.channel.id);
        return ok({});
      },
    );

    app.get(
      `/${kind}.messages`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: `Messages of a ${noun}, newest first → {messages, offset, count, total}`,
          querystring: Type.Object({ ...RoomQuery, ...PaginationQuery }),
          response: rcResponses(),
        },
      },
      async (request) => messagePage(request.user, await roomOf(request.user, request.query, kind), request.query),
    );

    app.get(
      `/${kind}.history`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: `Messages of a ${noun} between oldest and latest, newest first → {messages}`,
          querystring: Type.Object({ ...RoomQuery, ...HistoryQuery }),
          response: rcResponses(),
        },
      },
      async (request) => historyOf(request.user, await roomOf(request.user, request.query, kind), request.query, threadRepliesInHistory),
    );

    app.get(
      `/${kind}.members`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: `Members of a ${noun} → {members, offset, count, total}`,
          querystring: Type.Object({ ...RoomQuery, ...PaginationQuery }),
          response: rcResponses(),
        },
      },
      async (request) => memberPage(request.user, await roomOf(request.user, request.query, kind), request.query),
    );
  }

  /**
   * rooms.info: any room the caller sees — public, private or direct — by id (or `GENERAL`) or by name,
   * as upstream's findRoomByIdOrName finds it (an archived room is refused there, as upstream).
   */
  app.get(
    '/rooms.info',
    { config, schema: { tags, ...security, summary: 'One room of any type → {room}', querystring: Type.Object(RoomQuery), response: rcResponses() } },
    async (request) => {
      const actor = request.user;
      const q = request.query;
      if (!q.roomId && !q.roomName) throw codedError('error-roomid-param-not-provided', 'The parameter "roomId" or "roomName" is required');
      const notFound = () => codedError('error-room-not-found', 'The required "roomId" or "roomName" param provided does not match any channel');
      let id = q.roomId;
      if (id === GENERAL_ROOM_ID) id = await core.channels.mainId(actor);
      else if (!id) {
        const name = (q.roomName ?? '').toLowerCase();
        id = (await core.channels.list(actor, ['PUBLIC', 'PRIVATE'])).find((v) => v.channel.name?.toLowerCase() === name)?.channel.id;
      }
      if (!id) throw notFound();
      const view = await core.channels.get(actor, id).catch((e: unknown) => {
        if (isNotFound(e)) throw notFound();
        // Upstream: `API.v1.failure('not-allowed', 'Not Allowed')`, the words and the code the other way round.
        if (isDomainError(e, 'forbidden')) throw failureError('Not Allowed', 'not-allowed');
        throw e;
      });
      if (view.channel.isArchived) throw codedError('error-room-archived', `The channel, ${view.channel.name ?? view.channel.id}, is archived`);
      return ok({ room: await viewer(actor).room(view) });
    },
  );

  app.get(
    '/channels.list',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'Public channels the caller can see → {channels, offset, count, total}',
        querystring: Type.Object({ _id: Type.Optional(Type.String({ description: 'only this channel' })), ...PaginationQuery }),
        response: rcResponses(),
      },
    },
    async (request) => {
      const { _id: only, ...query } = request.query;
      const views = (await core.channels.list(request.user, ['PUBLIC'])).filter((v) => only === undefined || v.channel.id === only);
      return roomPage(request.user, 'channels', views, query, 'name');
    },
  );

  app.get(
    '/channels.list.joined',
    {
      config,
      schema: { tags, ...security, summary: 'Public channels the caller is in → {channels, offset, count, total}', querystring: Type.Object(PaginationQuery), response: rcResponses() },
    },
    async (request) => roomPage(request.user, 'channels', (await core.channels.list(request.user, ['PUBLIC'])).filter((v) => v.isMember), request.query, 'name'),
  );

  app.get(
    '/groups.list',
    {
      config,
      schema: { tags, ...security, summary: 'Private channels the caller is in → {groups, offset, count, total}', querystring: Type.Object(PaginationQuery), response: rcResponses() },
    },
    async (request) => roomPage(request.user, 'groups', (await core.channels.list(request.user, ['PRIVATE'])).filter((v) => v.isMember), request.query, 'name'),
  );

  // Upstream serves every im.* route under dm.* too.
  for (const prefix of ['im', 'dm'] as const) {
    app.post(
      `/${prefix}.create`,
      {
        config,
        schema: { tags, ...security, summary: 'Open (or find) the direct room with one or more people → {room}', body: DirectCreateBody, response: rcResponses() },
      },
      async (request) => {
        const actor = request.user;
        const names = request.body.usernames?.split(',').map((n) => n.trim()).filter(Boolean) ?? (request.body.username ? [request.body.username] : []);
        if (names.length === 0) throw codedError('error-invalid-user', 'Body must contain "username" or "usernames"');
        const others = await usersNamed(actor, names);
        const view = await core.channels.openDirect(actor, others.map((u) => u.id).filter((id) => id !== actor.id));
        const room = await viewer(actor).room(view);
        // Upstream answers the created room with its id twice: `_id` and `rid`.
        return ok({ room: { ...room, rid: room._id } });
      },
    );

    app.get(
      `/${prefix}.list`,
      { config, schema: { tags, ...security, summary: "The caller's direct rooms → {ims, offset, count, total}", querystring: Type.Object(PaginationQuery), response: rcResponses() } },
      async (request) => roomPage(request.user, 'ims', await core.channels.list(request.user, DIRECT_TYPES), request.query, 'ts'),
    );

    app.get(
      `/${prefix}.messages`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: 'Messages of a direct room, newest first → {messages, offset, count, total}',
          querystring: Type.Object({ ...DirectQuery, ...PaginationQuery }),
          response: rcResponses(),
        },
      },
      async (request) => {
        const { roomId, username, ...query } = request.query;
        return messagePage(request.user, await directOf(request.user, { roomId, username }), query);
      },
    );

    app.get(
      `/${prefix}.history`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: 'Messages of a direct room between oldest and latest, newest first → {messages}',
          querystring: Type.Object({ roomId: Type.Optional(Type.String({ description: 'the direct room id' })), ...HistoryQuery }),
          response: rcResponses(),
        },
      },
      async (request) => {
        if (!request.query.roomId) throw codedError('error-room-param-not-provided', 'Query param "roomId" is required');
        return historyOf(request.user, await directOf(request.user, { roomId: request.query.roomId }), request.query, false);
      },
    );

    app.get(
      `/${prefix}.members`,
      {
        config,
        schema: {
          tags,
          ...security,
          summary: 'The people of a direct room → {members, offset, count, total}',
          querystring: Type.Object({ ...DirectQuery, ...PaginationQuery }),
          response: rcResponses(),
        },
      },
      async (request) => {
        const { roomId, username, ...query } = request.query;
        return memberPage(request.user, await directOf(request.user, { roomId, username }), query);
      },
    );
  }
};
