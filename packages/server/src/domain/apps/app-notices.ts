/**
 * Owner notices for apps' event subscriptions (docs/delivery.md §5, §7): when an app's endpoint is
 * disabled (410 or sustained failure), or — at most once a day — when a delivery to it is given
 * up, the app's owner gets a DM from the workspace's Switchboard system bot naming the app, the
 * endpoint, the reason, the last error and status, and how to see the log, re-enable and recover.
 * When the owner is gone, the workspace's admins get it.
 *
 * Durable: the delivery queue writes the notice in the transaction that decides it; here it is
 * taken in the same transaction that writes the DMs, so it is told exactly once however many
 * nodes retry it, and a crash before that leaves it for the queue's housekeeping to hand over again.
 * The DMs go the way every message goes (Channels.openDirect, insertPosted through `commit`), like
 * the integrations' disable notices and the apps' welcome messages.
 */
import type { Channels } from '../channels.js';
import { commit, type CoreContext } from '../context.js';
import { newId } from '../ids.js';
import { insertPosted } from '../messages.js';
import { isAdmin, type User } from '../model.js';
import type { Manifest } from './manifest.js';
import { systemBot } from './system-bot.js';
import type { DeliveryNotice } from '../ports/deliveries.js';

export type NoticeOutcome =
  /** the DMs were written (to these users) */
  | { told: string[] }
  /** nothing was written, and nothing will be: why (the caller logs it) */
  | { dropped: string }
  /** another node or an earlier try told it already */
  | { alreadyTold: true };

const DISABLED_REASON: Record<string, string> = {
  'http-410': 'the endpoint answered 410 Gone, which means "stop sending"',
  'sustained-failure': 'every delivery to it has failed for days (automatic disable after sustained failure)',
  manual: 'they were switched off',
};

const FAILING_REASON: Record<string, string> = {
  exhausted: 'a delivery was given up after its last retry',
  'backlog-full': 'too many deliveries are waiting, so new ones are recorded as failed',
};

export class AppDeliveryNotices {
  constructor(
    private readonly ctx: CoreContext,
    private readonly channels: Channels,
    private readonly publicUrl: () => string,
  ) {}

  async deliver(notice: DeliveryNotice): Promise<NoticeOutcome> {
    const { store } = this.ctx;
    const app = await store.app(notice.endpointId);
    if (!app) return this.drop(notice, 'the app no longer exists');
    if (notice.kind === 'disabled' && !(await store.deliveries.endpoint(app.id))?.disabled) {
      return this.drop(notice, 'the event subscription was re-enabled before the notice went out');
    }
    const recipients = await this.recipients(app.workspaceId, app.ownerId);
    if (recipients.length === 0) return this.drop(notice, 'neither the owner nor any admin of the workspace is active');

    const text = this.text(notice, { id: app.id, workspaceId: app.workspaceId, ownerId: app.ownerId, manifest: app.manifest });
    const bot = await systemBot(this.ctx, app.workspaceId);
    // Opening a DM is idempotent (get or create): done first, so the one transaction below only
    // takes the notice and writes the messages.
    const dms: string[] = [];
    for (const to of recipients) dms.push((await this.channels.openDirect(bot, [to.id])).channel.id);
    const told = await commit(this.ctx, async (tx, notices) => {
      if (!(await tx.deliveries.takeNotice(notice.id))) return false;
      for (const channelId of dms) {
        const t = this.ctx.now();
        await insertPosted(tx, notices, { id: newId(t), workspaceId: app.workspaceId, channelId, authorId: bot.id, text, blocks: null, attachments: null, threadRootId: null, now: t });
      }
      return true;
    });
    return told ? { told: recipients.map((u) => u.id) } : { alreadyTold: true };
  }

  /** The owner while active; else the workspace's active admins (docs/delivery.md §7). */
  private async recipients(workspaceId: string, ownerId: string): Promise<User[]> {
    const active = (u: User | undefined): u is User => u !== undefined && u.status === 'ACTIVATED' && !u.isBot;
    const owner = await this.ctx.store.user(workspaceId, ownerId);
    if (active(owner)) return [owner];
    return (await this.ctx.store.users(workspaceId)).filter((u) => active(u) && isAdmin(u));
  }

  private async drop(notice: DeliveryNotice, why: string): Promise<NoticeOutcome> {
    return (await this.ctx.store.deliveries.takeNotice(notice.id)) ? { dropped: why } : { alreadyTold: true };
  }

  private text(notice: DeliveryNotice, app: { id: string; workspaceId: string; ownerId: string; manifest: Manifest }): string {
    const name = `**${app.manifest.displayName}** (${app.manifest.name}, id \`${app.id}\`)`;
    const base = `${this.publicUrl()}/workspaces/${app.workspaceId}/workspaceUsers/${app.ownerId}/apps/${app.id}`;
    const endpoint = notice.url ?? app.manifest.eventSubscriptions.url ?? 'socket mode';
    const status = notice.lastStatusCode !== null ? `HTTP ${notice.lastStatusCode}` : 'no HTTP status';
    const lastError = notice.lastError ? `Last error: ${notice.lastError} (${status}).` : undefined;
    const since = new Date(notice.createdAt).toISOString();
    const recover = `• recover failed deliveries (same ids): \`POST ${base}/deliveries/recover\` with \`{"since": <epoch ms>, "until": <epoch ms>}\``;
    const log = `• delivery log: \`GET ${base}/deliveries\``;
    const lines =
      notice.kind === 'disabled'
        ? [
            `Event deliveries to your app ${name} were disabled at ${since}: ${DISABLED_REASON[notice.reason] ?? notice.reason}.`,
            `Endpoint: ${endpoint}`,
            ...(lastError ? [lastError] : []),
            'Pending deliveries were marked failed, and new events are recorded as failed until you re-enable them. Slash commands and other triggers still reach the app.',
            'Once the endpoint works again:',
            `• re-enable event deliveries: \`POST ${base}/events/enable\``,
            recover,
            log,
          ]
        : [
            `Deliveries of events to your app ${name} are failing: ${FAILING_REASON[notice.reason] ?? notice.reason} (${since}).`,
            `Endpoint: ${endpoint}`,
            ...(lastError ? [lastError] : []),
            'New events are still sent; if every delivery keeps failing for days, event deliveries are disabled.',
            recover,
            log,
            'You get at most one such notice a day for this app.',
          ];
    return lines.join('\n');
  }
}
