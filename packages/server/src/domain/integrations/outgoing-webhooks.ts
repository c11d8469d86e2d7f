/**
 * Outgoing webhooks (docs/integrations.md §8): the core side of their deliveries. Expansion (which
 * events fire which integrations) is in outgoing-events.ts and runs in the outbox dispatcher, the
 * bodies rendered by the surface's OutgoingRenderer; attempts run here, called by the delivery queue's executor for class `outgoing`
 * (workers/outgoing-executor.ts), which does the signed HTTP call. This class also disables an
 * integration whose endpoint was disabled (410, sustained failure) and tells its creator, replays
 * recorded calls (§6.8) and prunes history past retention (§8.9).
 */
import type { Delivery } from '../ports/deliveries.js';
import type { CoreContext } from '../context.js';
import { commit } from '../context.js';
import { isAdmin, type User } from '../model.js';
import type { IntegrationDoc, OutgoingReplay } from './document.js';
import { codedError } from './errors.js';
import type { IntegrationPoster } from './poster.js';
import type { IntegrationScripts } from './scripts-port.js';
import { isOutgoingDoc, rebuildOutgoingPayload, type OutgoingRenderer } from './outgoing-events.js';
import { newDeliveryId } from '../ids.js';
import { runOutgoingAttempt, type AttemptIo, type AttemptOutcome } from './outgoing-attempt.js';
import { MAX_WEBHOOK_HOPS } from './outgoing-match.js';
import { normalizeIncomingPayload } from './incoming-payload.js';
import { redactString } from './history-redaction.js';

export interface OutgoingWebhooksOptions {
  scripts: IntegrationScripts;
  poster: IntegrationPoster;
  /** the bodies and HTTP calls of outgoing webhooks (the Rocket.Chat surface's, handed in by the composition root) */
  renderer: OutgoingRenderer;
  publicUrl: () => string;
}

const DAY_MS = 24 * 60 * 60 * 1000;

/** The `disabledReason`s the delivery layer can cause (§4), and how the owner notice words them. */
const REASON_TEXT = {
  'http-410': 'its receiver answered 410 Gone',
  'sustained-failure': 'its calls have kept failing for too long (sustained failure)',
} as const;
export type ServerDisableReason = keyof typeof REASON_TEXT;

export class OutgoingWebhooks implements OutgoingReplay {
  /** Told when a replay queued a delivery (the queue wires itself in; without it the queue's poll finds it). */
  onQueued: () => void = () => {};

  constructor(
    readonly ctx: CoreContext,
    readonly opts: OutgoingWebhooksOptions,
  ) {}

  /** One attempt of a leased delivery of class `outgoing` (§8.5–§8.9). */
  attempt(d: Delivery, io: AttemptIo): Promise<AttemptOutcome> {
    const { scripts, poster, renderer, publicUrl } = this.opts;
    return runOutgoingAttempt({ ctx: this.ctx, scripts, poster, renderer, siteUrl: publicUrl }, d, io);
  }

