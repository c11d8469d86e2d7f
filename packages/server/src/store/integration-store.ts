/**
 * SQL for integrations, their history and the role → permission mapping (docs/integrations.md §4–§6,
 * §8.9). Like Store, a transaction's IntegrationStore is bound to the transaction's connection
 * (reach it as `tx.integrations` inside Store.transaction).
 */
import { createHash } from 'node:crypto';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { PreparedQuery } from './prepared.js';
import type { Database } from './schema.js';
import type { IntegrationDoc, IntegrationType, StoredIntegration } from '../domain/integrations/document.js';
import type { Engine } from './database.js';
import type { IntegrationDatabase, IntegrationHistoryTable } from './integration-tables.js';
import type { HistoryListQuery, HistoryRow, IntegrationListQuery, IntegrationStorage } from '../domain/ports/integrations.js';
import { num } from './columns.js';

type Db = Kysely<IntegrationDatabase> | Transaction<IntegrationDatabase>;

const SORT_COLUMN = { _createdAt: 'created_at', _updatedAt: 'updated_at', name: 'name_key', type: 'type' } as const;

/** The outbox reads it for every batch of events: compiled once (see prepared.ts). */
const ofTypeAndEvent = new PreparedQuery(3, (db, workspaceId: string, type: IntegrationType, event: string) =>
  db.selectFrom('integrations').select('doc').where('workspace_id', '=', workspaceId).where('type', '=', type).where('event', '=', event).orderBy('created_at').orderBy('id'),
);

