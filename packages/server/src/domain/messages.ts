import type { ChatStore } from './ports/chat-store.js';
import { visibleChannel } from './channels.js';
import { commit, type CoreContext } from './context.js';
import { DomainError, forbidden, invalid, MissingReference, notFound } from './errors.js';
import { isId, newDeliveryId, newId } from './ids.js';
import { EMOJI_CODE, freshMessage, isAdmin, type Channel, type Message, type MessageDraft, type User } from './model.js';
import type { Notice } from './events.js';
import { sanitizeMessageBlocks } from './blocks.js';
import type { FieldError } from './errors.js';
import { ephemeralReachesApps } from './apps/app-event-routing.js';
import { messageBlocks } from './apps/view-state.js';
import type { PageDirection } from './ports/chat-store.js';
import { indexWaitingMessages, MessageSearch, type SearchRequest, type SearchResult } from './search.js';
import type { Files } from './files.js';
import { messageDeleted } from './cascades.js';

export const MAX_TEXT = 100_000;
export const MAX_PAGE = 100;
export const DEFAULT_PAGE = 20;

export type Strategy = 'BEFORE' | 'AFTER' | 'AROUND';

export interface MessageInput {
  text?: string;
  blocks?: unknown[];
  attachments?: unknown[];
}

export interface PostInput extends MessageInput {
  /** ids of the poster's completed uploads (docs/pumble-app-platform.md §11.2: ≤ 20) */
  files?: unknown[];
  threadRootId?: string;
  /** a reply also shown in the channel (ignored without `threadRootId`) */
  alsoSendToChannel?: boolean;
  /** when set, only these users ever see the message, and it is not kept in history */
  ephemeralTo?: string[];
}

/** A search (domain/search.ts): the API addon's and Rocket.Chat's room listings come here too. */
export type SearchQuery = SearchRequest;

export interface Page {
  messages: Message[];
  hasMoreBefore: boolean;
  hasMoreAfter: boolean;
}

/**
 * Invalid blocks are dropped, not refused (docs/pumble-api.md §11.2: the reference renders
 * `text` when blocks cannot be parsed); what is kept is valid per §12.7.
 */
export function withValidBlocks<T extends MessageInput>(input: T): T {
  return sanitizedInput(input).input;
}

/** As withValidBlocks, with the problems of the blocks that were dropped. */
export function sanitizedInput<T extends MessageInput>(input: T): { input: T; dropped: FieldError[] } {
  if (input.blocks === undefined) return { input, dropped: [] };
  const { blocks, dropped } = sanitizeMessageBlocks(input.blocks);
  return { input: { ...input, blocks: blocks as unknown[] }, dropped };
}

/** The app a message comes from, when an app token sent it: warnings about it go to the app's delivery log. */
export interface AppSource {
  appId: string;
}

/**
 * §11.2: a message whose invalid blocks were dropped leaves a warning in the app's delivery log —
 * written with the message (in its transaction, when it has one), so the owner sees what was
 * dropped and why, next to the app's deliveries.
 */
export async function recordDroppedBlocks(
  store: ChatStore,
  source: AppSource | undefined,
  message: Pick<Message, 'id' | 'workspaceId' | 'channelId'>,
  dropped: readonly FieldError[],
  request: { path: string; ephemeral?: boolean; edit?: boolean },
  now: number,
): Promise<void> {
  if (!source || dropped.length === 0) return;
  const first = dropped[0]!;
  const more = dropped.length > 1 ? ` (and ${dropped.length - 1} more problem${dropped.length > 2 ? 's' : ''})` : '';
  await store.deliveries.recordWarning({
    id: newDeliveryId(now),
    endpointType: 'app',
    endpointId: source.appId,
    eventType: 'MESSAGE_BLOCKS_DROPPED',
    // One entry per warning: the message may be edited with invalid blocks again.
    eventId: `${message.id}:${newId(now)}`,
    workspaceId: message.workspaceId,
    url: request.path,
    summary: `invalid blocks dropped from message ${message.id}: ${first.field}: ${first.message}${more}`,
    details: JSON.stringify({
      warning: 'Invalid blocks were dropped from the message; the rest of it (and its text) was posted.',
      messageId: message.id,
      channelId: message.channelId,
      ...(request.ephemeral && { ephemeral: true }),
      ...(request.edit && { edit: true }),
      dropped,
    }),
    now,
  });
}

