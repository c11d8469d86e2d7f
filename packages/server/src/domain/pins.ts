/**
 * Pinned and saved messages (docs/web-client.md §6.1). A pin belongs to the channel: any member may
 * pin or unpin any of its messages while it is not archived, and everyone who may see the channel
 * sees its pins, live (`message.pinned`, `message.unpinned`). A save belongs to one person: private,
 * listed newest first, and only while the person may still see the message's channel; their own tabs
 * follow (`message.saved`, `message.unsaved`). A deleted message loses its pin and its saves in the
 * deletion's own transaction (cascades.ts `messageDeleted`).
 */
import { channelAudience, visibleChannel } from './channels.js';
import { commit, type CoreContext } from './context.js';
import { conflict, DomainError, forbidden, invalid, MissingReference, notFound } from './errors.js';
import type { Notice } from './events.js';
import { isId } from './ids.js';
import type { Channel, Message, User } from './model.js';
import type { ChatStore } from './ports/chat-store.js';
import type { Pin, SavedCursor, SavedMessage } from './ports/pins.js';

/** Decision: at most this many pins per channel (Slack's limit); a pin past it is refused with 409. */
export const MAX_PINS = 100;
export const DEFAULT_SAVED_PAGE = 20;
export const MAX_SAVED_PAGE = 100;

/** A parent row deleted meanwhile (the channel, or the message with it): the message is not found. */
const messageGone = (e: unknown): never => {
  throw e instanceof MissingReference ? notFound('Message') : e;
};

export class Pins {
  constructor(private readonly ctx: CoreContext) {}

  /** The channel's pins, newest pin first: for everyone who may see the channel. */
  async list(actor: User, channelId: string): Promise<Pin[]> {
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    return this.ctx.store.pins.pins(channel.id);
  }

  /** Pins a message of the channel; pinning it again answers the pin that stands, telling nobody. */
  async pin(actor: User, channelId: string, messageId: string): Promise<Pin> {
    return commit(this.ctx, async (tx, notices) => {
      const { channel, message } = await this.pinnable(tx, actor, channelId, messageId, 'pin');
      const standing = await tx.pins.pinOf(channel.id, message.id);
      if (standing) return standing;
      if ((await tx.pins.countPins(channel.id)) >= MAX_PINS) throw conflict(`A channel holds at most ${MAX_PINS} pinned messages: unpin one first`);
      const pinned = await tx.pins.pin({ workspaceId: channel.workspaceId, channelId: channel.id, messageId: message.id, pinnedBy: actor.id, at: this.ctx.now() }).catch(messageGone);
      const pin = (await tx.pins.pinOf(channel.id, message.id))!;
      // Two people pinning at once: the first pin stands, and only it is news.
      if (pinned) notices.push({ workspaceId: channel.workspaceId, audience: await channelAudience(tx, channel), event: { type: 'message.pinned', pin } });
      return pin;
    });
  }

  /** Unpins a message of the channel (whoever pinned it); a message not pinned is left as it is. */
  async unpin(actor: User, channelId: string, messageId: string): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const { channel, message } = await this.pinnable(tx, actor, channelId, messageId, 'unpin');
      if (!(await tx.pins.unpin(channel.id, message.id))) return;
      notices.push({
        workspaceId: channel.workspaceId,
        audience: await channelAudience(tx, channel),
        event: { type: 'message.unpinned', channelId: channel.id, messageId: message.id, userId: actor.id },
      });
    });
  }

  /** Members pin and unpin, while the channel takes changes; the message must be one of its own, not deleted. */
  private async pinnable(tx: ChatStore, actor: User, channelId: string, messageId: string, verb: 'pin' | 'unpin'): Promise<{ channel: Channel; message: Message }> {
    const { channel, isMember } = await visibleChannel(tx, actor, channelId);
    const message = isId(messageId) ? await tx.message(channel.id, messageId) : undefined;
    if (!message || message.deleted) throw notFound('Message');
    if (!isMember) throw forbidden(`Join the channel to ${verb} its messages`);
    if (channel.isArchived) throw forbidden('Channel is archived');
    return { channel, message };
  }

  /**
   * Inside a message's deletion (cascades.ts): its pin and every save of it go; the channel's
   * audience hears of the pin, each saver of their save.
   */
  static async messageDeleted(tx: ChatStore, notices: Notice[], channel: Channel, messageId: string): Promise<void> {
    const { wasPinned, savedBy } = await tx.pins.messageDeleted(messageId);
    if (wasPinned) {
      notices.push({ workspaceId: channel.workspaceId, audience: await channelAudience(tx, channel), event: { type: 'message.unpinned', channelId: channel.id, messageId, userId: null } });
    }
    if (savedBy.length > 0) notices.push({ workspaceId: channel.workspaceId, audience: savedBy, event: { type: 'message.unsaved', channelId: channel.id, messageId } });
  }
}

