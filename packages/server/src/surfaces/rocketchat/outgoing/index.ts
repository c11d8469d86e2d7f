/**
 * Rocket.Chat's outgoing webhooks on the wire (docs/integrations.md §8.1, §8.4, §8.5), as the domain's
 * OutgoingRenderer port (domain/integrations/outgoing-events.ts): the composition root hands it to
 * the outgoing expander and to the core (docs/architecture.md §3.4, §3.5).
 */
import type { OutgoingPayload, OutgoingRenderer } from '../../../domain/integrations/outgoing-events.js';
import { outgoingOccurrences } from './occurrences.js';
import { buildOutgoingPayload, payloadReferences } from './payload.js';
import { buildHttpCall } from './request.js';

export const rocketChatOutgoing: OutgoingRenderer = {
  occurrences: outgoingOccurrences,
  payload: buildOutgoingPayload,
  references: payloadReferences,
  httpCall: buildHttpCall,
  readPayload,
};

/** The body stored with an outgoing delivery is the JSON object `buildOutgoingPayload` rendered (§8.4). */
function readPayload(stored: string): OutgoingPayload | undefined {
  const v = JSON.parse(stored) as unknown;
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as OutgoingPayload) : undefined;
}
