/**
 * Posting an integration's message (docs/integrations.md §7.4 steps 6–8, §7.5, §8.8), and a person's
 * through Rocket.Chat's chat.postMessage and chat.sendMessage (§12.5, chat-post.ts): destinations are
 * resolved and checked first, then public rooms are joined and DMs opened through Channels, then every
 * message is inserted in one transaction through the core's `commit` with the same store calls and
 * notices as Messages.post — so realtime, the outbox (outgoing webhooks, app events) and threads see
 * an integration's message exactly like anyone's.
 */
import type { ChatStore } from '../ports/chat-store.js';
import type { Channels } from '../channels.js';
import { commit, type CoreContext } from '../context.js';
import { isId, newId } from '../ids.js';
import { checkContent, insertPosted, threadRootOf, writableChannel } from '../messages.js';
import type { Channel, Message, User } from '../model.js';
import type { IntegrationDoc } from './document.js';
import { chatPostMessageRequest, chatSendMessageRequest, checkChatSendMessage, firstPosted, ridMissing, toChatError } from './chat-post.js';
import { hookError, toHookError, type HookError } from './hook-errors.js';
import { isEmptyPost, needsImpersonation, personNeedsImpersonation, type Destination, type IncomingPostRequest } from './incoming-payload.js';
import type { ChannelResult } from './incoming-script-result.js';
import { PERMISSIONS, type RolePermissions } from './roles.js';
import { roomById, roomByRef } from './room-ref.js';

export interface PostInput {
  workspaceId: string;
  /**
   * the integration posting; absent when a person posts their own message (chat.postMessage,
   * chat.sendMessage), who then needs `message-impersonate` for an alias or avatar only, not for an
   * emoji (upstream's validateMessage; §7.5 asks it of integrations for all three)
   */
  integration?: IntegrationDoc;
  /** the post-as user (or the user a script chose; or the person posting) */
  user: User;
  request: IncomingPostRequest;
}

/** Where one destination leads, once resolved; nothing has been changed yet. */
type Target =
  /** an existing channel; `join`: a public one the user is not in yet (§7.5: auto-joined) */
  | { kind: 'channel'; channel: Channel; join: boolean }
  /** the DM with `peer`, to be opened (get-or-create) */
  | { kind: 'direct'; peer: User };

interface Plan {
  dest: Destination;
  target?: Target;
  error?: HookError;
}

/** A plan ready to post: its channel exists and the user is in it. */
interface Ready {
  dest: Destination;
  channelId: string;
}

export class IntegrationPoster {
  constructor(
    readonly ctx: CoreContext,
    readonly roles: RolePermissions,
    readonly channels: Channels,
  ) {}

  /**
   * Posts `request` as `user` to each of its destinations. Without `separateResponse`, any failing
   * destination means nothing is posted (the results then hold only the failures); with it, each
   * destination succeeds or fails on its own. A request with nothing to show is only checked: its
   * results carry `message: null`. Request-wide refusals (impersonation without the
   * permission, an inactive user) are thrown as HookErrors.
   */
  async post(input: PostInput): Promise<ChannelResult[]> {
    const { user, request } = input;
    if (user.status !== 'ACTIVATED' || user.workspaceId !== input.workspaceId) throw hookError.userNotFound();
    const impersonates = input.integration ? needsImpersonation(request) : personNeedsImpersonation(request);
    if (impersonates && !(await this.roles.has(user, PERMISSIONS.impersonate))) throw hookError.notEnoughPermission();
    const empty = isEmptyPost(request);
    if (!empty) {
      const content = { text: request.formattedText, attachments: request.attachments };
      try {
        checkContent(content);
      } catch (err) {
        throw toHookError(err);
      }
    }

    const plans = await this.plan(user, request.destinations);
    const failures = plans.filter((p) => p.error);
    if (failures.length > 0 && !request.separateResponse) return failures.map((p) => ({ channel: p.dest.raw, error: p.error! }));
    // Nothing to show (§7.4, NormalizeOptions.allowEmpty): every destination checked as for a post,
    // answered as one; nothing stored, no room joined and no DM opened for it.
    if (empty) return plans.map((p) => (p.error ? { channel: p.dest.raw, error: p.error } : { channel: p.dest.raw, message: null }));

    // A reply's thread is checked before anything is joined: a post refused for its `tmid` leaves
    // the person out of the rooms it named (a DM still to be opened is checked at the insert).
    if (request.tmid !== undefined) {
      for (const p of plans) {
        if (p.error || p.target?.kind !== 'channel') continue;
        try {
          await threadRootOf(this.ctx.store, p.target.channel, request.tmid);
        } catch (err) {
          if (!request.separateResponse) throw toHookError(err);
          p.error = toHookError(err);
        }
      }
    }

    // Side effects before posting: join public rooms, open DMs (both through Channels, with their notices).
    const ready: Ready[] = [];
    const results = new Map<Destination, ChannelResult>();
    const seen = new Set<string>();
    for (const p of plans) {
      if (p.error) {
        results.set(p.dest, { channel: p.dest.raw, error: p.error });
        continue;
      }
      try {
        const channelId = await this.open(user, p.target!);
        // `#general` and `general` are one room: it gets one message.
        if (seen.has(channelId)) continue;
        seen.add(channelId);
        ready.push({ dest: p.dest, channelId });
      } catch (err) {
        if (!request.separateResponse) throw toHookError(err);
        results.set(p.dest, { channel: p.dest.raw, error: toHookError(err) });
      }
    }

    const posted = await this.insertAll(user, request, ready);
    for (const r of posted) results.set(r.dest, r.result);
    return plans.filter((p) => results.has(p.dest)).map((p) => results.get(p.dest)!);
  }