export function checkContent(input: MessageInput): void {
  const text = input.text ?? '';
  if (text.length > MAX_TEXT) throw invalid('text', `must be at most ${MAX_TEXT} characters`);
  const hasRich = (input.blocks?.length ?? 0) > 0 || (input.attachments?.length ?? 0) > 0;
  if (text.trim().length === 0 && !hasRich) throw invalid('text', 'a message needs text, blocks or attachments');
}

/** People post where they are members; a bot may also post to any PUBLIC channel. */
export async function writableChannel(tx: ChatStore, actor: User, channelId: string): Promise<Channel> {
  const { channel, isMember } = await visibleChannel(tx, actor, channelId);
  if (!isMember && !(actor.isBot && channel.type === 'PUBLIC')) throw forbidden('Join the channel to post in it');
  if (channel.isArchived) throw forbidden('Channel is archived');
  return channel;
}

/** The thread a reply belongs to; a reply to a reply joins the root's thread, as in Slack. */
export async function threadRootOf(tx: ChatStore, channel: Channel, threadRootId: string | undefined): Promise<string | null> {
  if (threadRootId === undefined) return null;
  const root = isId(threadRootId) ? await tx.message(channel.id, threadRootId) : undefined;
  if (!root || root.deleted) throw notFound('Thread root message');
  return root.threadRootId ?? root.id;
}

/** The fields of a new message from this author, in this channel, at this time. */
function draft(authorId: string, channel: Channel, input: MessageInput & { alsoSendToChannel?: boolean }, threadRootId: string | null, t: number) {
  return {
    id: newId(t),
    workspaceId: channel.workspaceId,
    channelId: channel.id,
    authorId,
    text: input.text ?? '',
    blocks: input.blocks ?? null,
    attachments: input.attachments ?? null,
    threadRootId,
    sentToChannel: input.alsoSendToChannel === true,
    now: t,
  };
}

/**
 * Inserts a new message and tells its channel (and the outbox) of it, and of the thread it joins:
 * every way of posting (people, apps, integrations) goes through here, so subscribers cannot tell them apart.
 */
export async function insertPosted(tx: ChatStore, notices: Notice[], draft: MessageDraft): Promise<Message> {
  const message = await tx.insertMessage(draft).catch((e: unknown) => {
    // The channel was deleted (and committed) while this post was under way.
    throw e instanceof MissingReference ? notFound('Channel') : e;
  });
  if (draft.files && draft.files.length > 0) await tx.files.attach(message.id, draft.channelId, draft.files);
  const audience = await tx.memberIds(draft.channelId);
  notices.push({ workspaceId: draft.workspaceId, audience, event: { type: 'message.created', message } });
  if (draft.threadRootId) {
    await tx.recordReply(draft.threadRootId, draft.authorId, draft.now);
    notices.push({ workspaceId: draft.workspaceId, audience, event: { type: 'message.updated', message: (await tx.message(draft.channelId, draft.threadRootId))!, cause: 'thread' } });
  }
  return message;
}

/** The record of an ephemeral message that lets its author edit or delete it later. */
function recordEphemeral(tx: ChatStore, message: Message, recipients: string[]): Promise<void> {
  return tx.insertEphemeral({
    id: message.id,
    workspaceId: message.workspaceId,
    channelId: message.channelId,
    authorId: message.authorId,
    recipients,
    threadRootId: message.threadRootId,
    createdAt: message.createdAt,
    // kept so a click can be checked against the element it names (docs/app-platform.md §7.3)
    blocks: interactiveBlocks(message),
  });
}

