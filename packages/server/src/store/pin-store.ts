/**
 * SQL of pinned and saved messages (domain/ports/pins.ts; migration 0021). Rows hold ids and times;
 * the messages and channels they point at are read with the chat store's own mapping (the loaders
 * store.ts hands in), so a pin or a save carries its message as history shows it, reactions and files
 * included.
 */
import type { Kysely, Transaction } from 'kysely';
import type { Channel, Message } from '../domain/model.js';
import type { Pin, PinStorage, SavedCursor, SavedMessage } from '../domain/ports/pins.js';
import { MissingReference } from '../domain/errors.js';
import type { Database } from './schema.js';
import { isForeignKeyViolation } from './sql-errors.js';

type Db = Kysely<Database> | Transaction<Database>;

/** The chat store's readers: these ids' messages and channels (any order; missing ones left out). */
export interface PinStoreLoaders {
  messages(ids: readonly string[]): Promise<Message[]>;
  channels(ids: readonly string[]): Promise<Channel[]>;
}

const num = (v: number | string) => (typeof v === 'string' ? Number(v) : v);

/** A row pointing at a message or channel deleted meanwhile (and committed) is the domain's MissingReference. */
async function referenced<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (e) {
    if (isForeignKeyViolation(e)) throw new MissingReference((e as Error).message);
    throw e;
  }
}