  /**
   * chat.postMessage (§12.5): the body (its shape checked by the surface) posted as `actor` by the rules
   * above: every destination checked before anything changes, public rooms joined, DMs opened. The
   * answer is the first destination's message, as upstream's; failures are in upstream's words.
   */
  async chatPostMessage(actor: User, body: Record<string, unknown>): Promise<{ channel: string; message: Message }> {
    try {
      return firstPosted(await this.post({ workspaceId: actor.workspaceId, user: actor, request: chatPostMessageRequest(body) }));
    } catch (err) {
      throw toChatError(err);
    }
  }

  /**
   * chat.sendMessage (§12.5): one message to the room `rid` names — or, for a reply, to the room of
   * the thread `tmid` names, whatever `rid` says (upstream's executeSendMessage). A public room the
   * person is not in is joined first, as chat.postMessage does: Switchboard has no posting from
   * outside a room.
   */
  async chatSendMessage(actor: User, message: Record<string, unknown>): Promise<Message> {
    try {
      checkChatSendMessage(message);
      const request = chatSendMessageRequest(message, await this.sendMessageRoom(actor, message));
      return firstPosted(await this.post({ workspaceId: actor.workspaceId, user: actor, request })).message;
    } catch (err) {
      throw toChatError(err);
    }
  }

  /** The room chat.sendMessage posts to: the thread's, when `tmid` names a message of the workspace; else `rid`. */
  private async sendMessageRoom(actor: User, message: Record<string, unknown>): Promise<string> {
    const tmid = message.tmid;
    if (typeof tmid === 'string' && isId(tmid)) {
      const parent = await this.ctx.store.messageById(tmid);
      if (parent && parent.workspaceId === actor.workspaceId && !parent.deleted) return parent.channelId;
    }
    if (typeof message.rid !== 'string' || message.rid === '') throw ridMissing();
    return message.rid;
  }

  /** Resolves and checks every destination without changing anything (§7.5 atomicity). */
  private async plan(user: User, destinations: readonly Destination[]): Promise<Plan[]> {
    const plans: Plan[] = [];
    for (const dest of destinations) {
      try {
        plans.push({ dest, target: await this.resolve(user, dest) });
      } catch (err) {
        plans.push({ dest, error: toHookError(err) });
      }
    }
    return plans;
  }

