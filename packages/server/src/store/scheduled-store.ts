/**
 * SQL for scheduled messages, reached as `store.scheduled`: inside `Store.transaction` it is bound
 * to the transaction, so a scheduled message's post and the advance of its row commit together
 * (ScheduledMessages.runDue).
 *
 * Claiming on PostgreSQL: the due row is locked FOR UPDATE SKIP LOCKED for the whole transaction
 * that posts it, so another node skips it, and finds it advanced (or gone) once it commits.
 */
import { sql, type Kysely, type Selectable, type Transaction, type Updateable } from 'kysely';
import type { Engine } from './database.js';
import { outboxMark } from './group-commit.js';
import type { ScheduledDatabase, ScheduledMessageTable } from './scheduled-tables.js';
import type { ScheduledFields, ScheduledStorage, StoredScheduledMessage } from '../domain/ports/scheduled.js';
import type { Recurrence } from '../domain/model.js';

type Db = Kysely<ScheduledDatabase> | Transaction<ScheduledDatabase>;

const num = (v: number | string) => (typeof v === 'string' ? Number(v) : v);
const json = (v: unknown[] | null) => (v && v.length > 0 ? JSON.stringify(v) : null);

function toScheduled(r: Selectable<ScheduledMessageTable>): StoredScheduledMessage {
  let recurrence: Recurrence | null = null;
  if (r.recurrence_type !== null) {
    recurrence = { recurrenceType: r.recurrence_type };
    if (r.end_after_occurrences !== null) recurrence.endAfterOccurrences = r.end_after_occurrences;
    if (r.end_date !== null) recurrence.endDate = num(r.end_date);
  }
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    authorId: r.author_id,
    text: r.text,
    blocks: r.blocks ? (JSON.parse(r.blocks) as unknown[]) : null,
    attachments: r.attachments ? (JSON.parse(r.attachments) as unknown[]) : null,
    sendAt: num(r.send_at),
    recurrence,
    threadRootId: r.thread_root_id,
    alsoSendToChannel: r.also_send_to_channel === 1,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    appId: r.app_id,
    anchorAt: num(r.anchor_at),
    occurrencesDone: r.occurrences_done,
    dueAt: num(r.due_at),
    failures: r.failures,
  };
}

function columns(f: Partial<ScheduledFields>): Updateable<ScheduledMessageTable> {
  return {
    ...(f.channelId !== undefined && { channel_id: f.channelId }),
    ...(f.appId !== undefined && { app_id: f.appId }),
    ...(f.text !== undefined && { text: f.text }),
    ...(f.blocks !== undefined && { blocks: json(f.blocks) }),
    ...(f.attachments !== undefined && { attachments: json(f.attachments) }),
    ...(f.threadRootId !== undefined && { thread_root_id: f.threadRootId }),
    ...(f.alsoSendToChannel !== undefined && { also_send_to_channel: f.alsoSendToChannel ? 1 : 0 }),
    ...(f.sendAt !== undefined && { send_at: f.sendAt }),
    ...(f.recurrence !== undefined && {
      recurrence_type: f.recurrence?.recurrenceType ?? null,
      end_after_occurrences: f.recurrence?.endAfterOccurrences ?? null,
      end_date: f.recurrence?.endDate ?? null,
    }),
    ...(f.anchorAt !== undefined && { anchor_at: f.anchorAt }),
    ...(f.occurrencesDone !== undefined && { occurrences_done: f.occurrencesDone }),
    ...(f.dueAt !== undefined && { due_at: f.dueAt }),
    ...(f.failures !== undefined && { failures: f.failures }),
    ...(f.updatedAt !== undefined && { updated_at: f.updatedAt }),
  };
}

