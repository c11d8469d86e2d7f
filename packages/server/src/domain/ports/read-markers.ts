/**
 * The storage port of read markers (docs/web-client.md §5): per membership, the newest message its
 * member has read. store/read-marker-store.ts implements it.
 */

/** One channel of a person: where they stopped reading, and what came after. */
export interface UnreadState {
  channelId: string;
  /** the newest message read; null when nothing was read since joining */
  lastReadMessageId: string | null;
  /** top-level messages of others after the marker (and after joining), deleted ones left out */
  unread: number;
  /** of those, the ones that mention the person (`<@id>`), or `@channel` / `@here` */
  mentions: number;
}

export interface ReadMarkerStorage {
  /**
   * Moves the member's marker to `messageId` when it is newer than the one stored (ids sort by
   * time); answers whether it moved. Not a member: false.
   */
  markRead(channelId: string, userId: string, messageId: string): Promise<boolean>;
  /** The member's marker in one channel (null: nothing read since joining, or not a member). */
  marker(channelId: string, userId: string): Promise<string | null>;
  /** The unread state of every channel the person belongs to. */
  unreads(userId: string): Promise<UnreadState[]>;
  /** The newest top-level message of the channel, if any. */
  latestMessageId(channelId: string): Promise<string | undefined>;
}
