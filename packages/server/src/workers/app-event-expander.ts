import type { Expander } from './dispatcher.js';
import { appEventCopies, type AppEventRenderer } from '../domain/apps/app-event-routing.js';
import { FAILING_NOTICE_INTERVAL_MS } from './delivery-policy.js';
import { newDeliveryId } from '../domain/ids.js';

/**
 * Outbox → app event deliveries: one delivery per app copy (docs/delivery.md §2.2), written in the
 * dispatcher's transaction. Unique on (event, endpoint, URL), so a re-expansion after a crash adds
 * nothing twice; the body is rendered here, once (by the app surface's renderer, which the
 * composition root hands in), and re-sent byte for byte on every attempt.
 */
export function appEventExpander(render: AppEventRenderer, now: () => number = Date.now): Expander {
  return async (tx, event) => {
    const copies = await appEventCopies(tx, event, render);
    for (const copy of copies) {
      await tx.deliveries.enqueue(
        {
          id: newDeliveryId(),
          class: 'event',
          endpointType: 'app',
          endpointId: copy.appId,
          url: copy.url,
          eventType: copy.eventType,
          eventId: event.id,
          workspaceId: event.workspaceId,
          payload: copy.envelope,
          signingKeyRef: copy.appId,
          now: now(),
        },
        // §2.8: a full backlog is told to the owner (§7), at most once a day like failing deliveries.
        { noticeOwnerEveryMs: FAILING_NOTICE_INTERVAL_MS },
      );
    }
    return copies.length > 0;
  };
}
