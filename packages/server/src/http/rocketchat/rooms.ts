/**
 * The room endpoints Rocket.Chat clients and the ported suites use (integrations.md §12.5):
 * `channels.*` are public channels, `groups.*` private ones, `im.create` direct channels. Every
 * rule (who sees, creates, archives) is core.channels'; this file only translates.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { Core } from '../../core/index.js';
import { DomainError } from '../../core/errors.js';
import { codedError } from '../../core/integrations/errors.js';
import type { ChannelView } from '../../core/channels.js';
import type { User } from '../../core/model.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { page, paging, PaginationQuery } from './pagination.js';
import { presentMember, presentMessage, presentRoom } from './present.js';
import { GENERAL_ROOM_ID } from '../../core/integrations/room-ref.js';

type Kind = 'channels' | 'groups';
const KIND = {
  channels: { type: 'PUBLIC', key: 'channel', noun: 'channel' },
  groups: { type: 'PRIVATE', key: 'group', noun: 'group' },
} as const;

const RoomQuery = {
  roomId: Type.Optional(Type.String({ description: 'the room id' })),
  roomName: Type.Optional(Type.String({ description: 'or its name' })),
};
const CreateBody = Type.Object(
  {
    name: Type.String({ minLength: 1 }),
    members: Type.Optional(Type.Array(Type.String(), { description: 'usernames to add' })),
    readOnly: Type.Optional(Type.Boolean({ description: 'accepted; Switchboard has no read-only channels' })),
  },
  { additionalProperties: true },
);

export const roomRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat rooms'];
  const security = rcSecurity;
  const config = { rocketChat: { auth: true } };

  const notFound = (kind: Kind) =>
    codedError('error-room-not-found', `The required "roomId" or "roomName" param provided does not match any ${KIND[kind].noun}`);

  /** The room the query names, seen by the caller and of the endpoint's type; upstream answers 400 otherwise. */
  async function roomOf(actor: User, q: { roomId?: string; roomName?: string }, kind: Kind): Promise<ChannelView> {
    let id = q.roomId;
    if (id === GENERAL_ROOM_ID) id = (await core.channels.list(actor, ['PUBLIC'])).find((v) => v.channel.isMain)?.channel.id;
    else if (id === undefined && q.roomName !== undefined) {
      const name = q.roomName.replace(/^#/, '').toLowerCase();
      id = (await core.channels.list(actor, [KIND[kind].type])).find((v) => v.channel.name?.toLowerCase() === name)?.channel.id;
    }
    if (id === undefined) {
      if (q.roomId === undefined && q.roomName === undefined) throw codedError('error-roomid-param-not-provided', 'The parameter "roomId" or "roomName" is required');
      throw notFound(kind);
    }
    try {
      const view = await core.channels.get(actor, id);
      if (view.channel.type !== KIND[kind].type) throw notFound(kind);
      return view;
    } catch (e) {
      if (e instanceof DomainError && e.kind === 'not_found') throw notFound(kind);
      throw e;
    }
  }

  async function usersById(actor: User): Promise<Map<string, User>> {
    return new Map((await core.accounts.listUsers(actor)).map((u) => [u.id, u]));
  }

  async function shownRoom(actor: User, view: ChannelView) {
    const users = await usersById(actor);
    const members = view.memberIds?.map((id) => users.get(id)).filter((u): u is User => u !== undefined);
    return presentRoom(view.channel, view.channel.createdBy ? users.get(view.channel.createdBy) : undefined, members);
  }

  /** Usernames to users, all before anything is created: an unknown one creates nothing. */
  async function usersNamed(actor: User, usernames: readonly string[]): Promise<User[]> {
    const found: User[] = [];
    for (const username of new Set(usernames)) {
      try {
        found.push(await core.accounts.getUserByUsername(actor, username));
      } catch (e) {
        if (e instanceof DomainError && e.kind === 'not_found') throw codedError('error-invalid-user', `Invalid user: ${username}`);
        throw e;
      }
    }
    return found;
  }

  for (const kind of ['channels', 'groups'] as const) {
    const { type, key, noun } = KIND[kind];

    app.post(
      `/${kind}.create`,
      { config, schema: { tags, ...security, summary: `Create a ${type.toLowerCase()} channel → {${key}}`, body: CreateBody, response: rcResponses() } },
      async (request) => {
        const actor = request.user;
        const members = (await usersNamed(actor, request.body.members ?? [])).filter((u) => u.id !== actor.id);
        const created = await core.channels.create(actor, { name: request.body.name, type });
        if (members.length > 0) await core.channels.addMembers(actor, created.channel.id, members.map((u) => u.id));
        return ok({ [key]: await shownRoom(actor, await core.channels.get(actor, created.channel.id)) });
      },
    );

    app.get(
      `/${kind}.info`,
      { config, schema: { tags, ...security, summary: `One ${noun} → {${key}}`, querystring: Type.Object(RoomQuery), response: rcResponses() } },
      async (request) => ok({ [key]: await shownRoom(request.user, await roomOf(request.user, request.query, kind)) }),
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
      async (request) => {
        const actor = request.user;
        const view = await roomOf(actor, request.query, kind);
        const p = paging(request.query, ['ts'] as const, { field: 'ts', direction: 'desc' });
        const found = await core.messages.search(actor, {
          in: [view.channel.id],
          strategy: p.sort.direction === 'desc' ? 'NEWEST' : 'OLDEST',
          offset: p.offset,
          limit: p.count,
        });
        const users = await usersById(actor);
        return ok(page('messages', found.messages.map((m) => presentMessage(m, users.get(m.authorId))), p.offset, found.total));
      },
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
      async (request) => {
        const actor = request.user;
        const view = await roomOf(actor, request.query, kind);
        const p = paging(request.query, ['username', 'name'] as const, { field: 'username', direction: 'asc' });
        const users = await usersById(actor);
        const members = (view.memberIds ?? []).map((id) => users.get(id)).filter((u): u is User => u !== undefined);
        const dir = p.sort.direction === 'asc' ? 1 : -1;
        members.sort((a, b) => dir * a[p.sort.field].localeCompare(b[p.sort.field]));
        return ok(page('members', members.slice(p.offset, p.offset + p.count).map(presentMember), p.offset, members.length));
      },
    );
  }

  app.post(
    '/im.create',
    {
      config,
      schema: {
        tags,
        ...security,
        summary: 'Open (or find) the direct channel with one or more people → {room}',
        body: Type.Object(
          {
            username: Type.Optional(Type.String({ minLength: 1 })),
            usernames: Type.Optional(Type.String({ minLength: 1, description: 'comma-separated, for a group DM' })),
          },
          { additionalProperties: true },
        ),
        response: rcResponses(),
      },
    },
    async (request) => {
      const actor = request.user;
      const names = request.body.usernames?.split(',').map((n) => n.trim()).filter(Boolean) ?? (request.body.username ? [request.body.username] : []);
      if (names.length === 0) throw codedError('error-invalid-user', 'Body must contain "username" or "usernames"');
      const others = await usersNamed(actor, names);
      const view = await core.channels.openDirect(actor, others.map((u) => u.id).filter((id) => id !== actor.id));
      return ok({ room: await shownRoom(actor, view) });
    },
  );
};
