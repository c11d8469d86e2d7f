/**
 * What a person has read, and who is typing (docs/web-client.md §5). Unread state lives on the
 * server — a marker per membership — so it follows the person across tabs and devices; moving it
 * tells the person's other tabs (`channel.read`). Typing is a live-only notice to the channel's other
 * members (`user.typing`), never stored, at most one per person and channel every TYPING_EVERY_MS.
 */
import { commit, type CoreContext } from './context.js';
import { forbidden, invalid } from './errors.js';
import { isId } from './ids.js';
import type { User } from './model.js';
import { visibleChannel } from './channels.js';
import type { UnreadState } from './ports/read-markers.js';

/** Clients send typing every few seconds while typing; more often than this is dropped. */
export const TYPING_EVERY_MS = 2000;

export class ReadMarkers {
  constructor(private readonly ctx: CoreContext) {}

  /** The unread state of every channel the person belongs to (apps have no read state: refused). */
  async unreads(actor: User): Promise<UnreadState[]> {
    if (actor.isBot) throw forbidden('Bots keep no read state');
    return this.ctx.store.reads.unreads(actor.id);
  }

  /**
   * Marks the channel read up to `messageId` (default: its newest message). The marker only moves
   * forward; the person's tabs hear of a move. Not a member: 403 (read state is a member's).
   */
  async markRead(actor: User, channelId: string, messageId?: string): Promise<{ channelId: string; lastReadMessageId: string | null }> {
    if (actor.isBot) throw forbidden('Bots keep no read state');
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, channelId);
    if (!isMember) throw forbidden('Only members of the channel keep a read state in it');
    if (messageId !== undefined) {
      const message = isId(messageId) ? await this.ctx.store.message(channel.id, messageId) : undefined;
      if (!message) throw invalid('messageId', 'no such message in this channel');
    }
    return commit(this.ctx, async (tx, notices) => {
      const target = messageId ?? (await tx.reads.latestMessageId(channel.id));
      if (target && (await tx.reads.markRead(channel.id, actor.id, target))) {
        notices.push({ workspaceId: actor.workspaceId, audience: [actor.id], event: { type: 'channel.read', channelId: channel.id, userId: actor.id, lastReadMessageId: target } });
      }
      // One row, not every channel's counts: clients mark read on each message that arrives in view.
      return { channelId: channel.id, lastReadMessageId: await tx.reads.marker(channel.id, actor.id) };
    });
  }

  /**
   * The person is typing in the channel (or a thread of it): the other members see it live. Not a
   * member, or too soon after the last one: nothing is sent (a client's timer, not an error).
   */
  async typing(actor: User, channelId: string, threadRootId?: string): Promise<boolean> {
    if (actor.isBot || !isId(channelId) || (threadRootId !== undefined && !isId(threadRootId))) return false;
    const hit = await this.ctx.limiter.hit(`typing:${actor.id}:${channelId}`, TYPING_EVERY_MS);
    if (hit.count > 1) return false;
    const found = await this.ctx.store.channelFor(actor.workspaceId, channelId, actor.id);
    if (!found?.isMember) return false;
    const audience = (await this.ctx.store.memberIds(channelId)).filter((id) => id !== actor.id);
    if (audience.length === 0) return false;
    this.ctx.sink.publish([{ workspaceId: actor.workspaceId, audience, event: { type: 'user.typing', channelId, userId: actor.id, threadRootId: threadRootId ?? null } }]);
    return true;
  }
}