export class IntegrationStore implements IntegrationStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  async insert(workspaceId: string, doc: IntegrationDoc): Promise<void> {
    await this.db.insertInto('integrations').values({ id: doc._id, workspace_id: workspaceId, ...columns(doc), created_at: Date.parse(doc._createdAt) }).execute();
  }

  /** Writes the whole document (the row's searchable columns follow it). */
  async save(workspaceId: string, doc: IntegrationDoc): Promise<void> {
    await this.db.updateTable('integrations').set(columns(doc)).where('id', '=', doc._id).where('workspace_id', '=', workspaceId).execute();
  }

  async get(workspaceId: string, id: string): Promise<IntegrationDoc | undefined> {
    const r = await this.db.selectFrom('integrations').select('doc').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return r && (JSON.parse(r.doc) as IntegrationDoc);
  }

  /** By id alone: webhook URLs carry no workspace. */
  async find(id: string): Promise<StoredIntegration | undefined> {
    const r = await this.db.selectFrom('integrations').select(['workspace_id', 'doc']).where('id', '=', id).executeTakeFirst();
    return r && { workspaceId: r.workspace_id, doc: JSON.parse(r.doc) as IntegrationDoc };
  }

  /** Deletes the integration and all its history (§6.5); false when there was none. */
  async delete(workspaceId: string, id: string): Promise<boolean> {
    await this.db.deleteFrom('integration_history').where('integration_id', '=', id).where('workspace_id', '=', workspaceId).execute();
    const r = await this.db.deleteFrom('integrations').where('id', '=', id).where('workspace_id', '=', workspaceId).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async list(workspaceId: string, q: IntegrationListQuery): Promise<{ items: IntegrationDoc[]; total: number }> {
    if (q.scope !== 'all' && q.scope.length === 0) return { items: [], total: 0 };
    let base = this.db.selectFrom('integrations').where('workspace_id', '=', workspaceId);
    if (q.scope !== 'all') {
      const terms = q.scope;
      base = base.where((eb) =>
        eb.or(terms.map((t) => (t.createdBy === undefined ? eb('type', '=', t.type) : eb.and([eb('type', '=', t.type), eb('created_by', '=', t.createdBy)])))),
      );
    }
    if (q.name) base = base.where('name_key', 'like', `%${likeEscape(q.name.toLowerCase())}%`);
    if (q.type) base = base.where('type', '=', q.type);
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .select('doc')
      .orderBy(SORT_COLUMN[q.sort.field], q.sort.direction)
      .orderBy('id', q.sort.direction)
      .offset(q.offset)
      .limit(q.count)
      .execute();
    return { items: rows.map((r) => JSON.parse(r.doc) as IntegrationDoc), total: Number(counted.n) };
  }

  /**
   * The workspace's integrations of `type` whose token is `token`, looked up by its SHA-256 (the
   * caller still compares the token itself in constant time).
   */
  async byToken(workspaceId: string, type: IntegrationType, token: string): Promise<IntegrationDoc[]> {
    const rows = await this.db
      .selectFrom('integrations')
      .select('doc')
      .where('workspace_id', '=', workspaceId)
      .where('token_hash', '=', tokenHash(token))
      .where('type', '=', type)
      .execute();
    return rows.map((r) => JSON.parse(r.doc) as IntegrationDoc);
  }

  /** A workspace's integrations of one type (and outgoing event), oldest first: what the matcher reads. */
  async ofType(workspaceId: string, type: IntegrationType, event?: string): Promise<IntegrationDoc[]> {
    const rows =
      event !== undefined
        ? await ofTypeAndEvent.execute(this.db as unknown as Kysely<Database>, workspaceId, type, event)
        : await this.db.selectFrom('integrations').select('doc').where('workspace_id', '=', workspaceId).where('type', '=', type).orderBy('created_at').orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.doc) as IntegrationDoc);
  }

  /** Every integration posting as this user (user deleted or deactivated, §4 lifecycle). */
  async postingAs(workspaceId: string, userId: string): Promise<IntegrationDoc[]> {
    const rows = await this.db.selectFrom('integrations').select('doc').where('workspace_id', '=', workspaceId).orderBy('id').execute();
    return rows.map((r) => JSON.parse(r.doc) as IntegrationDoc).filter((d) => d.userId === userId);
  }

  // ---- history (§8.9) ------------------------------------------------------------------

  async insertHistory(h: HistoryRow<object>): Promise<void> {
    await this.db
      .insertInto('integration_history')
      .values({
        id: h.id,
        workspace_id: h.workspaceId,
        integration_id: h.integrationId,
        type: h.type,
        integration_created_by: h.integrationCreatedBy,
        delivery_id: h.deliveryId,
        created_at: h.createdAt,
        updated_at: h.updatedAt,
        record: JSON.stringify(h.record),
      })
      .execute();
  }

  /** Rewrites a record in place as its attempt progresses. */
  async updateHistory(id: string, record: object, updatedAt: number): Promise<void> {
    await this.db.updateTable('integration_history').set({ record: JSON.stringify(record), updated_at: updatedAt }).where('id', '=', id).execute();
  }

  async historyRecord(integrationId: string, id: string): Promise<HistoryRow | undefined> {
    const r = await this.db.selectFrom('integration_history').selectAll().where('id', '=', id).where('integration_id', '=', integrationId).executeTakeFirst();
    return r && toHistory(r);
  }

  async listHistory(workspaceId: string, q: HistoryListQuery): Promise<{ items: HistoryRow[]; total: number }> {
    let base = this.db
      .selectFrom('integration_history')
      .where('workspace_id', '=', workspaceId)
      .where('integration_id', '=', q.integrationId)
      .where('type', '=', q.type);
    if (q.createdBy !== undefined) base = base.where('integration_created_by', '=', q.createdBy);
    const counted = await base.select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    const rows = await base
      .selectAll()
      .orderBy(q.sort.field === '_createdAt' ? 'created_at' : 'updated_at', q.sort.direction)
      .orderBy('id', q.sort.direction)
      .offset(q.offset)
      .limit(q.count)
      .execute();
    return { items: rows.map(toHistory), total: Number(counted.n) };
  }

  async clearHistory(workspaceId: string, integrationId: string): Promise<number> {
    const r = await this.db.deleteFrom('integration_history').where('workspace_id', '=', workspaceId).where('integration_id', '=', integrationId).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  /** Retention (§8.9): deletes records created before `before`. */
  async pruneHistory(before: number): Promise<number> {
    const r = await this.db.deleteFrom('integration_history').where('created_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- role → permission mapping (§5) ------------------------------------------------------

  /** The permissions this workspace has changed from the defaults. */
  async rolePermissions(workspaceId: string): Promise<Map<string, string[]>> {
    const rows = await this.db.selectFrom('role_permissions').select(['permission', 'roles']).where('workspace_id', '=', workspaceId).execute();
    return new Map(rows.map((r) => [r.permission, JSON.parse(r.roles) as string[]]));
  }

  async setRolePermission(workspaceId: string, permission: string, roles: readonly string[], now: number): Promise<void> {
    await this.db
      .insertInto('role_permissions')
      .values({ workspace_id: workspaceId, permission, roles: JSON.stringify(roles), updated_at: now })
      .onConflict((oc) => oc.columns(['workspace_id', 'permission']).doUpdateSet({ roles: JSON.stringify(roles), updated_at: now }))
      .execute();
  }
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex');

function columns(doc: IntegrationDoc) {
  return {
    type: doc.type,
    event: doc.event ?? null,
    enabled: doc.enabled ? 1 : 0,
    name: doc.name,
    name_key: doc.name.toLowerCase(),
    created_by: doc._createdBy._id,
    updated_at: Date.parse(doc._updatedAt),
    token_hash: tokenHash(doc.token),
    doc: JSON.stringify(doc),
  };
}

function toHistory(r: Selectable<IntegrationHistoryTable>): HistoryRow {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    integrationId: r.integration_id,
    type: r.type as HistoryRow['type'],
    integrationCreatedBy: r.integration_created_by,
    deliveryId: r.delivery_id,
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
    record: JSON.parse(r.record) as Record<string, unknown>,
  };
}

/** LIKE with `%` and `_` taken literally: they are replaced by the single-character wildcard's safe form. */
function likeEscape(s: string): string {
  // Both engines' LIKE treat `_` as "any one character"; matching a bit more is acceptable for a
  // name filter, and escaping differs between engines. `%` would match anything, so it becomes `_`.
  return s.replace(/%/g, '_');
}
