/**
 * The delivery queue's rows as the rest of the server sees them (camelCase, numbers, booleans),
 * and the mapping from the tables of delivery-tables.ts.
 */
import type { Selectable } from 'kysely';
import type { DeliveryAttemptTable, DeliveryEndpointTable, DeliveryNoticeTable, DeliveryTable } from './delivery-tables.js';
import type { Delivery, DeliveryAttempt, DeliveryNotice, EndpointState } from '../domain/ports/deliveries.js';
import { num, numOrNull } from './columns.js';

export function toDelivery(r: Selectable<DeliveryTable>): Delivery {
  return {
    id: r.id,
    class: r.class,
    endpointType: r.endpoint_type,
    endpointId: r.endpoint_id,
    url: r.url,
    eventType: r.event_type,
    eventId: r.event_id,
    workspaceId: r.workspace_id,
    status: r.status,
    reason: r.reason,
    payload: r.payload,
    payloadSize: num(r.payload_size),
    payloadSha256: r.payload_sha256,
    keepPayload: num(r.keep_payload) === 1,
    signingKeyRef: r.signing_key_ref,
    createdAt: num(r.created_at),
    nextAttemptAt: num(r.next_attempt_at),
    attemptCount: num(r.attempt_count),
    sequenceOffset: num(r.sequence_offset),
    manual: num(r.manual) === 1,
    lastStatusCode: numOrNull(r.last_status_code),
    lastError: r.last_error,
    lockedUntil: numOrNull(r.locked_until),
    lockedBy: r.locked_by,
  };
}

export function toAttempt(r: Selectable<DeliveryAttemptTable>): DeliveryAttempt {
  return {
    deliveryId: r.delivery_id,
    n: num(r.n),
    manual: num(r.manual) === 1,
    startedAt: num(r.started_at),
    durationMs: num(r.duration_ms),
    requestHeaders: JSON.parse(r.request_headers) as Record<string, string>,
    responseStatus: numOrNull(r.response_status),
    responseHeaders: JSON.parse(r.response_headers) as Record<string, string>,
    responseBody: r.response_body,
    error: r.error,
    errorMessage: r.error_message,
  };
}

export function toEndpoint(r: Selectable<DeliveryEndpointTable>): EndpointState {
  return {
    endpointId: r.endpoint_id,
    endpointType: r.endpoint_type,
    pausedUntil: numOrNull(r.paused_until),
    backoffMs: num(r.backoff_ms),
    backoffUntil: numOrNull(r.backoff_until),
    failingSince: numOrNull(r.failing_since),
    lastFailureAt: numOrNull(r.last_failure_at),
    lastSuccessAt: numOrNull(r.last_success_at),
    lastStatusCode: numOrNull(r.last_status_code),
    lastError: r.last_error,
    disabled: num(r.disabled) === 1,
    disabledReason: r.disabled_reason,
    disabledAt: numOrNull(r.disabled_at),
    failingNoticeAt: numOrNull(r.failing_notice_at),
  };
}

export function toNotice(r: Selectable<DeliveryNoticeTable>): DeliveryNotice {
  return {
    id: r.id,
    endpointId: r.endpoint_id,
    endpointType: r.endpoint_type,
    kind: r.kind,
    reason: r.reason,
    lastStatusCode: numOrNull(r.last_status_code),
    lastError: r.last_error,
    url: r.url,
    createdAt: num(r.created_at),
  };
}
