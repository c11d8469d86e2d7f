/**
 * Message retention (docs/web-client.md §7): a workspace may keep its messages for a number of days
 * only. The housekeeping calls `sweep` every round; each round deletes at most `batch` expired
 * messages per workspace, oldest first, so a workspace that just turned retention on (years of
 * history) is worked through over several rounds rather than in one long transaction.
 *
 * Every expired message goes through the one delete path (Messages.expire): its files are detached
 * (the orphan sweep removes them), its pin and saves go, search stops finding it, and its
 * `message.deleted` is told as for any delete — to the channel's open tabs and, through the outbox,
 * to apps. One frame per message is the price of keeping clients and apps exactly in step; the batch
 * bounds how many one round sends.
 */
import type { CoreContext } from './context.js';
import type { Messages } from './messages.js';

export const DAY_MS = 24 * 60 * 60_000;
/** At most this many messages per workspace per round (a round is a minute). */
export const RETENTION_BATCH = 200;
/** The longest retention an owner may set: 100 years (any more is "forever"). */
export const MAX_RETENTION_DAYS = 36_500;

export class MessageRetention {
  constructor(
    private readonly ctx: CoreContext,
    private readonly messages: Pick<Messages, 'expire'>,
  ) {}

  /** One round: each retaining workspace's oldest expired messages, at most `batch` of them. */
  async sweep(now: number, batch = RETENTION_BATCH): Promise<{ messages: number }> {
    let messages = 0;
    for (const { workspaceId, days } of await this.ctx.store.workspacesWithRetention()) {
      for (const m of await this.ctx.store.expiredMessages(workspaceId, now - days * DAY_MS, batch)) {
        if (await this.messages.expire(workspaceId, m.channelId, m.id)) messages++;
      }
    }
    return { messages };
  }
}
