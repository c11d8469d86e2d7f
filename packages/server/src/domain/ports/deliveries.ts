/**
 * The storage port of deliveries (docs/delivery.md): the delivery log, endpoints, attempts and owner
 * notices as the domain and the workers see them. store/delivery-store.ts implements it.
 */
import type { TransactionOptions } from './transaction-options.js';

/**
 * `warning`: not a delivery but an entry the owner must see in the same log (an app's message whose
 * invalid blocks were dropped, docs/pumble-api.md §11.2); never sent, replayed or recovered.
 */
export type DeliveryClass = 'event' | 'outgoing' | 'trigger' | 'warning';

export type EndpointType = 'app' | 'integration';

export type DeliveryStatus = 'pending' | 'succeeded' | 'failed' | 'cancelled';

/** Why a delivery is `failed` (§8). */
export type FailureReason =
  | 'exhausted'
  | 'endpoint-gone'
  | 'endpoint-disabled'
  | 'ssrf-blocked'
  | 'backlog-full'
  | 'invalid-url'
  /** a trigger whose answer Switchboard refused (an invalid view or options; docs/app-platform.md §9.3) */
  | 'invalid-answer';

/** Why an endpoint is disabled (§7; the integration names of `disabledReason`). */
export type DisabledReason = 'http-410' | 'sustained-failure' | 'manual';

/** What an owner notice says (§5, §7): the endpoint was disabled, or a delivery to it was given up. */
export type NoticeKind = 'disabled' | 'failing';

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

/** What recording an attempt reads of its delivery (DeliveryStorage.leasedStatus). */
export type LeasedStatus = Pick<Delivery, 'status' | 'reason' | 'nextAttemptAt'>;

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

/** A warning for the owner's delivery log (docs/pumble-api.md §11.2): recorded finished, never sent. */
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

/** The figures /metrics reports at scrape time (docs/delivery.md §11). */
export interface DeliveryStats {
  /** pending deliveries per class */
  pending: Partial<Record<DeliveryClass, number>>;
  /** per endpoint type: disabled ones, and enabled ones paused by a Retry-After or in first-attempt back-off */
  endpoints: Partial<Record<EndpointType, { disabled: number; paused: number; backingOff: number }>>;
  /** when the oldest committed outbox event not yet expanded into deliveries was written; null when none waits */
  oldestUnexpandedAt: number | null;
  /** owner notices decided but not delivered yet */
  pendingNotices: number;
}

/**
 * A local delivery queue's offer to take deliveries as they are inserted (DeliveryStorage.offerLeases):
 * a delivery leased in the transaction that inserts it needs no claim (no scan for due deliveries,
 * no second write of the row, no second transaction) before its first attempt.
 */
export interface LeaseOffer {
  readonly workerId: string;
  readonly leaseMs: number;
  /** the queue's clock (leases are the queue's times) */
  now(): number;
  /** how many more deliveries to this endpoint the queue would take now; 0 when the claim must find them (see DeliveryQueue) */
  room(endpointId: string): number;
  /** a pending delivery to this endpoint was inserted without a lease: the claim must find it */
  missedLease(endpointId: string): void;
}

/**
 * What the domain asks of this storage; implemented in store/ (delivery-store.ts).
 */
