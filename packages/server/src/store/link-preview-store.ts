/**
 * SQL for link previews (docs/web-client.md §6.1), reached as `store.linkPreviews`: the workspace
 * setting, the per-URL cache, the jobs the worker leases, and a message's previews. Inside
 * `Store.transaction` it is bound to the transaction, so previews attach together with the job's end.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Engine } from './engine.js';
import type { LinkPreviewCacheTable, LinkPreviewDatabase, LinkPreviewJobTable } from './link-preview-tables.js';
import type { CachedPreview, LinkPreviewJob, LinkPreviewStorage, MessagePreviews, PreviewStatus } from '../domain/ports/link-previews.js';
import type { LinkPreview } from '../domain/model.js';
import { num } from './columns.js';

type Db = Kysely<LinkPreviewDatabase> | Transaction<LinkPreviewDatabase>;

const STATUSES: readonly PreviewStatus[] = ['ok', 'none', 'failed'];

function toCached(r: Selectable<LinkPreviewCacheTable>): CachedPreview {
  const status = (STATUSES as readonly string[]).includes(r.status) ? (r.status as PreviewStatus) : 'failed';
  return {
    url: r.url,
    status,
    preview: status === 'ok' ? { url: r.url, title: r.title, description: r.description, imageUrl: r.image_url, siteName: r.site_name } : null,
    fetchedAt: num(r.fetched_at),
    expiresAt: num(r.expires_at),
  };
}

function toJob(r: Selectable<LinkPreviewJobTable>): LinkPreviewJob {
  return {
    messageId: r.message_id,
    workspaceId: r.workspace_id,
    channelId: r.channel_id,
    urls: JSON.parse(r.urls) as string[],
    attempts: num(r.attempts),
    lockedBy: r.locked_by,
  };
}

/** The stored list, or [] for none (or a value that is not a list). */
function parseList<T>(text: string | null): T[] {
  if (!text) return [];
  const value = JSON.parse(text) as unknown;
  return Array.isArray(value) ? (value as T[]) : [];
}

export class LinkPreviewStore implements LinkPreviewStorage {
  private readonly db: Db;

  constructor(
    db: Kysely<any> | Transaction<any>,
    private readonly engine: Engine,
  ) {
    this.db = db as Db;
  }

  // ---- the workspace setting ----------------------------------------------------------------

  async enabled(workspaceId: string): Promise<boolean> {
    const r = await this.db.selectFrom('workspaces').select('link_previews').where('id', '=', workspaceId).executeTakeFirst();
    return r !== undefined && num(r.link_previews) === 1;
  }

  async setEnabled(workspaceId: string, enabled: boolean): Promise<void> {
    await this.db.updateTable('workspaces').set({ link_previews: enabled ? 1 : 0 }).where('id', '=', workspaceId).execute();
  }

  // ---- jobs -------------------------------------------------------------------------------------

  async enqueue(job: { messageId: string; workspaceId: string; channelId: string; urls: readonly string[]; now: number }): Promise<void> {
    const urls = JSON.stringify(job.urls);
    await this.db
      .insertInto('link_preview_jobs')
      .values({ message_id: job.messageId, workspace_id: job.workspaceId, channel_id: job.channelId, urls, attempts: 0, due_at: job.now, locked_until: null, locked_by: null, created_at: job.now })
      .onConflict((oc) => oc.column('message_id').doUpdateSet({ urls, attempts: 0, due_at: job.now, locked_until: null, locked_by: null }))
      .execute();
  }

  async claim(now: number, leaseMs: number, lockedBy: string, limit: number): Promise<LinkPreviewJob[]> {
    if (limit <= 0) return [];
    // Polled every second on every node: an idle poll reads, it does not write.
    const any = await this.db.selectFrom('link_preview_jobs').select('message_id').where('due_at', '<=', now).limit(1).executeTakeFirst();
    if (!any) return [];
    let due = this.db
      .selectFrom('link_preview_jobs')
      .select('message_id')
      .where('due_at', '<=', now)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .orderBy('due_at')
      .limit(limit);
    // Another node's claim in flight keeps its rows; this one takes the next ones.
    if (this.engine === 'postgres') due = due.forUpdate().skipLocked();
    const rows = await this.db
      .updateTable('link_preview_jobs')
      .set((eb) => ({ locked_until: now + leaseMs, locked_by: lockedBy, attempts: eb('attempts', '+', 1) }))
      .where('message_id', 'in', due)
      .where((eb) => eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)]))
      .returningAll()
      .execute();
    return rows.map(toJob).sort((a, b) => (a.messageId < b.messageId ? -1 : a.messageId > b.messageId ? 1 : 0));
  }

  async finish(messageId: string, lockedBy: string): Promise<boolean> {
    const r = await this.db.deleteFrom('link_preview_jobs').where('message_id', '=', messageId).where('locked_by', '=', lockedBy).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async retry(messageId: string, lockedBy: string, dueAt: number): Promise<void> {
    await this.db
      .updateTable('link_preview_jobs')
      .set({ due_at: dueAt, locked_until: null, locked_by: null })
      .where('message_id', '=', messageId)
      .where('locked_by', '=', lockedBy)
      .execute();
  }

  // ---- the cache ----------------------------------------------------------------------------------

  async cached(url: string, now: number): Promise<CachedPreview | undefined> {
    const r = await this.db.selectFrom('link_previews').selectAll().where('url', '=', url).where('expires_at', '>', now).executeTakeFirst();
    return r && toCached(r);
  }

  async saveCache(e: CachedPreview): Promise<void> {
    const p = e.status === 'ok' ? e.preview : null;
    const row = {
      status: e.status,
      title: p?.title ?? null,
      description: p?.description ?? null,
      image_url: p?.imageUrl ?? null,
      site_name: p?.siteName ?? null,
      fetched_at: e.fetchedAt,
      expires_at: e.expiresAt,
    };
    await this.db
      .insertInto('link_previews')
      .values({ url: e.url, ...row })
      .onConflict((oc) => oc.column('url').doUpdateSet(row))
      .execute();
  }

  async pruneCache(before: number): Promise<number> {
    const r = await this.db.deleteFrom('link_previews').where('expires_at', '<', before).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  // ---- a message's previews ------------------------------------------------------------------------

  async ofMessage(messageId: string): Promise<MessagePreviews> {
    const r = await this.db.selectFrom('messages').select(['link_previews', 'link_previews_removed']).where('id', '=', messageId).executeTakeFirst();
    return { shown: parseList<LinkPreview>(r?.link_previews ?? null), removed: parseList<string>(r?.link_previews_removed ?? null) };
  }

  async setForMessage(messageId: string, previews: MessagePreviews): Promise<void> {
    await this.db
      .updateTable('messages')
      .set({
        link_previews: previews.shown.length > 0 ? JSON.stringify(previews.shown) : null,
        link_previews_removed: previews.removed.length > 0 ? JSON.stringify(previews.removed) : null,
      })
      .where('id', '=', messageId)
      .execute();
  }
}