/** A message's blocks and its attachments' blocks ([] when it has none: nothing to click). */
function interactiveBlocks(message: Message): unknown[] {
  return messageBlocks(message.blocks, message.attachments);
}

export class Messages {
  /** `files`: the uploads a post may carry (without it, a post with files is refused) */
  constructor(
    private readonly ctx: CoreContext,
    private readonly files?: Pick<Files, 'forPost'>,
  ) {}

  /** `source`: the app whose token sent it (its warnings go to the app's delivery log). */
  async post(actor: User, channelId: string, raw: PostInput, source?: AppSource): Promise<Message> {
    const { input, dropped } = sanitizedInput(raw);
    const fileIds = input.files ?? [];
    // A message of files alone needs no text (§11.2: `files` beside `text`).
    if (fileIds.length === 0) checkContent(input);
    else checkContent({ ...input, text: input.text || 'files' });
    const path = `/v1/channels/${channelId}/messages${input.threadRootId !== undefined ? `/${input.threadRootId}` : ''}`;
    if (fileIds.length > 0 && input.ephemeralTo) throw invalid('files', 'an ephemeral message cannot carry files');
    if (fileIds.length > 0 && !this.files) throw new DomainError('unavailable', 'File uploads are not available on this server');
    if (input.ephemeralTo) {
      return this.postEphemeral(actor, channelId, input, (tx, message) => recordDroppedBlocks(tx, source, message, dropped, { path, ephemeral: true }, this.ctx.now()));
    }
    return commit(this.ctx, async (tx, notices) => {
      const channel = await this.writableChannel(tx, actor, channelId);
      const rootId = await threadRootOf(tx, channel, input.threadRootId);
      // The files are taken in the message's own transaction: both commit, or neither.
      const files = fileIds.length > 0 ? await this.files!.forPost(tx, actor, fileIds) : [];
      const message = await insertPosted(tx, notices, { ...draft(actor.id, channel, input, rootId, this.ctx.now()), ...(files.length > 0 && { files }) });
      await recordDroppedBlocks(tx, source, message, dropped, { path }, this.ctx.now());
      return message;
    });
  }

  /**
   * An ephemeral message its author posts through the API. Apps whose users include a recipient
   * hear of it as NEW_MESSAGE with `eph` (docs/app-platform.md §8.1), so it is an outbox event when there is such an app.
   */
  private async postEphemeral(actor: User, channelId: string, input: PostInput, alsoInTransaction: (tx: ChatStore, message: Message) => Promise<void>): Promise<Message> {
    const { store } = this.ctx;
    const channel = await this.writableChannel(store, actor, channelId);
    const rootId = await threadRootOf(store, channel, input.threadRootId);
    const targets = input.ephemeralTo!;
    if (targets.length === 0) throw invalid('ephemeral.sendToUsers', 'must name at least one user');
    const members = new Set(await store.memberIds(channel.id));
    const users = await store.users(actor.workspaceId, targets.filter(isId));
    targets.forEach((id, i) => {
      const u = users.find((x) => x.id === id && x.status === 'ACTIVATED');
      const canSee = u && (members.has(id) || (channel.type === 'PUBLIC' && u.role !== 'GUEST'));
      if (!canSee) throw invalid(`ephemeral.sendToUsers[${i}]`, 'not a user who can see this channel');
    });
    const message = freshMessage(draft(actor.id, channel, input, rootId, this.ctx.now()));
    const recipients = [...new Set(targets)];
    return commit(this.ctx, async (tx, notices) => {
      await recordEphemeral(tx, message, recipients);
      await alsoInTransaction(tx, message);
      const forApps = (await ephemeralReachesApps(tx, message.workspaceId, recipients)) ? { recipients } : undefined;
      notices.push({ workspaceId: message.workspaceId, audience: recipients, event: { type: 'message.ephemeral', message, ...(forApps && { forApps }) } });
      return message;
    });
  }

