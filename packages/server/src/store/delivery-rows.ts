/**
 * The delivery queue's rows as the rest of the server sees them (camelCase, numbers, booleans),
 * and the mapping from the tables of delivery-tables.ts.
 */
import type { Selectable } from 'kysely';
import type {
  DeliveryAttemptTable,
  DeliveryClass,
  DeliveryEndpointTable,
  DeliveryNoticeTable,
  DeliveryStatus,
  DeliveryTable,
  DisabledReason,
  EndpointType,
  FailureReason,
  NoticeKind,
} from './delivery-tables.js';

export interface Delivery {
  id: string;
  class: DeliveryClass;
  endpointType: EndpointType;
  endpointId: string;
  url: string;
  eventType: string;
  eventId: string;
  workspaceId: string;
  status: DeliveryStatus;
  reason: FailureReason | null;
  payload: string | null;
  payloadSize: number;
  payloadSha256: string;
  keepPayload: boolean;
  signingKeyRef: string | null;
  createdAt: number;
  nextAttemptAt: number;
  attemptCount: number;
  sequenceOffset: number;
  manual: boolean;
  lastStatusCode: number | null;
  lastError: string | null;
  lockedUntil: number | null;
  lockedBy: string | null;
}

export interface DeliveryAttempt {
  deliveryId: string;
  n: number;
  manual: boolean;
  startedAt: number;
  durationMs: number;
  requestHeaders: Record<string, string>;
  responseStatus: number | null;
  responseHeaders: Record<string, string>;
  responseBody: string;
  error: string | null;
  errorMessage: string | null;
}

export type DeliveryWithAttempts = Delivery & { attempts: DeliveryAttempt[] };

export interface EndpointState {
  endpointId: string;
  endpointType: EndpointType;
  pausedUntil: number | null;
  backoffMs: number;
  backoffUntil: number | null;
  failingSince: number | null;
  lastFailureAt: number | null;
  lastSuccessAt: number | null;
  lastStatusCode: number | null;
  lastError: string | null;
  disabled: boolean;
  disabledReason: DisabledReason | null;
  disabledAt: number | null;
  failingNoticeAt: number | null;
}

export interface NewDelivery {
  /** `newDeliveryId()`: the `webhook-id` for good */
  id: string;
  class: DeliveryClass;
  endpointType: EndpointType;
  endpointId: string;
  url: string;
  eventType: string;
  eventId: string;
  workspaceId: string;
  payload: string;
  signingKeyRef?: string | null;
  /** false: the payload is dropped once the delivery is finished (only its size and hash stay) */
  keepPayload?: boolean;
  now: number;
}

export type EnqueueOutcome = 'queued' | 'duplicate' | 'backlog-full' | 'endpoint-disabled';
/** `not-a-delivery`: a warning entry of the log, which was never sent and is not sent now. */
export type ReplayOutcome = 'queued' | 'not-found' | 'pending' | 'endpoint-disabled' | 'payload-not-stored' | 'not-a-delivery';

/** An owner notice waiting to be delivered (§5, §7; see DeliveryNoticeTable). */
export interface DeliveryNotice {
  id: string;
  endpointId: string;
  endpointType: EndpointType;
  kind: NoticeKind;
  reason: string;
  lastStatusCode: number | null;
  lastError: string | null;
  url: string | null;
  createdAt: number;
}

/** A warning for the owner's delivery log (pumble-app-platform.md §11.2): recorded finished, never sent. */
export interface NewWarning {
  /** `newDeliveryId()`: sorts with the deliveries around it */
  id: string;
  endpointType: EndpointType;
  endpointId: string;
  /** what the warning is about, e.g. MESSAGE_BLOCKS_DROPPED */
  eventType: string;
  /** what it concerns (a message id); unique per warning with the endpoint and URL */
  eventId: string;
  workspaceId: string;
  /** the request the warning is about, e.g. /v1/channels/<id>/messages */
  url: string;
  /** one line for the log's `lastError` */
  summary: string;
  /** the details, as JSON (kept: warnings are small) */
  details: string;
  now: number;
}

/** Fields every finished attempt updates on its delivery. */
export interface AttemptSummary {
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
}

const num = (v: number | string | bigint) => Number(v);
export const numOrNull = (v: number | string | bigint | null) => (v === null ? null : Number(v));

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
