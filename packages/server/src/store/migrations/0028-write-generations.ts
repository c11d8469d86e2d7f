/**
 * Migration 0028_write_generations: a count of committed writes per group of tables that the server
 * remembers reads of (store/write-watch.ts: sessions and people; apps, installations and
 * authorizations; channels and who belongs to them), kept by triggers, so that every connection —
 * another worker (WORKERS > 1), the admin command, any program — tells the others exactly which
 * group it wrote. Until now any commit by another connection (`PRAGMA data_version`) voided every
 * remembered read, and with two workers that was nearly every turn of the event loop. Updates of a
 * membership (read markers, notification levels) do not count, as the statement watch does not count
 * them either. SQLite only: PostgreSQL remembers nothing (other nodes write there).
 *
 * Frozen: this file is history. It ran on databases that exist; never change what it does — write a
 * new migration instead. It is written against Kysely<any> and imports nothing but 'kysely'.
 */
import { sql, SqliteAdapter, type Kysely } from 'kysely';

const GROUPS: Record<string, Array<[table: string, events: Array<'insert' | 'update' | 'delete'>]>> = {
  auth: [
    ['sessions', ['insert', 'update', 'delete']],
    ['workspace_users', ['insert', 'update', 'delete']],
  ],
  apps: [
    ['apps', ['insert', 'update', 'delete']],
    ['app_installations', ['insert', 'update', 'delete']],
    ['app_authorizations', ['insert', 'update', 'delete']],
  ],
  channels: [
    ['channels', ['insert', 'update', 'delete']],
    ['channel_members', ['insert', 'delete']],
  ],
};

export async function up(db: Kysely<any>): Promise<void> {
  if (!(db.getExecutor().adapter instanceof SqliteAdapter)) return;
  await sql`create table write_generations (grp text primary key, n integer not null default 0) without rowid`.execute(db);
  for (const [group, tables] of Object.entries(GROUPS)) {
    await sql`insert into write_generations (grp, n) values (${group}, 0)`.execute(db);
    for (const [table, events] of tables) {
      for (const event of events) {
        // One bump per statement would do, but SQLite has only row triggers; a row costs a page already in cache.
        await sql
          .raw(`create trigger write_generation_${table}_${event} after ${event} on ${table} begin update write_generations set n = n + 1 where grp = '${group}'; end`)
          .execute(db);
      }
    }
  }
}