  /**
   * Registers an ephemeral message (so its author may edit or delete it) and sends it to its
   * recipients only. Answers of the system or of a bot to a trigger: never an event for apps.
   */
  private async sendEphemeral(message: Message, recipients: string[]): Promise<Message> {
    // Through the one door (docs/architecture.md §4): the record, then the notice after the commit.
    return commit(this.ctx, async (tx, notices) => {
      await recordEphemeral(tx, message, recipients);
      notices.push({ workspaceId: message.workspaceId, audience: recipients, event: { type: 'message.ephemeral', message } });
      return message;
    });
  }

  /** An ephemeral message shaped for `author` in a channel, not sent anywhere (a command's echo). */
  ephemeralFor(authorId: string, channel: Channel, text: string, threadRootId: string | null, t: number): Message {
    return freshMessage(draft(authorId, channel, { text }, threadRootId, t));
  }

  /**
   * A message from the system or an app's bot to some users only, where the author's own rights do
   * not matter (a command's answer shows in a private channel the bot is not in).
   */
  async notifyEphemeral(authorId: string, channelId: string, recipients: string[], content: string | MessageInput, threadRootId: string | null): Promise<Message> {
    const channel = (await this.ctx.store.channelById(channelId))!;
    const input = withValidBlocks(typeof content === 'string' ? { text: content } : content);
    return this.sendEphemeral(freshMessage(draft(authorId, channel, input, threadRootId, this.ctx.now())), recipients);
  }

  /** Its author replaces an ephemeral message's content for the users who see it. */
  async editEphemeral(actor: User, channelId: string, messageId: string, raw: MessageInput, source?: AppSource): Promise<Message> {
    const { input, dropped } = sanitizedInput(raw);
    checkContent(input);
    const { channel, eph } = await this.ownEphemeral(actor, channelId, messageId);
    const message = {
      ...freshMessage({
        id: eph.id,
        workspaceId: eph.workspaceId,
        channelId: channel.id,
        authorId: eph.authorId,
        text: input.text ?? '',
        blocks: input.blocks ?? null,
        attachments: input.attachments ?? null,
        threadRootId: eph.threadRootId,
        now: eph.createdAt,
      }),
      edited: true,
      updatedAt: this.ctx.now(),
    };
    const audience = eph.recipients;
    // Through the one door (docs/architecture.md §4): the new blocks and the warning together, told after the commit.
    await commit(this.ctx, async (tx, notices) => {
      await tx.setEphemeralBlocks(eph.id, interactiveBlocks(message));
      await recordDroppedBlocks(tx, source, message, dropped, { path: `/v1/channels/${channelId}/messages/${messageId}`, ephemeral: true, edit: true }, this.ctx.now());
      notices.push({ workspaceId: actor.workspaceId, audience, event: { type: 'message.ephemeral_updated', message } });
    });
    return message;
  }

  /** Its author takes an ephemeral message away from some (or all) of the users who see it. */
  async deleteEphemeral(actor: User, channelId: string, messageId: string, userIds: string[]): Promise<void> {
    const { channel, eph } = await this.ownEphemeral(actor, channelId, messageId);
    const { recipients } = eph;
    const removed = recipients.filter((id) => userIds.includes(id));
    // Through the one door (docs/architecture.md §4), as every write of the domain.
    await commit(this.ctx, async (tx, notices) => {
      await tx.setEphemeralRecipients(eph.id, recipients.filter((id) => !removed.includes(id)));
      if (removed.length > 0) notices.push({ workspaceId: actor.workspaceId, audience: removed, event: { type: 'message.ephemeral_deleted', channelId: channel.id, messageId: eph.id } });
    });
  }

  /**
   * Only the author knows of their ephemeral message; anyone else gets the 404 of a missing one.
   * Being its author is enough: a bot answers commands ephemerally in channels it is not in, and
   * may still update that answer.
   */
  private async ownEphemeral(actor: User, channelId: string, messageId: string) {
    const channel = isId(channelId) ? await this.ctx.store.channelById(channelId) : undefined;
    const eph = channel && channel.workspaceId === actor.workspaceId && isId(messageId) ? await this.ctx.store.ephemeral(channel.id, messageId) : undefined;
    if (!channel || !eph || eph.authorId !== actor.id) throw notFound('Ephemeral message');
    return { channel, eph };
  }

