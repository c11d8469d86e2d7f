import type { Expander } from './dispatcher.js';
import { planOutgoingCalls, type OutgoingRenderer } from '../domain/integrations/outgoing-events.js';
import { newDeliveryId } from '../domain/ids.js';

/**
 * Outbox → outgoing-webhook deliveries (docs/integrations.md §8, docs/delivery.md §2.2): one delivery per
 * (event, integration, URL), written in the dispatcher's transaction. The body is the full
 * docs/integrations.md §8.4 payload, rendered once here by the renderer the composition root hands in
 * (the Rocket.Chat surface's; docs/architecture.md §3.4: workers render no wire format themselves).
 * The integration id is both the endpoint (one integration = one endpoint for pauses, back-off and
 * auto-disable, docs/delivery.md §7) and the signing key reference. The integration's privacy switch
 * also governs the delivery log: with payloads kept out of history, a finished delivery drops its
 * body as well.
 */
export function outgoingWebhookExpander(renderer: OutgoingRenderer, siteUrl: () => string, now: () => number = Date.now): Expander {
  return async (tx, event) => {
    const checked = new Set<string>();
    const calls = await planOutgoingCalls(tx, event, siteUrl(), renderer);
    for (const call of calls) {
      const id = call.integration._id;
      if (!checked.has(id)) {
        checked.add(id);
        // The integration document decides (it fired, so it is enabled): an endpoint left disabled by
        // a 410 or sustained failure from before the integration was re-enabled starts afresh.
        if ((await tx.deliveries.endpoint(id))?.disabled) await tx.deliveries.enableEndpoint(id);
      }
      await tx.deliveries.enqueue({
        id: newDeliveryId(now()),
        class: 'outgoing',
        endpointType: 'integration',
        endpointId: call.integration._id,
        url: call.url,
        eventType: call.event,
        eventId: call.subKey === undefined ? event.id : `${event.id}:${call.subKey}`,
        workspaceId: event.workspaceId,
        payload: JSON.stringify(call.payload),
        signingKeyRef: call.integration._id,
        keepPayload: call.integration.storePayloadsInHistory !== false,
        now: now(),
      });
    }
    return calls.length > 0;
  };
}