export class ScheduledStore implements ScheduledStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  /**
   * Runs `work` inside a savepoint of the current transaction: when it throws, what it wrote is
   * rolled back and the transaction goes on (on PostgreSQL too, where a failed statement would
   * otherwise abort the whole transaction).
   */
  async savepoint<T>(work: () => Promise<T>): Promise<T> {
    if (!this.db.isTransaction) throw new Error('savepoint() needs a transaction');
    // Outbox events written inside leave a group-commit batch's list with their rows (group-commit.ts).
    const takeBackEvents = outboxMark(this.db);
    await sql`savepoint sb_scheduled`.execute(this.db);
    try {
      const value = await work();
      await sql`release savepoint sb_scheduled`.execute(this.db);
      return value;
    } catch (err) {
      await sql`rollback to savepoint sb_scheduled`.execute(this.db);
      await sql`release savepoint sb_scheduled`.execute(this.db);
      takeBackEvents();
      throw err;
    }
  }

  async insert(m: StoredScheduledMessage): Promise<void> {
    await this.db
      .insertInto('scheduled_messages')
      .values({
        id: m.id,
        workspace_id: m.workspaceId,
        channel_id: m.channelId,
        author_id: m.authorId,
        app_id: m.appId,
        text: m.text,
        blocks: json(m.blocks),
        attachments: json(m.attachments),
        thread_root_id: m.threadRootId,
        also_send_to_channel: m.alsoSendToChannel ? 1 : 0,
        send_at: m.sendAt,
        recurrence_type: m.recurrence?.recurrenceType ?? null,
        end_after_occurrences: m.recurrence?.endAfterOccurrences ?? null,
        end_date: m.recurrence?.endDate ?? null,
        anchor_at: m.anchorAt,
        occurrences_done: m.occurrencesDone,
        due_at: m.dueAt,
        failures: m.failures,
        created_at: m.createdAt,
        updated_at: m.updatedAt,
      })
      .execute();
  }

  async get(id: string): Promise<StoredScheduledMessage | undefined> {
    const r = await this.db.selectFrom('scheduled_messages').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toScheduled(r);
  }

  /** An author's scheduled messages in sending order, after (sendAt, id) when given. */
  async listByAuthor(q: {
    workspaceId: string;
    authorId: string;
    channelId?: string;
    after?: { sendAt: number; id: string };
    limit: number;
  }): Promise<StoredScheduledMessage[]> {
    let query = this.db.selectFrom('scheduled_messages').selectAll().where('author_id', '=', q.authorId).where('workspace_id', '=', q.workspaceId);
    if (q.channelId !== undefined) query = query.where('channel_id', '=', q.channelId);
    const after = q.after;
    if (after) query = query.where((eb) => eb.or([eb('send_at', '>', after.sendAt), eb.and([eb('send_at', '=', after.sendAt), eb('id', '>', after.id)])]));
    const rows = await query.orderBy('send_at').orderBy('id').limit(q.limit).execute();
    return rows.map(toScheduled);
  }

  /** Changes the author's scheduled message; false when there is none (any more). */
  async update(id: string, authorId: string, fields: Partial<ScheduledFields>): Promise<boolean> {
    const r = await this.db.updateTable('scheduled_messages').set(columns(fields)).where('id', '=', id).where('author_id', '=', authorId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes the author's scheduled message; false when there is none. */
  async delete(id: string, authorId: string): Promise<boolean> {
    const r = await this.db.deleteFrom('scheduled_messages').where('id', '=', id).where('author_id', '=', authorId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  // ---- the scheduler -------------------------------------------------------------------------

  /**
   * The earliest message due at `now`. Call inside a transaction: on PostgreSQL the row stays
   * locked until it ends and other nodes skip it; SQLite has one writer.
   */
  async claimDue(now: number): Promise<StoredScheduledMessage | undefined> {
    let q = this.db.selectFrom('scheduled_messages').selectAll().where('due_at', '<=', now).orderBy('due_at').orderBy('id').limit(1);
    if (this.engine === 'postgres') q = q.forUpdate().skipLocked();
    const r = await q.executeTakeFirst();
    return r && toScheduled(r);
  }

  /** Moves the row on to its next occurrence, with a clean slate of failures. */
  async advance(id: string, next: { sendAt: number; occurrencesDone: number }): Promise<void> {
    await this.db
      .updateTable('scheduled_messages')
      .set({ send_at: next.sendAt, due_at: next.sendAt, occurrences_done: next.occurrencesDone, failures: 0 })
      .where('id', '=', id)
      .execute();
  }

  async remove(id: string): Promise<void> {
    await this.db.deleteFrom('scheduled_messages').where('id', '=', id).execute();
  }

  /**
   * Outside the claiming transaction (it was rolled back): changes the row only while it is still
   * at the occurrence that failed (`sendAt`) and was not edited since (`updatedAt`).
   */
  async updateIfUnchanged(id: string, seen: { sendAt: number; updatedAt: number }, set: { dueAt: number; failures: number }): Promise<boolean> {
    const r = await this.db
      .updateTable('scheduled_messages')
      .set({ due_at: set.dueAt, failures: set.failures })
      .where('id', '=', id)
      .where('send_at', '=', seen.sendAt)
      .where('updated_at', '=', seen.updatedAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async advanceIfUnchanged(id: string, seen: { sendAt: number; updatedAt: number }, next: { sendAt: number; occurrencesDone: number } | null): Promise<boolean> {
    if (next === null) {
      const r = await this.db.deleteFrom('scheduled_messages').where('id', '=', id).where('send_at', '=', seen.sendAt).where('updated_at', '=', seen.updatedAt).executeTakeFirst();
      return Number(r.numDeletedRows) > 0;
    }
    const r = await this.db
      .updateTable('scheduled_messages')
      .set({ send_at: next.sendAt, due_at: next.sendAt, occurrences_done: next.occurrencesDone, failures: 0 })
      .where('id', '=', id)
      .where('send_at', '=', seen.sendAt)
      .where('updated_at', '=', seen.updatedAt)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }
}