  /** §7.5 destination table. */
  private async resolve(user: User, dest: Destination): Promise<Target> {
    const { store } = this.ctx;
    const ws = user.workspaceId;
    if (dest.kind === 'id') {
      // chat.sendMessage's `rid`: a room id (or `GENERAL`), never a name or a person.
      const room = await roomById(store, ws, dest.ref);
      if (!room) throw hookError.invalidRoom();
      return this.channelTarget(store, user, room);
    }
    if (dest.kind === 'user') {
      const peer = (isId(dest.ref) ? await store.user(ws, dest.ref) : undefined) ?? (await store.userByUsername(ws, dest.ref));
      if (peer && peer.status === 'ACTIVATED') return { kind: 'direct', peer };
      // `@<room id>` of a direct channel: how outgoing replies name the DM they were triggered in (§8.8).
      const room = isId(dest.ref) ? await store.channel(ws, dest.ref) : undefined;
      if (room && (room.type === 'DIRECT' || room.type === 'SELF')) return this.channelTarget(store, user, room);
      throw hookError.invalidChannel();
    }
    const channel = await roomByRef(store, ws, dest.ref);
    if (channel) return this.channelTarget(store, user, channel);
    if (dest.kind === 'bare' && isId(dest.ref)) {
      // A bare value that names no channel may be a user id: the DM with them (never a username).
      const peer = await store.user(ws, dest.ref);
      if (peer && peer.status === 'ACTIVATED') return { kind: 'direct', peer };
    }
    throw hookError.invalidChannel();
  }

  /**
   * Public rooms are joined (never by guests, who cannot see them); private rooms and DMs need the
   * user to be a member already (§12.1 #30–#31); archived rooms take no posts.
   */
  private async channelTarget(store: ChatStore, user: User, channel: Channel): Promise<Target> {
    if (channel.isArchived) throw hookError.archived();
    const member = await store.isMember(channel.id, user.id);
    if (member) return { kind: 'channel', channel, join: false };
    if (channel.type === 'PUBLIC' && user.role !== 'GUEST') return { kind: 'channel', channel, join: true };
    throw hookError.notAllowed();
  }

  /** The channel id to post to, after joining the room or opening the DM. */
  private async open(user: User, target: Target): Promise<string> {
    if (target.kind === 'direct') return (await this.channels.openDirect(user, target.peer.id === user.id ? [] : [target.peer.id])).channel.id;
    if (target.join) await this.channels.join(user, target.channel.id);
    return target.channel.id;
  }

  /**
   * One transaction for every message: without `separateResponse` a failure in any channel rolls
   * all of them back; with it, a channel that fails its checks is reported and the others posted.
   */
  private async insertAll(user: User, request: IncomingPostRequest, ready: readonly Ready[]): Promise<Array<{ dest: Destination; result: ChannelResult }>> {
    if (ready.length === 0) return [];
    return commit(this.ctx, async (tx, notices) => {
      const out: Array<{ dest: Destination; result: ChannelResult }> = [];
      for (const r of ready) {
        let channel: Channel;
        let rootId: string | null;
        try {
          // The rules of Messages.post: the user may write there (member, not archived).
          channel = await writableChannel(tx, user, r.channelId);
          rootId = await this.threadRoot(tx, channel, request);
        } catch (err) {
          const error = toHookError(err);
          if (!request.separateResponse) throw error;
          out.push({ dest: r.dest, result: { channel: r.dest.raw, error } });
          continue;
        }
        const t = this.ctx.now();
        const message: Message = await insertPosted(tx, notices, {
          id: newId(t),
          workspaceId: channel.workspaceId,
          channelId: channel.id,
          authorId: user.id,
          text: request.formattedText,
          postedText: request.text,
          blocks: null,
          attachments: request.attachments.length > 0 ? request.attachments : null,
          threadRootId: rootId,
          sentToChannel: rootId !== null && request.tshow === true,
          now: t,
          alias: request.alias ?? null,
          avatar: request.avatar ?? null,
          emoji: request.emoji ?? null,
          bot: request.bot,
        });
        out.push({ dest: r.dest, result: { channel: r.dest.raw, message } });
      }
      return out;
    });
  }

  /**
   * `tmid` must name a message of this channel (a reply joins its root's thread, as in Messages.post);
   * Slack's `thread_ts` is used only when it does, and ignored otherwise (§7.5 decision).
   */
  private async threadRoot(tx: ChatStore, channel: Channel, request: IncomingPostRequest): Promise<string | null> {
    if (request.tmid !== undefined) return threadRootOf(tx, channel, request.tmid);
    if (request.threadTs === undefined) return null;
    return threadRootOf(tx, channel, request.threadTs).catch(() => null);
  }
}