/** A page of the person's saved messages, and where the next one starts. */
export interface SavedPage {
  saved: SavedMessage[];
  /** pass as `cursor` for the next (older) page; absent on the last page */
  nextCursor?: string;
}

/** The cursor on the wire: `<savedAt>.<messageId>` of the last save of a page (opaque to clients). */
const CURSOR = /^(\d{1,15})\.([0-9a-f]{24})$/;
const encodeCursor = (c: SavedCursor) => `${c.savedAt}.${c.messageId}`;

export class SavedMessages {
  constructor(private readonly ctx: CoreContext) {}

  /** Saves a message the person may read; saving it again keeps the first save's time, telling nobody. */
  async save(actor: User, messageId: string): Promise<SavedMessage> {
    if (actor.isBot) throw forbidden('Bots keep no saved messages');
    return commit(this.ctx, async (tx, notices) => {
      const message = isId(messageId) ? await tx.messageById(messageId) : undefined;
      if (!message || message.deleted || message.workspaceId !== actor.workspaceId) throw notFound('Message');
      // A message in a channel the person may not see is as missing as one that does not exist.
      const { channel, isMember } = await visibleChannel(tx, actor, message.channelId).catch((e: unknown) => {
        throw e instanceof DomainError && e.kind === 'not_found' ? notFound('Message') : e;
      });
      const at = this.ctx.now();
      const added = await tx.pins.save({ workspaceId: actor.workspaceId, userId: actor.id, channelId: channel.id, messageId: message.id, at }).catch(messageGone);
      const savedAt = added ? at : ((await tx.pins.savedAt(actor.id, message.id)) ?? at);
      if (added) notices.push({ workspaceId: actor.workspaceId, audience: [actor.id], event: { type: 'message.saved', channelId: channel.id, messageId: message.id, savedAt } });
      return { message, channel, isMember, savedAt };
    });
  }

  /** Forgets the person's save of a message; one not saved is left as it is. */
  async unsave(actor: User, messageId: string): Promise<void> {
    if (actor.isBot) throw forbidden('Bots keep no saved messages');
    if (!isId(messageId)) throw notFound('Message');
    await commit(this.ctx, async (tx, notices) => {
      const gone = await tx.pins.unsave(actor.id, messageId);
      if (gone) notices.push({ workspaceId: actor.workspaceId, audience: [actor.id], event: { type: 'message.unsaved', channelId: gone.channelId, messageId } });
    });
  }

  /**
   * The person's saved messages, newest save first, from `cursor` (a page's `nextCursor`). Deleted
   * messages, and messages of channels the person may no longer see, are left out.
   */
  async list(actor: User, q: { cursor?: string; limit?: number }): Promise<SavedPage> {
    if (actor.isBot) throw forbidden('Bots keep no saved messages');
    const limit = Math.min(Math.max(q.limit ?? DEFAULT_SAVED_PAGE, 1), MAX_SAVED_PAGE);
    let cursor: SavedCursor | undefined;
    if (q.cursor !== undefined && q.cursor !== '') {
      const m = CURSOR.exec(q.cursor);
      if (!m) throw invalid('cursor', "must be a page's nextCursor");
      cursor = { savedAt: Number(m[1]), messageId: m[2]! };
    }
    const rows = await this.ctx.store.pins.savedPage({
      userId: actor.id,
      workspaceId: actor.workspaceId,
      includePublic: actor.role !== 'GUEST',
      ...(cursor && { cursor }),
      limit: limit + 1,
    });
    const saved = rows.slice(0, limit);
    const last = saved[saved.length - 1];
    return rows.length > limit && last ? { saved, nextCursor: encodeCursor({ savedAt: last.savedAt, messageId: last.message.id }) } : { saved };
  }

  /** Which of the channel's messages the person saved (the client marks them). */
  async idsIn(actor: User, channelId: string): Promise<string[]> {
    if (actor.isBot) throw forbidden('Bots keep no saved messages');
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    return this.ctx.store.pins.savedIn(actor.id, channel.id);
  }
}