export class PinStore implements PinStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    private readonly load: PinStoreLoaders,
  ) {
    this.db = db as Db;
  }

  // ---- pins -----------------------------------------------------------------------------------

  async pin(p: { workspaceId: string; channelId: string; messageId: string; pinnedBy: string; at: number }): Promise<boolean> {
    // ON CONFLICT rather than catching: a failed insert aborts a PostgreSQL transaction.
    const rows = await referenced(
      this.db
        .insertInto('message_pins')
        .values({ message_id: p.messageId, channel_id: p.channelId, workspace_id: p.workspaceId, pinned_by: p.pinnedBy, pinned_at: p.at })
        .onConflict((oc) => oc.column('message_id').doNothing())
        .returning('message_id')
        .execute(),
    );
    return rows.length > 0;
  }

  async unpin(channelId: string, messageId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('message_pins').where('channel_id', '=', channelId).where('message_id', '=', messageId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async pinOf(channelId: string, messageId: string): Promise<Pin | undefined> {
    const row = await this.db
      .selectFrom('message_pins')
      .select(['message_id', 'channel_id', 'pinned_by', 'pinned_at'])
      .where('channel_id', '=', channelId)
      .where('message_id', '=', messageId)
      .executeTakeFirst();
    if (!row) return undefined;
    return (await this.withMessages([row]))[0];
  }

  async pins(channelId: string): Promise<Pin[]> {
    const rows = await this.db
      .selectFrom('message_pins as p')
      .innerJoin('messages as m', 'm.id', 'p.message_id')
      .select(['p.message_id', 'p.channel_id', 'p.pinned_by', 'p.pinned_at'])
      .where('p.channel_id', '=', channelId)
      .where('m.deleted', '=', 0)
      .orderBy('p.pinned_at', 'desc')
      .orderBy('p.message_id', 'desc')
      .execute();
    return this.withMessages(rows);
  }

  async countPins(channelId: string): Promise<number> {
    const r = await this.db
      .selectFrom('message_pins')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .where('channel_id', '=', channelId)
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  private async withMessages(rows: ReadonlyArray<{ message_id: string; channel_id: string; pinned_by: string; pinned_at: number | string }>): Promise<Pin[]> {
    const messages = new Map((await this.load.messages(rows.map((r) => r.message_id))).map((m) => [m.id, m]));
    const pins: Pin[] = [];
    for (const r of rows) {
      const message = messages.get(r.message_id);
      if (message) pins.push({ channelId: r.channel_id, messageId: r.message_id, pinnedBy: r.pinned_by, pinnedAt: num(r.pinned_at), message });
    }
    return pins;
  }

  // ---- saved ----------------------------------------------------------------------------------

  async save(s: { workspaceId: string; userId: string; channelId: string; messageId: string; at: number }): Promise<boolean> {
    const rows = await referenced(
      this.db
        .insertInto('saved_messages')
        .values({ user_id: s.userId, message_id: s.messageId, channel_id: s.channelId, workspace_id: s.workspaceId, saved_at: s.at })
        .onConflict((oc) => oc.columns(['user_id', 'message_id']).doNothing())
        .returning('message_id')
        .execute(),
    );
    return rows.length > 0;
  }

  async unsave(userId: string, messageId: string): Promise<{ channelId: string } | undefined> {
    const rows = await this.db.deleteFrom('saved_messages').where('user_id', '=', userId).where('message_id', '=', messageId).returning('channel_id').execute();
    return rows[0] && { channelId: rows[0].channel_id };
  }

  async savedAt(userId: string, messageId: string): Promise<number | undefined> {
    const row = await this.db.selectFrom('saved_messages').select('saved_at').where('user_id', '=', userId).where('message_id', '=', messageId).executeTakeFirst();
    return row && num(row.saved_at);
  }

  async savedPage(q: { userId: string; workspaceId: string; includePublic: boolean; cursor?: SavedCursor; limit: number }): Promise<SavedMessage[]> {
    let query = this.db
      .selectFrom('saved_messages as s')
      .innerJoin('messages as m', 'm.id', 's.message_id')
      .innerJoin('channels as c', 'c.id', 's.channel_id')
      .leftJoin('channel_members as cm', (j) => j.onRef('cm.channel_id', '=', 's.channel_id').on('cm.user_id', '=', q.userId))
      .select(['s.message_id', 's.channel_id', 's.saved_at', 'cm.user_id as member_id'])
      .where('s.user_id', '=', q.userId)
      .where('s.workspace_id', '=', q.workspaceId)
      .where('m.deleted', '=', 0)
      // Who may see the channel now, not when it was saved: a member, or anyone but a guest in a PUBLIC one.
      .where((eb) => (q.includePublic ? eb.or([eb('c.type', '=', 'PUBLIC'), eb('cm.user_id', 'is not', null)]) : eb('cm.user_id', 'is not', null)));
    if (q.cursor) {
      const { savedAt, messageId } = q.cursor;
      query = query.where((eb) => eb.or([eb('s.saved_at', '<', savedAt), eb.and([eb('s.saved_at', '=', savedAt), eb('s.message_id', '<', messageId)])]));
    }
    const rows = await query.orderBy('s.saved_at', 'desc').orderBy('s.message_id', 'desc').limit(q.limit).execute();
    const [messages, channels] = await Promise.all([
      this.load.messages(rows.map((r) => r.message_id)),
      this.load.channels([...new Set(rows.map((r) => r.channel_id))]),
    ]);
    const messageById = new Map(messages.map((m) => [m.id, m]));
    const channelById = new Map(channels.map((c) => [c.id, c]));
    const page: SavedMessage[] = [];
    for (const r of rows) {
      const message = messageById.get(r.message_id);
      const channel = channelById.get(r.channel_id);
      if (message && channel) page.push({ message, channel, isMember: r.member_id !== null, savedAt: num(r.saved_at) });
    }
    return page;
  }

  async savedIn(userId: string, channelId: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('saved_messages as s')
      .innerJoin('messages as m', 'm.id', 's.message_id')
      .select('s.message_id')
      .where('s.user_id', '=', userId)
      .where('s.channel_id', '=', channelId)
      .where('m.deleted', '=', 0)
      .orderBy('s.message_id')
      .execute();
    return rows.map((r) => r.message_id);
  }

  // ---- the message's deletion ------------------------------------------------------------------

  async messageDeleted(messageId: string): Promise<{ wasPinned: boolean; savedBy: string[] }> {
    const saved = await this.db.deleteFrom('saved_messages').where('message_id', '=', messageId).returning('user_id').execute();
    const unpinned = await this.db.deleteFrom('message_pins').where('message_id', '=', messageId).executeTakeFirst();
    return { wasPinned: Number(unpinned.numDeletedRows) > 0, savedBy: saved.map((r) => r.user_id).sort() };
  }
}
