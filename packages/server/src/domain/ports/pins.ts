/**
 * The storage port of pinned and saved messages (docs/web-client.md §6.1; migration 0021).
 * store/pin-store.ts implements it. Who may pin, save or read is the domain's (domain/pins.ts); the
 * store only keeps the rows and reads them back as models.
 */
import type { Channel, Message } from '../model.js';

/** A message pinned to its channel. */
export interface Pin {
  channelId: string;
  messageId: string;
  /** who pinned it */
  pinnedBy: string;
  pinnedAt: number;
  message: Message;
}

/** A message a person saved for themselves, with the channel it is in. */
export interface SavedMessage {
  message: Message;
  channel: Channel;
  /** whether the person belongs to the channel (else it is a PUBLIC one they may read) */
  isMember: boolean;
  savedAt: number;
}

/** Where a page of saved messages continues: strictly older than this save. */
export interface SavedCursor {
  savedAt: number;
  messageId: string;
}

export interface PinStorage {
  /** Pins the message; false when it was pinned already (the first pin stands). */
  pin(p: { workspaceId: string; channelId: string; messageId: string; pinnedBy: string; at: number }): Promise<boolean>;
  /** Unpins it; false when it was not pinned. */
  unpin(channelId: string, messageId: string): Promise<boolean>;
  /** The pin of a message, if it is pinned. */
  pinOf(channelId: string, messageId: string): Promise<Pin | undefined>;
  /** The channel's pins, newest pin first; deleted messages are never among them. */
  pins(channelId: string): Promise<Pin[]>;
  countPins(channelId: string): Promise<number>;

  /** Saves the message for the person; false when they had saved it already (the first save's time stands). */
  save(s: { workspaceId: string; userId: string; channelId: string; messageId: string; at: number }): Promise<boolean>;
  /** Forgets the person's save of the message: the channel it was in, or undefined when it was not saved. */
  unsave(userId: string, messageId: string): Promise<{ channelId: string } | undefined>;
  /** When the person saved the message, if they did. */
  savedAt(userId: string, messageId: string): Promise<number | undefined>;
  /**
   * A page of the person's saved messages, newest save first, after `cursor`: only messages not
   * deleted, in channels the person belongs to — or, when `includePublic`, in any PUBLIC channel of
   * the workspace (docs/pumble-api.md §11.1 visibility, as channels.ts `visibleChannel` says).
   */
  savedPage(q: { userId: string; workspaceId: string; includePublic: boolean; cursor?: SavedCursor; limit: number }): Promise<SavedMessage[]>;
  /** The ids of the channel's messages the person saved. */
  savedIn(userId: string, channelId: string): Promise<string[]>;

  /**
   * A message was deleted (a soft delete: the tombstone stays): its pin and every person's save of it
   * go. Answers whether it was pinned and who had saved it.
   */
  messageDeleted(messageId: string): Promise<{ wasPinned: boolean; savedBy: string[] }>;
}