  /**
   * §6.8: the recorded call again, to its stored `url` and `event`, under the same delivery id (so
   * the same `webhook-id`). A delivery still in the log is re-queued as a manual sequence, whose
   * attempts render the payload again from what its ids name today; one pruned from the log is
   * recorded anew under its old id, with the payload rendered now. No stored `url`: nothing to do.
   */
  async replay(workspaceId: string, integration: IntegrationDoc, history: { id: string; deliveryId: string | null; record: Record<string, unknown> }): Promise<void> {
    const url = typeof history.record.url === 'string' && history.record.url.trim() !== '' ? history.record.url : undefined;
    if (!url) return;
    if (!isOutgoingDoc(integration)) throw codedError('integration-type-must-be-outgoing', 'Integration type must be outgoing');
    if (!integration.enabled) throw codedError('error-integration-disabled', 'The integration is disabled; enable it before replaying its calls');
    const event = typeof history.record.event === 'string' ? history.record.event : integration.event;
    const { store } = this.ctx;
    const now = this.ctx.now();
    const existing = history.deliveryId ? await store.deliveries.delivery(history.deliveryId) : undefined;
    const payload = existing ? undefined : await rebuildOutgoingPayload(store, workspaceId, integration, event, history.record.data, this.opts.publicUrl(), now, this.opts.renderer);
    if (!existing && !payload) throw codedError('history-data-must-be-defined', 'History data must be defined');

    const outcome = await commit(this.ctx, async (tx) => {
      // The document decides: an endpoint still disabled from before the integration was re-enabled starts afresh.
      if ((await tx.deliveries.endpoint(integration._id))?.disabled) await tx.deliveries.enableEndpoint(integration._id);
      if (existing) return tx.deliveries.replay(existing.id, now);
      const result = await tx.deliveries.enqueue({
        id: history.deliveryId ?? newDeliveryId(now),
        class: 'outgoing',
        endpointType: 'integration',
        endpointId: integration._id,
        url,
        eventType: event,
        // Unique per replayed record, so a second replay of it is one more delivery row only if the first is gone too.
        eventId: `replay:${history.id}`,
        workspaceId,
        payload: JSON.stringify(payload),
        signingKeyRef: integration._id,
        keepPayload: integration.storePayloadsInHistory !== false,
        now,
      });
      return result.outcome === 'endpoint-disabled' ? 'endpoint-disabled' : 'queued';
    });
    if (outcome === 'endpoint-disabled') throw codedError('error-integration-disabled', 'The integration is disabled; enable it before replaying its calls');
    // Payloads kept out of history: the body was dropped and the record's data is only a digest.
    if (outcome === 'payload-not-stored') throw codedError('history-data-must-be-defined', 'History data must be defined');
    // 'pending': already waiting for its next attempt — the replay is that attempt.
    if (outcome === 'queued') this.onQueued();
  }

  /**
   * The delivery layer disabled the integration's endpoint (docs/delivery.md §7): the integration is
   * switched off with the reason (§4 `disabledReason`) and its creator is told. The notice is a DM
   * from the integration's post-as user to the creator (workspace admins when the creator is gone),
   * tagged as the integration's with the hop counter at its limit, so that no outgoing integration
   * — this one included — fires on it (§8.3). Nothing happens when the integration is already off.
   */
  async endpointDisabled(integrationId: string, reason: ServerDisableReason, lastError: string | null): Promise<void> {
    const disabled = await commit(this.ctx, async (tx) => {
      const found = await tx.integrations.find(integrationId);
      if (!found || !found.doc.enabled) return undefined;
      const doc: IntegrationDoc = { ...found.doc, enabled: false, disabledReason: reason, _updatedAt: new Date(this.ctx.now()).toISOString() };
      await tx.integrations.save(found.workspaceId, doc);
      return { workspaceId: found.workspaceId, doc };
    });
    if (disabled) await this.noticeDisabled(disabled.workspaceId, disabled.doc, reason, lastError);
  }

  private async noticeDisabled(workspaceId: string, doc: IntegrationDoc, reason: ServerDisableReason, lastError: string | null): Promise<void> {
    const { store } = this.ctx;
    const active = (u: User | undefined): u is User => u?.status === 'ACTIVATED';
    const creator = await store.user(workspaceId, doc._createdBy._id);
    const recipients = active(creator) ? [creator] : (await store.users(workspaceId)).filter((u) => active(u) && isAdmin(u) && !u.isBot);
    const postAs = await store.user(workspaceId, doc.userId);
    const secrets = [doc.token, doc.webhookSecret ?? ''];
    const text = [
      `The outgoing webhook "${doc.name}" was disabled: ${REASON_TEXT[reason]}.`,
      ...(lastError ? [`Last error: ${redactString(lastError, secrets)}.`] : []),
      `Calls to ${(doc.urls ?? []).map((u) => redactString(u, secrets)).join(', ')} have stopped.`,
      'Re-enable it in the integration settings (integrations.update with enabled: true) once the receiver is fixed.',
    ].join('\n');
    for (const to of recipients) {
      // The creator's own notes when the post-as user is gone: a DM with themself.
      const from = active(postAs) ? postAs : to;
      const request = normalizeIncomingPayload(
        { text, channel: `@${to.id}` },
        { _id: doc._id, channel: [], alias: '', avatar: '', emoji: '' },
        { destinationOverride: 'always', bot: { i: doc._id, hops: MAX_WEBHOOK_HOPS } },
      );
      await this.opts.poster.post({ workspaceId, integration: doc, user: from, request });
    }
  }

  /** §8.9 retention: history records older than `days` go (incoming ones too). */
  async pruneHistory(now: number, days: number): Promise<number> {
    return this.ctx.store.integrations.pruneHistory(now - days * DAY_MS);
  }
}