  /** Search on the full-text index: domain/search.ts decides, visibility included. */
  async search(actor: User, q: SearchQuery): Promise<SearchResult> {
    return new MessageSearch(this.ctx).search(actor, q);
  }

  /** Indexes a batch of the messages that wait for the full-text index (workers/search-indexer.ts); how many. */
  indexWaiting(limit?: number): Promise<number> {
    return indexWaitingMessages(this.ctx, limit);
  }

  async get(actor: User, channelId: string, messageId: string): Promise<Message> {
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    const message = isId(messageId) ? await this.ctx.store.message(channel.id, messageId) : undefined;
    // A deleted root that still holds replies stays readable as a tombstone, as in history.
    if (!message || (message.deleted && message.replyCount === 0)) throw notFound('Message');
    return message;
  }

  /**
   * A message by its id alone, in a channel the actor may see (Rocket.Chat's chat.getMessage and
   * chat.react name no room); deleted ones, and those of channels the actor cannot see, are not found.
   */
  async getById(actor: User, messageId: string): Promise<Message> {
    const message = isId(messageId) ? await this.ctx.store.messageById(messageId) : undefined;
    if (!message || message.deleted || message.workspaceId !== actor.workspaceId) throw notFound('Message');
    await visibleChannel(this.ctx.store, actor, message.channelId).catch(() => {
      throw notFound('Message');
    });
    return message;
  }

  /** Top-level history, newest first, walking from `cursor` (a message id). */
  async list(actor: User, channelId: string, q: { cursor?: string; strategy?: Strategy; limit?: number }): Promise<Page> {
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    return this.page(channel.id, null, q);
  }

  /**
   * A channel's messages between `oldest` and `latest`, newest first, skipping `offset` of them —
   * the page Rocket.Chat's `channels.history` / `groups.history` / `im.history` answer with.
   * Deleted messages are left out. Without thread replies, the store leaves them out (one query).
   */
  async history(actor: User, channelId: string, q: RoomHistoryQuery): Promise<Message[]> {
    const { store } = this.ctx;
    const { channel } = await visibleChannel(store, actor, channelId);
    const count = Math.min(Math.max(q.count, 0), MAX_PAGE);
    if (count === 0) return [];
    const base = {
      channelIds: [channel.id],
      // Milliseconds are integers: "at or before t" is "before t + 1".
      ...(q.latest !== undefined && { beforeTs: q.inclusive ? q.latest + 1 : q.latest }),
      ...(q.oldest !== undefined && { afterTs: q.inclusive ? q.oldest - 1 : q.oldest }),
      order: 'newest' as const,
    };
    // Without thread replies: what the channel shows, replies also sent to it included (Rocket.Chat's `tshow`).
    const { messages } = await store.searchMessages({ ...base, shownInChannel: !q.threadReplies, offset: Math.max(q.offset, 0), limit: count });
    return messages;
  }

  /** A thread's replies, oldest first. */
  async replies(actor: User, channelId: string, rootId: string, q: { cursor?: string; strategy?: Strategy; limit?: number }): Promise<Message[]> {
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    const root = isId(rootId) ? await this.ctx.store.message(channel.id, rootId) : undefined;
    if (!root || root.threadRootId !== null) throw notFound('Thread root message');
    const page = await this.page(channel.id, root.id, { ...q, strategy: q.strategy ?? (q.cursor ? 'BEFORE' : 'AFTER') });
    return page.messages.reverse();
  }

