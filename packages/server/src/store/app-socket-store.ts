/**
 * SQL for socket mode (docs/app-platform.md §10): handshake tickets and the live socket registry.
 * Like Store, a transaction's AppSocketStore is bound to the transaction's connection.
 */
import type { Kysely, Transaction } from 'kysely';
import type { AppSocketDatabase } from './app-socket-tables.js';
import type { AppSocketRecord, AppSocketStorage } from '../domain/ports/app-sockets.js';
import { num } from './columns.js';

type Db = Kysely<AppSocketDatabase> | Transaction<AppSocketDatabase>;

export class AppSocketStore implements AppSocketStorage {
  private readonly db: Db;

  constructor(db: Kysely<any> | Transaction<any>) {
    this.db = db as Db;
  }

  async insertTicket(t: { ticketHash: string; appId: string; now: number; expiresAt: number }): Promise<void> {
    await this.db.insertInto('app_socket_tickets').values({ ticket_hash: t.ticketHash, app_id: t.appId, created_at: t.now, expires_at: t.expiresAt }).execute();
  }

  async redeemTicket(ticketHash: string, now: number): Promise<string | undefined> {
    // DELETE … RETURNING (SQLite ≥ 3.35, PostgreSQL): the row goes whether or not it expired, and
    // only the one statement that deleted it sees it, so a ticket admits one socket at most.
    const row = await this.db.deleteFrom('app_socket_tickets').where('ticket_hash', '=', ticketHash).returning(['app_id', 'expires_at']).executeTakeFirst();
    return row && num(row.expires_at) > now ? row.app_id : undefined;
  }

  async liveSockets(appId: string, liveSince: number): Promise<AppSocketRecord[]> {
    const rows = await this.db
      .selectFrom('app_sockets')
      .selectAll()
      .where('app_id', '=', appId)
      .where('seen_at', '>', liveSince)
      .orderBy('opened_at')
      .orderBy('id')
      .execute();
    return rows.map((r) => ({ id: r.id, appId: r.app_id, nodeId: r.node_id, openedAt: num(r.opened_at), seenAt: num(r.seen_at) }));
  }

  async insertSocket(s: { id: string; appId: string; nodeId: string; now: number }): Promise<void> {
    await this.db.insertInto('app_sockets').values({ id: s.id, app_id: s.appId, node_id: s.nodeId, opened_at: s.now, seen_at: s.now }).execute();
  }

  async deleteSocket(id: string): Promise<void> {
    await this.db.deleteFrom('app_sockets').where('id', '=', id).execute();
  }
  async deleteSockets(ids: readonly string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const r = await this.db.deleteFrom('app_sockets').where('id', 'in', [...ids]).executeTakeFirst();
    return Number(r.numDeletedRows);
  }


  async revokeApp(appId: string): Promise<string[]> {
    await this.db.deleteFrom('app_socket_tickets').where('app_id', '=', appId).execute();
    const rows = await this.db.deleteFrom('app_sockets').where('app_id', '=', appId).returning('id').execute();
    return rows.map((r) => r.id);
  }

  async deleteNode(nodeId: string): Promise<number> {
    const r = await this.db.deleteFrom('app_sockets').where('node_id', '=', nodeId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async touchSockets(nodeId: string, sockets: readonly { id: string; appId: string; openedAt: number }[], now: number): Promise<void> {
    if (sockets.length === 0) return;
    // An upsert, not an UPDATE: a row pruned while this node could not vouch for it comes back.
    await this.db
      .insertInto('app_sockets')
      .values(sockets.map((s) => ({ id: s.id, app_id: s.appId, node_id: nodeId, opened_at: s.openedAt, seen_at: now })))
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: now }))
      .execute();
  }

  async prune(now: number, staleBefore: number): Promise<{ tickets: number; sockets: number }> {
    const t = await this.db.deleteFrom('app_socket_tickets').where('expires_at', '<=', now).executeTakeFirst();
    const s = await this.db.deleteFrom('app_sockets').where('seen_at', '<=', staleBefore).executeTakeFirst();
    return { tickets: Number(t.numDeletedRows), sockets: Number(s.numDeletedRows) };
  }
}