export interface DeliveryStorage {
  /** Runs `work` atomically; inside it use only `tx` (on SQLite the connection belongs to the transaction). */
  transaction<T>(work: (tx: DeliveryStorage) => Promise<T>, opts?: TransactionOptions): Promise<T>;
  /** Resolves once everything this process has written is on the disk (at once where commits are durable by themselves). */
  durable(): Promise<void>;
  /**
   * How many finished attempts of one endpoint one transaction may record (DeliveryQueue). Each
   * takes its delivery's row lock; where transactions run side by side (PostgreSQL), every
   * transaction that holds several delivery rows takes them in id order (leasedStatuses, and the
   * updates of many: cancelPending, retargetPending, unlease…), so batches cannot deadlock.
   */
  readonly recordBatchLimit: number;
  /**
   * Inserts one delivery; a second insert of the same (event, endpoint, URL) does nothing and
   * answers `duplicate` with the first one's id, so re-expansion is idempotent. A disabled endpoint
   * or a full backlog records the delivery as `failed` rather than dropping it (§2.8).
   */
    /**
     * §2.8/§5: a `backlog-full` failure also writes a "deliveries are failing" owner notice, at most
     * one per this many ms per endpoint (shared with exhausted deliveries). Only for endpoint types
     * whose owners the queue tells (its ownerNotices).
     */
  enqueue(d: NewDelivery, opts?: {
    backlogCap?: number;
    noticeOwnerEveryMs?: number;
  }): Promise<{
    id: string;
    outcome: EnqueueOutcome;
  }>;
  /** Pending deliveries of an endpoint, counted no further than `upTo` (the cap) to bound the work. */
  pendingCount(endpointId: string, upTo?: number): Promise<number>;
  /**
   * Leases up to `limit` due deliveries to `workerId` until `now + leaseMs`. Endpoints that are
   * disabled or paused are skipped; one in first-attempt back-off gives only its retries. An
   * endpoint is leased from by one worker at a time, up to `perEndpoint` at once, so the holder's
   * own in-flight limit is the endpoint's across all processes. Several nodes never lease one
   * delivery twice. Answered at the commit, before it is on the disk: send nothing before `durable()`.
   */
  claimDue(now: number, limit: number, workerId: string, leaseMs: number, perEndpoint?: number): Promise<Delivery[]>;
  /**
   * Where the engine allows it (SQLite: one process writes at a time, so the claim's rules can be
   * checked in the inserting transaction), pending deliveries inserted by a transaction that
   * called startLeasing are leased to `offer` as they are inserted, within its room (the latest
   * offer of the process is the one taken). Answers how to withdraw it, or undefined: not here,
   * every delivery waits for the claim.
   */
  offerLeases?(offer: LeaseOffer): (() => void) | undefined;
  /** In a transaction: lease as it inserts (see offerLeases), until takeLeased. */
  startLeasing?(): void;
  /**
   * What this transaction leased as it inserted; the caller hands it to the queue once the
   * transaction has committed (the queue waits for it to be durable), and drops it otherwise.
   */
  takeLeased?(): Delivery[];
  /** Gives back leases `workerId` holds on `ids` whose attempts never started (stopping, or the endpoint turned away). */
  unlease(ids: string[], workerId: string): Promise<void>;
  /**
   * The delivery's status, reason and due time if `workerId` still holds its lease (row-locked on
   * PostgreSQL); undefined when the lease was lost. Only these: recording an attempt needs no
   * more, and the whole row carries the payload.
   */
  leasedStatus(id: string, workerId: string): Promise<LeasedStatus | undefined>;
  /** leasedStatus of several at once (those whose lease was lost are missing), row-locked in id order on PostgreSQL. */
  leasedStatuses(ids: readonly string[], workerId: string): Promise<Map<string, LeasedStatus>>;
  recordAttempt(a: DeliveryAttempt): Promise<void>;
  /** Another attempt later: pending again, lease released. */
  reschedule(id: string, nextAttemptAt: number, s: AttemptSummary): Promise<void>;
  markSucceeded(id: string, s: AttemptSummary): Promise<void>;
  markFailed(id: string, reason: FailureReason, s: AttemptSummary): Promise<void>;
  /** Ends the delivery without an attempt (its endpoint is gone from under it, e.g. the app was deleted). */
  cancel(id: string): Promise<void>;
  /** Gives the lease back without an attempt having been made; the delivery is due again at `nextAttemptAt`. */
  release(id: string, workerId: string, nextAttemptAt: number): Promise<void>;
  /** Extends the leases `workerId` still holds on `ids` (attempts still running) to `lockedUntil`. */
  renewLeases(ids: string[], workerId: string, lockedUntil: number): Promise<void>;
  /** The workers whose names start with `prefix` that hold leases (live or run out but not yet taken). */
  leaseHolders(prefix: string): Promise<string[]>;
  /**
   * Gives back every lease the named workers hold, when they are known to be dead (a restart of
   * the same node): their deliveries are due again at once, under the same ids, instead of waiting
   * for the leases to run out. Returns how many were released.
   */
  releaseLeasesOf(workerIds: string[]): Promise<number>;
  endpoint(endpointId: string): Promise<EndpointState | undefined>;
  /** The endpoint's state, row-locked on PostgreSQL until the transaction ends; created when new. */
  lockEndpoint(endpointId: string, endpointType: EndpointType): Promise<EndpointState>;
  saveEndpoint(s: EndpointState): Promise<void>;
  /** Fails every pending delivery of the endpoint; returns how many. Leases stay, so attempts in flight still get recorded. */
  failPending(endpointId: string, reason: FailureReason): Promise<number>;
  /**
   * Makes the endpoint's pending deliveries to `url` that wait for a later attempt due at `now`
   * (leased ones are left alone); answers how many. Socket mode (docs/delivery.md §2.7): when an
   * app's socket connects, its backlog goes out at once instead of at the next scheduled retry.
   */
  dueNow(endpointId: string, url: string, now: number): Promise<number>;
  /**
   * Socket mode (docs/delivery.md §2.7): these deliveries to `url` may never have reached the app
   * (their socket died before showing it read them). The `succeeded` ones are pending again, due at
   * `now`, as a new attempt sequence. Pending ones still leased were written but their attempt is
   * not recorded yet: their lease goes and their due time moves past the one they were claimed
   * with, so that record finds them put back (the queue compares LeasedStatus.nextAttemptAt) and
   * records nothing, and they are attempted again. Answers how many; others (failed, payload not
   * kept, pending unleased) are left alone.
   */
  redeliver(ids: readonly string[], url: string, now: number): Promise<number>;
  /**
   * The endpoint's target changed (an app left or entered socket mode, or moved its events URL):
   * its pending deliveries go to `url` from their next attempt, due by `now` at the latest, leased
   * ones included (the attempt in flight ends with the target it read). One that would repeat an
   * event already sent to `url` is cancelled instead. Answers how many moved.
   */
  retargetPending(endpointId: string, url: string, now: number): Promise<number>;
  /** Cancels every pending delivery of the endpoint (it was deleted); returns how many. */
  cancelPending(endpointId: string): Promise<number>;
  /** Disables the endpoint and fails its pending deliveries with `failWith`, atomically. */
  disableEndpoint(endpointId: string, endpointType: EndpointType, reason: DisabledReason, failWith: FailureReason, now: number): Promise<number>;
  /** Re-enables the endpoint with a clean slate (§7); failed deliveries stay failed until recovered. */
  enableEndpoint(endpointId: string): Promise<void>;
  /** Enabled endpoints whose failure streak qualifies for auto-disable at `now` (§7). */
  endpointsToAutoDisable(now: number, afterMs: number, spreadMs: number): Promise<EndpointState[]>;
  delivery(id: string): Promise<DeliveryWithAttempts | undefined>;
  /** An endpoint's deliveries, newest first, each with its attempts; page with `before` (an id). */
  list(q: {
    endpointId: string;
    limit: number;
    before?: string;
    status?: DeliveryStatus;
  }): Promise<DeliveryWithAttempts[]>;
  /**
   * Manual replay (§8): the same delivery (same id, so the same `webhook-id`) queued again as a new
   * attempt sequence under the normal schedule, its attempts marked manual. Refused while pending,
   * while the endpoint is disabled, or when the payload was not stored.
   */
  replay(id: string, now: number): Promise<ReplayOutcome>;
  /** Range recovery (§8): re-queues the endpoint's `failed` deliveries created in [since, until). */
  recover(endpointId: string, since: number, until: number, now: number): Promise<{
    requeued: number;
  } | {
    refused: 'endpoint-disabled';
  }>;
  /**
   * Writes a warning into the endpoint's log (docs/pumble-api.md §11.2: an app's message whose
   * invalid blocks were dropped): an entry of class `warning`, finished at once (`failed`, with the
   * summary as its last error, so a look at the failures finds it), with no attempts. It never
   * touches the endpoint's state, is never claimed, replayed or recovered, and goes with retention.
   */
  recordWarning(w: NewWarning): Promise<string>;
  /** Records a notice for the endpoint's owner; call in the transaction that decides it. */
  addNotice(n: Omit<DeliveryNotice, 'createdAt'> & {
    now: number;
  }): Promise<DeliveryNotice>;
  /**
   * Takes the notice: true for exactly one caller, in whose transaction the owner's message must be
   * written (so a notice is told once, even when a retry on another node runs at the same time).
   */
  takeNotice(id: string): Promise<boolean>;
  /** Notices of these endpoint types written before `createdBefore` and still waiting, oldest first. */
  pendingNotices(createdBefore: number, endpointTypes: readonly EndpointType[], limit?: number): Promise<DeliveryNotice[]>;
  /**
   * The figures of §11 that live in the database, each from one cheap query: pending deliveries
   * per class (index on status, class), endpoint states (one row per endpoint), the oldest
   * unexpanded outbox event (index on expanded_at, id) and the notices waiting.
   */
  stats(now: number): Promise<DeliveryStats>;
  /** Deletes finished deliveries (and their attempts) created before `before`; returns how many. */
  prune(before: number, batchSize?: number): Promise<number>;
}
