/**
 * SQL for views and loading states (docs/app-platform.md §9.3, §9.4, §11.2). Like Store, a
 * transaction's ViewStore is bound to the transaction's connection.
 */
import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import type { Engine } from './database.js';
import type { InteractionLoadTable, ViewDatabase, ViewTable } from './view-tables.js';
import type { InteractionLoad, LoadEnd, View, ViewPatch, ViewSource, ViewState, ViewStorage, ViewType } from '../domain/ports/views.js';

type Db = Kysely<ViewDatabase> | Transaction<ViewDatabase>;

const num = (v: number | string) => Number(v);

// The first key of the per-person view locks (the second is the user id's hash): "SBVW". Its own
// space, so it never meets delivery-store.ts's claim locks ("SBDQ").
const PERSON_LOCK_SPACE = 0x53425657;

function toView(r: Selectable<ViewTable>): View {
  return {
    id: r.id,
    workspaceId: r.workspace_id,
    appId: r.app_id,
    userId: r.user_id,
    type: r.type as ViewType,
    stackParentId: r.stack_parent_id,
    depth: num(r.depth),
    callbackId: r.callback_id,
    notifyOnClose: num(r.notify_on_close) === 1,
    channelId: r.channel_id,
    threadRootId: r.thread_root_id,
    source: r.source as ViewSource,
    document: JSON.parse(r.document) as Record<string, unknown>,
    state: JSON.parse(r.state) as ViewState,
    version: num(r.version),
    createdAt: num(r.created_at),
    updatedAt: num(r.updated_at),
  };
}

function toRow(v: View): ViewTable {
  return {
    id: v.id,
    workspace_id: v.workspaceId,
    app_id: v.appId,
    user_id: v.userId,
    type: v.type,
    home_key: v.type === 'HOME' ? `${v.appId}:${v.userId}` : null,
    stack_parent_id: v.stackParentId,
    depth: v.depth,
    callback_id: v.callbackId,
    notify_on_close: v.notifyOnClose ? 1 : 0,
    channel_id: v.channelId,
    thread_root_id: v.threadRootId,
    source: v.source,
    document: JSON.stringify(v.document),
    state: JSON.stringify(v.state),
    version: v.version,
    created_at: v.createdAt,
    updated_at: v.updatedAt,
  };
}

function toLoad(r: Selectable<InteractionLoadTable>): InteractionLoad {
  return {
    triggerId: r.trigger_id,
    appId: r.app_id,
    workspaceId: r.workspace_id,
    userId: r.user_id,
    channelId: r.channel_id,
    blockId: r.block_id,
    sourceType: r.source_type,
    sourceId: r.source_id,
    onAction: r.on_action,
    startedAt: num(r.started_at),
    endsAt: num(r.ends_at),
    completeUntil: num(r.complete_until),
    completedAt: r.completed_at === null ? null : num(r.completed_at),
    completedBy: r.completed_by as LoadEnd | null,
  };
}