  private async page(channelId: string, threadRootId: string | null, q: { cursor?: string; strategy?: Strategy; limit?: number }): Promise<Page> {
    const store = this.ctx.store;
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_PAGE, 1), MAX_PAGE);
    const cursor = q.cursor ?? null;
    if (cursor !== null && !isId(cursor)) throw invalid('cursor', 'must be a message id');
    const strategy = q.strategy ?? 'BEFORE';
    const walk = (direction: PageDirection, n: number, inclusive = false) =>
      store.messagePage({ channelId, threadRootId, cursor, direction, limit: n, inclusive });

    if (strategy === 'AROUND' && cursor !== null) {
      const olderN = Math.ceil(limit / 2);
      const newerN = limit - olderN;
      const [older, newer] = await Promise.all([walk('older', olderN + 1, true), walk('newer', newerN + 1)]);
      return {
        messages: [...newer.slice(0, newerN).reverse(), ...older.slice(0, olderN)],
        hasMoreBefore: older.length > olderN,
        hasMoreAfter: newer.length > newerN,
      };
    }
    const direction: PageDirection = strategy === 'AFTER' ? 'newer' : 'older';
    const rows = await walk(direction, limit + 1);
    const more = rows.length > limit;
    const page = rows.slice(0, limit);
    // Something on the other side of the cursor (the cursor message included)?
    const behind = cursor === null ? false : (await walk(direction === 'older' ? 'newer' : 'older', 1, true)).length > 0;
    const messages = direction === 'older' ? page : page.reverse();
    return direction === 'older'
      ? { messages, hasMoreBefore: more, hasMoreAfter: behind }
      : { messages, hasMoreBefore: behind, hasMoreAfter: more };
  }

  async edit(actor: User, channelId: string, messageId: string, raw: MessageInput, source?: AppSource): Promise<Message> {
    const { input, dropped } = sanitizedInput(raw);
    checkContent(input);
    return commit(this.ctx, async (tx, notices) => {
      const { channel, message } = await this.ownMessage(tx, actor, channelId, messageId, 'edit');
      if (channel.isArchived) throw forbidden('Channel is archived');
      await tx.updateMessage(
        message.id,
        {
          text: input.text ?? '',
          ...(input.blocks !== undefined && { blocks: input.blocks }),
          ...(input.attachments !== undefined && { attachments: input.attachments }),
        },
        this.ctx.now(),
      );
      const updated = await tx.message(channel.id, message.id);
      // Gone with its channel, deleted meanwhile.
      if (!updated) throw notFound('Message');
      notices.push({ workspaceId: actor.workspaceId, audience: await tx.memberIds(channel.id), event: { type: 'message.updated', message: updated, cause: 'edit' } });
      await recordDroppedBlocks(tx, source, updated, dropped, { path: `/v1/channels/${channelId}/messages/${messageId}`, edit: true }, this.ctx.now());
      return updated;
    });
  }

  /**
   * `PUT /v1/channels/{c}/messages/{m}/attachments` (§11.2 editAttachments): only the attachments
   * change; the text, blocks and files stay. The author's or an admin's, as any edit.
   */
  async editAttachments(actor: User, channelId: string, messageId: string, attachments: unknown[]): Promise<Message> {
    const current = await this.get(actor, channelId, messageId);
    if (current.deleted) throw notFound('Message');
    return this.edit(actor, channelId, messageId, { text: current.text, ...(current.blocks && { blocks: current.blocks }), attachments });
  }

  async delete(actor: User, channelId: string, messageId: string): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const { channel, message } = await this.ownMessage(tx, actor, channelId, messageId, 'delete');
      await this.remove(tx, notices, channel, message);
    });
  }

  /**
   * docs/web-client.md §7: the workspace's message retention deletes a message that aged out — the
   * one delete path, as its author's delete would (files, pins, saves, frames, app events), with no
   * one behind it. False when it was gone already (another node's round, its author, its channel).
   */
  async expire(workspaceId: string, channelId: string, messageId: string): Promise<boolean> {
    return commit(this.ctx, async (tx, notices) => {
      const channel = await tx.channel(workspaceId, channelId);
      const message = channel ? await tx.message(channel.id, messageId) : undefined;
      if (!channel || !message || message.deleted) return false;
      await this.remove(tx, notices, channel, message);
      return true;
    });
  }

  /** The delete of a message, inside its transaction: every path that deletes one comes here. */
  private async remove(tx: ChatStore, notices: Notice[], channel: Channel, message: Message): Promise<void> {
    const workspaceId = channel.workspaceId;
    await tx.deleteMessage(message.id, this.ctx.now());
    // Its files lose it (their public links end with it); the orphan sweep removes them a day later.
    if (message.files && message.files.length > 0) await tx.files.detachMessage(message.id, this.ctx.now());
    // Its pin and everyone's saves of it go with it (cascades.ts).
    await messageDeleted(tx, { channel, messageId: message.id }, notices);
    const audience = await tx.memberIds(channel.id);
    notices.push({
      workspaceId,
      audience,
      event: { type: 'message.deleted', channelId: channel.id, messageId: message.id, threadRootId: message.threadRootId, authorId: message.authorId, at: this.ctx.now() },
    });
    if (message.threadRootId) {
      await tx.recordReplyDeleted(message.threadRootId);
      const root = await tx.message(channel.id, message.threadRootId);
      if (root) notices.push({ workspaceId, audience, event: { type: 'message.updated', message: root, cause: 'thread' } });
    }
  }

  async react(actor: User, messageId: string, code: string, add: boolean): Promise<void> {
    if (!EMOJI_CODE.test(code)) throw invalid('code', 'must look like :emoji_name:');
    await commit(this.ctx, async (tx, notices) => {
      const message = isId(messageId) ? await tx.messageById(messageId) : undefined;
      if (!message || message.deleted || message.workspaceId !== actor.workspaceId) throw notFound('Message');
      const { channel } = await visibleChannel(tx, actor, message.channelId).catch(() => {
        throw notFound('Message');
      });
      if (channel.isArchived) throw forbidden('Channel is archived');
      const changed = add
        ? await tx.addReaction(message.id, actor.id, code, this.ctx.now()).catch((e: unknown) => {
            // Its channel was deleted meanwhile, the message with it.
            throw e instanceof MissingReference ? notFound('Message') : e;
          })
        : await tx.removeReaction(message.id, actor.id, code);
      if (!changed) return;
      notices.push({
        workspaceId: actor.workspaceId,
        audience: await tx.memberIds(channel.id),
        event: { type: add ? 'reaction.added' : 'reaction.removed', channelId: channel.id, messageId: message.id, messageAuthorId: message.authorId, userId: actor.id, code },
      });
    });
  }

  private writableChannel(tx: ChatStore, actor: User, channelId: string): Promise<Channel> {
    return writableChannel(tx, actor, channelId);
  }

  private async ownMessage(tx: ChatStore, actor: User, channelId: string, messageId: string, what: 'edit' | 'delete') {
    const { channel } = await visibleChannel(tx, actor, channelId);
    const message = isId(messageId) ? await tx.message(channel.id, messageId) : undefined;
    if (!message || message.deleted) throw notFound('Message');
    if (message.authorId !== actor.id && !isAdmin(actor)) throw forbidden(`Only the author or an admin can ${what} a message`);
    return { channel, message };
  }
}

// ---------------------------------------------------------------------------------------------
// Reads for Rocket.Chat's `*.history` (docs/integrations.md §12.5). An addition in its own block:
// nothing above depends on it. Who may read is visibleChannel's rule, as for every history read.
// ---------------------------------------------------------------------------------------------

export interface RoomHistoryQuery {
  /** only messages before this instant (epoch ms); at it too when `inclusive` */
  latest?: number;
  /** only messages after this instant; at it too when `inclusive` */
  oldest?: number;
  inclusive?: boolean;
  /** thread replies too, not only the channel's own messages (Rocket.Chat's `showThreadMessages`) */
  threadReplies: boolean;
  offset: number;
  /** at most MAX_PAGE */
  count: number;
}

