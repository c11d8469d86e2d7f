/**
 * The durable delivery queue and log of docs/delivery.md §2.3–§8, as tables. Same conventions as
 * schema.ts: times are epoch milliseconds, booleans 0/1 integers, JSON is text.
 */
import type { DeliveryClass, DeliveryStatus, DisabledReason, EndpointType, FailureReason, NoticeKind } from '../domain/ports/deliveries.js';

/** One (event, endpoint, URL): the unit of at-least-once delivery; its id is the `webhook-id`. */
export interface DeliveryTable {
  /** `msg_<ULID>`, stable across retries, replays and recovery */
  id: string;
  class: DeliveryClass;
  endpoint_type: EndpointType;
  endpoint_id: string;
  url: string;
  event_type: string;
  /** the domain event that caused it; (event_id, endpoint_id, url) is unique */
  event_id: string;
  workspace_id: string;
  status: DeliveryStatus;
  reason: FailureReason | null;
  /** the body, rendered once and re-sent byte-identically; null once dropped (payload storage off) */
  payload: string | null;
  payload_size: number;
  payload_sha256: string;
  /** 0: drop the payload when the delivery is finished (the per-app / per-integration switch of §8) */
  keep_payload: number;
  /** what the signer needs to find the key (an app id, an integration id); never the secret */
  signing_key_ref: string | null;
  created_at: number;
  next_attempt_at: number;
  /** attempts made, over every sequence; the next attempt is number attempt_count + 1 */
  attempt_count: number;
  /** attempts made before the current sequence: a replay starts the schedule again from here */
  sequence_offset: number;
  /** 1 while the current sequence was started by a replay or recovery: its attempts are `manual` */
  manual: number;
  last_status_code: number | null;
  last_error: string | null;
  /** the claim lease: a worker owns the delivery until then (§2.4) */
  locked_until: number | null;
  locked_by: string | null;
}

export interface DeliveryAttemptTable {
  delivery_id: string;
  /** 1-based over the delivery's whole life (sent as Switchboard-Delivery-Attempt) */
  n: number;
  manual: number;
  started_at: number;
  duration_ms: number;
  /** JSON object: the headers as sent, signatures included, credentials redacted */
  request_headers: string;
  response_status: number | null;
  /** JSON object: content-type, retry-after, content-length when present */
  response_headers: string;
  /** the first 4 KiB of the answer */
  response_body: string;
  /** timeout, dns, connect, tls, ssrf-blocked, too-large, no-socket, invalid-url */
  error: string | null;
  error_message: string | null;
}

/** Per-endpoint throttling and health (§6, §7). An endpoint is an app's event subscription or one integration. */
export interface DeliveryEndpointTable {
  endpoint_id: string;
  endpoint_type: EndpointType;
  /** 429 + Retry-After: nothing is sent to the endpoint before this */
  paused_until: number | null;
  /** the current step of the 5 s … 5 min back-off for new first attempts; 0 when none */
  backoff_ms: number;
  /** new first attempts wait until this; retries do not */
  backoff_until: number | null;
  /** the first failed attempt after the last success; null while healthy */
  failing_since: number | null;
  last_failure_at: number | null;
  last_success_at: number | null;
  last_status_code: number | null;
  last_error: string | null;
  disabled: number;
  disabled_reason: DisabledReason | null;
  disabled_at: number | null;
  /** when the last "deliveries are failing" notice went out (at most one a day) */
  failing_notice_at: number | null;
}

/**
 * Owner notices decided but not yet delivered (§5, §7): written in the transaction that disables the
 * endpoint or gives a delivery up, deleted in the transaction that posts the owner's DM. A crash in
 * between leaves the row, and the queue's housekeeping delivers it (on any node).
 */
export interface DeliveryNoticeTable {
  id: string;
  endpoint_id: string;
  endpoint_type: EndpointType;
  kind: NoticeKind;
  /** `disabled`: the DisabledReason; `failing`: the FailureReason of the delivery given up */
  reason: string;
  /** the endpoint's last answer when the notice was decided */
  last_status_code: number | null;
  last_error: string | null;
  /** the URL of the delivery that caused it, when one did */
  url: string | null;
  created_at: number;
}

export interface DeliveryDatabase {
  deliveries: DeliveryTable;
  delivery_attempts: DeliveryAttemptTable;
  delivery_endpoints: DeliveryEndpointTable;
  delivery_notices: DeliveryNoticeTable;
}