export class ViewStore implements ViewStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  /**
   * PostgreSQL: waits until no other transaction holds the person's view lock, then holds it until
   * this one ends (READ COMMITTED lets two units read the same stack otherwise; docs/app-platform.md
   * §9.3). SQLite: nothing to do, group commit already runs one unit at a time (docs/architecture.md §4).
   */
  async lockPerson(userId: string): Promise<void> {
    if (this.engine !== 'postgres') return;
    await sql`select pg_advisory_xact_lock(${PERSON_LOCK_SPACE}, hashtext(${userId}))`.execute(this.db);
  }

  async insertView(v: View): Promise<void> {
    await this.db.insertInto('views').values(toRow(v)).execute();
  }

  async view(id: string): Promise<View | undefined> {
    const r = await this.db.selectFrom('views').selectAll().where('id', '=', id).executeTakeFirst();
    return r && toView(r);
  }

  async updateView(id: string, patch: ViewPatch): Promise<View | undefined> {
    const set: Partial<ViewTable> = {};
    if (patch.callbackId !== undefined) set.callback_id = patch.callbackId;
    if (patch.notifyOnClose !== undefined) set.notify_on_close = patch.notifyOnClose ? 1 : 0;
    if (patch.document !== undefined) set.document = JSON.stringify(patch.document);
    if (patch.state !== undefined) set.state = JSON.stringify(patch.state);
    if (patch.source !== undefined) set.source = patch.source;
    if (patch.updatedAt !== undefined) set.updated_at = patch.updatedAt;
    const r = await this.db
      .updateTable('views')
      .set((eb) => ({ ...set, version: eb('version', '+', 1) }))
      .where('id', '=', id)
      .returningAll()
      .executeTakeFirst();
    return r && toView(r);
  }

  async setState(id: string, state: ViewState): Promise<void> {
    await this.db.updateTable('views').set({ state: JSON.stringify(state) }).where('id', '=', id).execute();
  }

  async deleteViews(ids: readonly string[]): Promise<void> {
    if (ids.length === 0) return;
    await this.db.deleteFrom('views').where('id', 'in', [...ids]).execute();
  }

  async modalStack(userId: string): Promise<View[]> {
    const rows = await this.db.selectFrom('views').selectAll().where('user_id', '=', userId).where('type', '=', 'MODAL').orderBy('depth').orderBy('id').execute();
    return rows.map(toView);
  }

  async homeView(appId: string, userId: string): Promise<View | undefined> {
    const r = await this.db.selectFrom('views').selectAll().where('home_key', '=', `${appId}:${userId}`).executeTakeFirst();
    return r && toView(r);
  }

  async putHomeView(v: View): Promise<View | undefined> {
    const row = toRow(v);
    // ON CONFLICT rather than catching: a failed insert would abort a PostgreSQL transaction.
    const r = await this.db
      .insertInto('views')
      .values(row)
      .onConflict((oc) => {
        const update = oc.column('home_key').doUpdateSet((eb) => ({
          document: row.document,
          state: row.state,
          source: row.source,
          updated_at: row.updated_at,
          version: eb('views.version', '+', 1),
        }));
        // A default or built-in view never replaces one the app published, even when the person's
        // read raced the app's publish (docs/app-platform.md §11.2); both engines take the WHERE.
        return v.source === 'app' ? update : update.where('views.source', '<>', 'app');
      })
      .returningAll()
      .executeTakeFirst();
    return r && toView(r);
  }

  async viewsOfApp(appId: string, workspaceId: string): Promise<View[]> {
    const rows = await this.db.selectFrom('views').selectAll().where('app_id', '=', appId).where('workspace_id', '=', workspaceId).execute();
    return rows.map(toView);
  }

  async staleModals(before: number): Promise<View[]> {
    const rows = await this.db.selectFrom('views').selectAll().where('type', '=', 'MODAL').where('updated_at', '<', before).execute();
    return rows.map(toView);
  }

  async insertLoad(l: InteractionLoad): Promise<void> {
    await this.db
      .insertInto('interaction_loads')
      .values({
        trigger_id: l.triggerId,
        app_id: l.appId,
        workspace_id: l.workspaceId,
        user_id: l.userId,
        channel_id: l.channelId,
        block_id: l.blockId,
        source_type: l.sourceType,
        source_id: l.sourceId,
        on_action: l.onAction,
        started_at: l.startedAt,
        ends_at: l.endsAt,
        complete_until: l.completeUntil,
        completed_at: l.completedAt,
        completed_by: l.completedBy,
      })
      .execute();
  }

  async load(triggerId: string): Promise<InteractionLoad | undefined> {
    const r = await this.db.selectFrom('interaction_loads').selectAll().where('trigger_id', '=', triggerId).executeTakeFirst();
    return r && toLoad(r);
  }

  async completeLoad(triggerId: string, by: LoadEnd, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('interaction_loads')
      .set({ completed_at: at, completed_by: by })
      .where('trigger_id', '=', triggerId)
      .where('completed_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async activeLoads(userId: string, now: number): Promise<InteractionLoad[]> {
    const rows = await this.db
      .selectFrom('interaction_loads')
      .selectAll()
      .where('user_id', '=', userId)
      .where('completed_at', 'is', null)
      .where('ends_at', '>', now)
      .orderBy('started_at')
      .execute();
    return rows.map(toLoad);
  }

  async pruneLoads(before: number): Promise<number> {
    const r = await this.db.deleteFrom('interaction_loads').where('started_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
