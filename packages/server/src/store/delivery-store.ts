/**
 * SQL for the delivery queue and log (docs/delivery.md §2.3–§8). Like Store, a transaction is another
 * DeliveryStore bound to the transaction's connection; its transactions go through the database's
 * one transaction runner (transaction-scope.ts), shared with Store.
 *
 * Lock order on PostgreSQL, to rule out deadlocks: an endpoint row before any of its deliveries.
 * Claiming takes no endpoint row lock (see claimDue), only delivery rows, with SKIP LOCKED.
 */
import { createHash } from 'node:crypto';
import { sql, type Compilable, type Expression, type ExpressionBuilder, type Kysely, type SqlBool, type Transaction, type UpdateQueryBuilder, type UpdateResult } from 'kysely';
import type { Engine } from './engine.js';
import { transactionRunner, type TransactionRunner } from './transaction-scope.js';
import { durabilityOf } from './wal-durability.js';
import { PreparedQuery } from './prepared.js';
import type { Database } from './schema.js';
import type { TransactionOptions } from '../domain/ports/transaction-options.js';
import type { DeliveryDatabase } from './delivery-tables.js';
import { toAttempt, toDelivery, toEndpoint, toNotice } from './delivery-rows.js';
import { num, numOrNull } from './columns.js';
import type { AttemptSummary, Delivery, DeliveryAttempt, LeasedStatus, LeaseOffer, DeliveryNotice, DeliveryStats, DeliveryStatus, DeliveryStorage, DeliveryWithAttempts, DisabledReason, EndpointState, EndpointType, EnqueueOutcome, FailureReason, NewDelivery, NewWarning, ReplayOutcome } from '../domain/ports/deliveries.js';


type Db = Kysely<DeliveryDatabase> | Transaction<DeliveryDatabase>;
type DeliveryUpdate = UpdateQueryBuilder<DeliveryDatabase, 'deliveries', 'deliveries', UpdateResult>;

// The first key of the claim advisory locks (the second is the endpoint id's hash): "SBDQ".
const CLAIM_LOCK_SPACE = 0x53424451;

/** §2.8: pending deliveries per endpoint beyond which new ones fail with `backlog-full`. */
export const DEFAULT_BACKLOG_CAP = 100_000;

/** Which deliveries a statement takes: one filter for the lock in id order and the update (inIdOrder). */
type DeliveryFilter = (eb: ExpressionBuilder<DeliveryDatabase, 'deliveries'>) => Expression<SqlBool>;
const pendingOf =
  (endpointId: string): DeliveryFilter =>
  (eb) =>
    eb.and([eb('endpoint_id', '=', endpointId), eb('status', '=', 'pending')]);

// A finished delivery keeps its payload only where payload storage is on (§8).
const payloadAfterFinish = sql<string | null>`case when keep_payload = 1 then payload else null end`;

/** A PreparedQuery over the delivery tables (PreparedQuery is typed for the chat schema, which has none of them). */
function prepared<P extends readonly unknown[], O>(arity: P['length'], build: (db: Db, ...params: P) => Compilable<O>): PreparedQuery<P, O> {
  return new PreparedQuery<P, O>(arity, (db, ...params) => build(db as unknown as Db, ...params));
}

/**
 * The statements every delivery runs (enqueue, claim, record), compiled once (see PreparedQuery):
 * building them with Kysely on each call cost more than SQLite takes to run them.
 */
const hot = {
  endpoint: prepared(1, (db, id: string) => db.selectFrom('delivery_endpoints').selectAll().where('endpoint_id', '=', id)),
  endpointForUpdate: prepared(1, (db, id: string) => db.selectFrom('delivery_endpoints').selectAll().where('endpoint_id', '=', id).forUpdate()),
  insertDelivery: prepared(
    18,
    (
      db,
      id: string,
      cls: string,
      endpointType: string,
      endpointId: string,
      url: string,
      eventType: string,
      eventId: string,
      workspaceId: string,
      status: string,
      reason: string | null,
      payload: string | null,
      payloadSize: number,
      payloadSha256: string,
      keepPayload: number,
      signingKeyRef: string | null,
      now: number,
      lockedUntil: number | null,
      lockedBy: string | null,
    ) =>
      db
        .insertInto('deliveries')
        .values({
          id,
          class: cls as Delivery['class'],
          endpoint_type: endpointType as EndpointType,
          endpoint_id: endpointId,
          url,
          event_type: eventType,
          event_id: eventId,
          workspace_id: workspaceId,
          status: status as DeliveryStatus,
          reason: reason as FailureReason | null,
          payload,
          payload_size: payloadSize,
          payload_sha256: payloadSha256,
          keep_payload: keepPayload,
          signing_key_ref: signingKeyRef,
          created_at: now,
          next_attempt_at: now,
          attempt_count: 0,
          sequence_offset: 0,
          manual: 0,
          last_status_code: null,
          last_error: null,
          locked_until: lockedUntil,
          locked_by: lockedBy,
        })
        // ON CONFLICT rather than catching: a failed insert would abort a PostgreSQL transaction.
        .onConflict((oc) => oc.columns(['event_id', 'endpoint_id', 'url']).doNothing())
        .returning('id'),
  ),
  existingDelivery: prepared(3, (db, eventId: string, endpointId: string, url: string) =>
    db.selectFrom('deliveries').select('id').where('event_id', '=', eventId).where('endpoint_id', '=', endpointId).where('url', '=', url),
  ),
  leasedStatus: prepared(2, (db, id: string, workerId: string) => db.selectFrom('deliveries').select(['status', 'reason', 'next_attempt_at']).where('id', '=', id).where('locked_by', '=', workerId)),
  leasedStatusForUpdate: prepared(2, (db, id: string, workerId: string) =>
    db.selectFrom('deliveries').select(['status', 'reason', 'next_attempt_at']).where('id', '=', id).where('locked_by', '=', workerId).forUpdate(),
  ),
  leasedCount: prepared(3, (db, endpointId: string, now: number, workerId: string) =>
    db
      .selectFrom('deliveries')
      .select((eb) => [eb.fn.countAll<number>().as('n'), eb.fn.sum<number>(eb.case().when('locked_by', '=', workerId).then(1).else(0).end()).as('own')])
      .where('endpoint_id', '=', endpointId)
      .where('locked_until', '>', now),
  ),
  insertAttempt: prepared(
    11,
    (
      db,
      deliveryId: string,
      n: number,
      manual: number,
      startedAt: number,
      durationMs: number,
      requestHeaders: string,
      responseStatus: number | null,
      responseHeaders: string,
      responseBody: string,
      error: string | null,
      errorMessage: string | null,
    ) =>
      db
        .insertInto('delivery_attempts')
        .values({
          delivery_id: deliveryId,
          n,
          manual,
          started_at: startedAt,
          duration_ms: durationMs,
          request_headers: requestHeaders,
          response_status: responseStatus,
          response_headers: responseHeaders,
          response_body: responseBody,
          error,
          error_message: errorMessage,
        })
        .onConflict((oc) => oc.columns(['delivery_id', 'n']).doNothing()),
  ),
  finish: prepared(6, (db, id: string, status: string, reason: string | null, attemptCount: number, lastStatusCode: number | null, lastError: string | null) =>
    db
      .updateTable('deliveries')
      .set({
        attempt_count: attemptCount,
        last_status_code: lastStatusCode,
        last_error: lastError,
        status: status as DeliveryStatus,
        reason: reason as FailureReason | null,
        payload: payloadAfterFinish,
        locked_until: null,
        locked_by: null,
      })
      .where('id', '=', id),
  ),
  reschedule: prepared(5, (db, id: string, nextAttemptAt: number, attemptCount: number, lastStatusCode: number | null, lastError: string | null) =>
    db
      .updateTable('deliveries')
      .set({ attempt_count: attemptCount, last_status_code: lastStatusCode, last_error: lastError, next_attempt_at: nextAttemptAt, locked_until: null, locked_by: null })
      .where('id', '=', id),
  ),
  saveEndpoint: prepared(
    13,
    (
      db,
      endpointId: string,
      pausedUntil: number | null,
      backoffMs: number,
      backoffUntil: number | null,
      failingSince: number | null,
      lastFailureAt: number | null,
      lastSuccessAt: number | null,
      lastStatusCode: number | null,
      lastError: string | null,
      disabled: number,
      disabledReason: string | null,
      disabledAt: number | null,
      failingNoticeAt: number | null,
    ) =>
      db
        .updateTable('delivery_endpoints')
        .set({
          paused_until: pausedUntil,
          backoff_ms: backoffMs,
          backoff_until: backoffUntil,
          failing_since: failingSince,
          last_failure_at: lastFailureAt,
          last_success_at: lastSuccessAt,
          last_status_code: lastStatusCode,
          last_error: lastError,
          disabled,
          disabled_reason: disabledReason as DisabledReason | null,
          disabled_at: disabledAt,
          failing_notice_at: failingNoticeAt,
        })
        .where('endpoint_id', '=', endpointId),
  ),
};

/**
 * Statements whose LIMIT is a literal, compiled once per limit. A bound LIMIT made SQLite prepare
 * the statement again on every run (it plans with the limit's value): the claim's queries took
 * 5–10 times as long with `limit ?` as with `limit 32`. The limits are few (the caller's batch sizes).
 */
class PerLimit<P extends readonly unknown[], O> {
  private readonly byLimit = new Map<number, PreparedQuery<P, O>>();

  constructor(
    private readonly arity: P['length'],
    private readonly build: (db: Db, limit: number, ...params: P) => Compilable<O>,
  ) {}

  for(limit: number): PreparedQuery<P, O> {
    if (!Number.isSafeInteger(limit) || limit < 0) throw new Error(`a LIMIT must be a whole number (got ${limit})`);
    let q = this.byLimit.get(limit);
    if (!q) {
      if (this.byLimit.size >= 256) this.byLimit.clear();
      this.byLimit.set(limit, (q = prepared<P, O>(this.arity, (db, ...params) => this.build(db, limit, ...params))));
    }
    return q;
  }
}

const pendingCountUpTo = new PerLimit(1, (db, limit, endpointId: string) => {
  const pending = db.selectFrom('deliveries').select('id').where('endpoint_id', '=', endpointId).where('status', '=', 'pending').limit(sql.lit(limit)).as('p');
  return db.selectFrom(pending).select((eb) => eb.fn.countAll<number>().as('n'));
});

/** The claim's first look: endpoints that may give this worker due deliveries (see claimDue). */
const claimableEndpoints = new PerLimit(3, (db, limit, now: number, workerId: string, perEndpoint: number) =>
  db
    .selectFrom('delivery_endpoints as e')
    .select(['e.endpoint_id', 'e.backoff_until'])
    .where('e.disabled', '=', 0)
    .where((eb) => eb.or([eb('e.paused_until', 'is', null), eb('e.paused_until', '<=', now)]))
    // Endpoints another worker holds, or this one holds as many of as it may, are left out here
    // (and counted again under the lock).
    .where(
      (eb) =>
        eb
          .selectFrom('deliveries as l')
          .select((c) => c.fn.countAll<number>().as('n'))
          .whereRef('l.endpoint_id', '=', 'e.endpoint_id')
          .where('l.locked_until', '>', now),
      '<',
      perEndpoint,
    )
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('deliveries as o')
            .select('o.id')
            .whereRef('o.endpoint_id', '=', 'e.endpoint_id')
            .where('o.locked_until', '>', now)
            .where('o.locked_by', '<>', workerId),
        ),
      ),
    )
    .where((eb) =>
      eb.exists(
        eb
          .selectFrom('deliveries as d')
          .select('d.id')
          .whereRef('d.endpoint_id', '=', 'e.endpoint_id')
          .where('d.status', '=', 'pending')
          .where('d.next_attempt_at', '<=', now)
          .where((w) => w.or([w('d.locked_until', 'is', null), w('d.locked_until', '<=', now)]))
          .where((w) => w.or([w('e.backoff_until', 'is', null), w('e.backoff_until', '<=', now), w('d.attempt_count', '>', w.ref('d.sequence_offset'))])),
      ),
    )
    // Random order: no endpoint starves another, and nothing is written to keep turns.
    .orderBy(sql`random()`)
    .limit(sql.lit(limit)),
);

/**
 * The claim's lease of one endpoint's oldest due deliveries: four variants, for an endpoint in
 * first-attempt back-off (retries only) or not, and with PostgreSQL's row locks (SKIP LOCKED) or not.
 */
function leaseDue(retriesOnly: boolean, rowLocks: boolean) {
  return new PerLimit(4, (db, limit, endpointId: string, now: number, lockedUntil: number, workerId: string) => {
    let due = db
      .selectFrom('deliveries')
      .select('id')
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((w) => w.or([w('locked_until', 'is', null), w('locked_until', '<=', now)]));
    if (retriesOnly) due = due.whereRef('attempt_count', '>', 'sequence_offset');
    // Oldest due first: first attempts to one endpoint start in event order (§2.6, best effort).
    due = due.orderBy('next_attempt_at').orderBy('id').limit(sql.lit(limit));
    if (rowLocks) due = due.forUpdate().skipLocked();
    return db.updateTable('deliveries').set({ locked_until: lockedUntil, locked_by: workerId }).where('id', 'in', due).returningAll();
  });
}
const leaseDueQueries = {
  sqlite: { all: leaseDue(false, false), retries: leaseDue(true, false) },
  postgres: { all: leaseDue(false, true), retries: leaseDue(true, true) },
};

/**
 * What one transaction learnt of an endpoint while enqueueing (see enqueue): its state and its
 * backlog, counted once and then kept up to date by this transaction's own inserts.
 */
interface EnqueueView {
  endpoint: EndpointState;
  pending: number;
}

/**
 * Each endpoint's backlog as last counted, plus what this process has enqueued to it since: an
 * upper bound of the backlog as far as this process can tell (deliveries only leave it otherwise).
 * Counting is a scan of the endpoint's pending deliveries, the most expensive statement of the
 * delivery queue in the mixed bench once a backlog builds up (366 µs, once per expansion batch and
 * endpoint). While the bound is under half the cap and the count is under a second old, the
 * count is not taken again: other processes (workers, nodes) cannot enqueue half a cap (50,000 by
 * default) in a second, so the cap still holds exactly as before.
 */
export class BacklogEstimates {
  private readonly known = new Map<string, { counted: number; at: number; added: number }>();
  static readonly FRESH_MS = 1000;
  /** a smaller cap (a setting, a test) is counted each time: others could fill half of it in a second */
  static readonly SMALLEST_CAP = 1000;

  /** A bound to use instead of counting again, or undefined: count. */
  bound(endpointId: string, cap: number, now = performance.now()): number | undefined {
    const k = this.known.get(endpointId);
    if (!k || now - k.at >= BacklogEstimates.FRESH_MS || cap < BacklogEstimates.SMALLEST_CAP) return undefined;
    const bound = k.counted + k.added;
    return bound * 2 < cap ? bound : undefined;
  }

  counted(endpointId: string, n: number, now = performance.now()): void {
    if (this.known.size >= 10_000) this.known.clear();
    this.known.set(endpointId, { counted: n, at: now, added: 0 });
  }

  /** One more enqueued here (counted even if its transaction is rolled back: the bound only grows). */
  added(endpointId: string): void {
    const k = this.known.get(endpointId);
    if (k) k.added++;
  }
}

/** What the delivery stores of one database in this process share (a transaction's store too). */
export interface DeliveryStoreShared {
  readonly backlogs: BacklogEstimates;
  /** the local queue's offer to lease deliveries as they are inserted (SQLite), see DeliveryStorage.offerLeases */
  offer: LeaseOffer | undefined;
}

export function deliveryStoreShared(): DeliveryStoreShared {
  return { backlogs: new BacklogEstimates(), offer: undefined };
}

export class DeliveryStore implements DeliveryStorage {
  private readonly db: Db;
  private readonly transactions: TransactionRunner | undefined;
  /**
   * In a transaction: what its enqueues learnt of each endpoint (see enqueue). Any other write of
   * this transaction to endpoints or deliveries forgets it all (forgetEndpoints).
   */
  private readonly enqueueViews: Map<string, EnqueueView> | undefined;
  /** In a transaction that leases as it inserts (startLeasing): what it leased, and each endpoint's slots left. */
  private leasing: { leased: Delivery[]; slots: Map<string, number> } | undefined;

  constructor(
    db: Kysely<any> | Transaction<any>,
    readonly engine: Engine,
    /** shared by the stores of one database in this process (its transactions' too) */
    private readonly shared: DeliveryStoreShared = deliveryStoreShared(),
  ) {
    this.db = db as Db;
    this.transactions = db.isTransaction ? undefined : transactionRunner(db as Kysely<any>, engine);
    this.enqueueViews = db.isTransaction ? new Map() : undefined;
  }

  /** Runs `work` atomically; inside it use only `tx` (on SQLite the connection belongs to the transaction). */
  async transaction<T>(work: (tx: DeliveryStore) => Promise<T>, opts?: TransactionOptions): Promise<T> {
    if (!this.transactions) return work(this);
    return this.transactions.run((trx) => work(new DeliveryStore(trx, this.engine, this.shared)), opts);
  }

  async durable(): Promise<void> {
    // Inside a transaction nothing of it is written yet: only a store on the database itself can wait.
    if (!this.db.isTransaction) await durabilityOf(this.db as Kysely<any>)?.durable();
  }

  get recordBatchLimit(): number {
    // SQLite: one writer. PostgreSQL: every transaction that holds several delivery rows takes
    // them in id order (see inIdOrder and leasedStatuses), so batches cannot deadlock.
    return 64;
  }

  /**
   * PostgreSQL: locks the deliveries `where` picks, in id order, before `update` changes them in
   * the same transaction. A statement that updates many rows locks them in whatever order its plan
   * visits them; two such transactions (or one and an attempt record holding several rows) could
   * each wait for the other. Taking them in one order everywhere rules that out. SQLite has one
   * writer: nothing to order.
   */
  private async inIdOrder<T>(where: DeliveryFilter, update: (tx: DeliveryStore) => Promise<T>): Promise<T> {
    if (this.engine !== 'postgres') return update(this);
    return this.transaction(async (tx) => {
      await tx.db.selectFrom('deliveries').select('id').where(where).orderBy('id').forUpdate().execute();
      return update(tx);
    });
  }

  /** The database as PreparedQuery takes it (typed for the chat schema; the SQL is ours). */
  private get prepared(): Kysely<Database> {
    return this.db as unknown as Kysely<Database>;
  }

  // ---- expansion -------------------------------------------------------------------------

  /**
   * Inserts one delivery; a second insert of the same (event, endpoint, URL) does nothing and
   * answers `duplicate` with the first one's id, so re-expansion is idempotent. A disabled endpoint
   * or a full backlog records the delivery as `failed` rather than dropping it (§2.8).
   *
   * In a transaction the endpoint is read and its backlog counted once, by the first enqueue to it:
   * an expansion batch enqueues many deliveries to the same few endpoints, and counting the backlog
   * for each one was a tenth of a delivery's CPU. Later enqueues of the same transaction add their
   * own inserts to that count. On SQLite nothing else writes meanwhile (the transaction holds the
   * database), so the count is what a fresh one would give; on PostgreSQL concurrent expansions
   * were never counted exactly either (each counted without the other's uncommitted rows).
   */
  async enqueue(
    d: NewDelivery,
    opts: {
      backlogCap?: number;
      /**
       * §2.8/§5: a `backlog-full` failure also writes a "deliveries are failing" owner notice, at most
       * one per this many ms per endpoint (shared with exhausted deliveries). Only for endpoint types
       * whose owners the queue tells (its ownerNotices).
       */
      noticeOwnerEveryMs?: number;
    } = {},
  ): Promise<{ id: string; outcome: EnqueueOutcome }> {
    const cap = opts.backlogCap ?? DEFAULT_BACKLOG_CAP;
    let view = this.enqueueViews?.get(d.endpointId);
    if (!view) {
      const endpoint = await this.ensureEndpoint(d.endpointId, d.endpointType);
      // A disabled endpoint's backlog is not counted: nothing is queued to it.
      view = { endpoint, pending: endpoint.disabled ? 0 : await this.backlogOf(d.endpointId, cap) };
      this.enqueueViews?.set(d.endpointId, view);
    }
    const endpoint = view.endpoint;
    let failure: FailureReason | null = null;
    if (endpoint.disabled) failure = 'endpoint-disabled';
    // Counted up to the default cap: a caller's larger cap counts further itself.
    else if ((cap > DEFAULT_BACKLOG_CAP ? await this.pendingCount(d.endpointId, cap) : view.pending) >= cap) failure = 'backlog-full';
    const keep = d.keepPayload ?? true;
    const lease = failure ? undefined : await this.leaseSlot(d, view.endpoint);
    const size = Buffer.byteLength(d.payload, 'utf8');
    const sha256 = createHash('sha256').update(d.payload, 'utf8').digest('hex');
    const inserted = await hot.insertDelivery.executeTakeFirst(
      this.prepared,
      d.id,
      d.class,
      d.endpointType,
      d.endpointId,
      d.url,
      d.eventType,
      d.eventId,
      d.workspaceId,
      failure ? 'failed' : 'pending',
      failure,
      failure && !keep ? null : d.payload,
      size,
      sha256,
      keep ? 1 : 0,
      d.signingKeyRef ?? null,
      d.now,
      lease?.until ?? null,
      lease?.by ?? null,
    );
    if (!inserted) {
      const existing = await hot.existingDelivery.executeTakeFirst(this.prepared, d.eventId, d.endpointId, d.url);
      if (!existing) throw new Error(`delivery of ${d.eventId} to ${d.endpointId} neither inserted nor found`);
      return { id: existing.id, outcome: 'duplicate' };
    }
    if (!failure) {
      view.pending++;
      this.shared.backlogs.added(d.endpointId);
    }
    if (lease) this.leasing!.leased.push(leasedAtInsert(d, keep, size, sha256, lease));
    if (failure === 'backlog-full' && opts.noticeOwnerEveryMs !== undefined) await this.noticeBacklogFull(d, endpoint, opts.noticeOwnerEveryMs);
    return { id: inserted.id, outcome: failure ?? 'queued' };
  }

  offerLeases(offer: LeaseOffer): (() => void) | undefined {
    // PostgreSQL: several nodes lease with row locks and SKIP LOCKED; only the claim does that.
    if (this.engine !== 'sqlite') return undefined;
    this.shared.offer = offer;
    return () => {
      if (this.shared.offer === offer) this.shared.offer = undefined;
    };
  }

  startLeasing(): void {
    this.leasing = this.db.isTransaction && this.shared.offer ? { leased: [], slots: new Map() } : undefined;
  }

  takeLeased(): Delivery[] {
    const leased = this.leasing?.leased ?? [];
    this.leasing = undefined;
    return leased;
  }

  /**
   * Whether this pending delivery is leased as it is inserted (see DeliveryStorage.startLeasing),
   * and until when. Decided once per endpoint and transaction: the queue's room for it, an
   * endpoint neither paused nor backing off, and no other worker holding leases on it (one worker
   * per endpoint, as the claim keeps it). Otherwise the queue hears of a delivery left to the claim.
   */
  private async leaseSlot(d: NewDelivery, endpoint: EndpointState): Promise<{ until: number; by: string } | undefined> {
    const offer = this.shared.offer;
    if (!offer) return undefined;
    if (!this.leasing) return void offer.missedLease(d.endpointId);
    const now = offer.now();
    let slots = this.leasing.slots.get(d.endpointId);
    if (slots === undefined) {
      slots = 0;
      const open = (endpoint.pausedUntil === null || endpoint.pausedUntil <= now) && (endpoint.backoffUntil === null || endpoint.backoffUntil <= now);
      const room = open ? offer.room(d.endpointId) : 0;
      if (room > 0) {
        const held = (await hot.leasedCount.executeTakeFirst(this.prepared, d.endpointId, now, offer.workerId))!;
        if (Number(held.n) === Number(held.own ?? 0)) slots = room;
      }
    }
    if (slots <= 0) {
      this.leasing.slots.set(d.endpointId, 0);
      return void offer.missedLease(d.endpointId);
    }
    this.leasing.slots.set(d.endpointId, slots - 1);
    return { until: now + offer.leaseMs, by: offer.workerId };
  }

  /** The endpoint's backlog counted up to the default cap, or a bound well under `cap` (BacklogEstimates). */
  private async backlogOf(endpointId: string, cap: number): Promise<number> {
    const bound = this.shared.backlogs.bound(endpointId, Math.min(cap, DEFAULT_BACKLOG_CAP));
    if (bound !== undefined) return bound;
    const n = await this.pendingCount(endpointId, DEFAULT_BACKLOG_CAP);
    this.shared.backlogs.counted(endpointId, n);
    return n;
  }

  /**
   * This transaction changed endpoints or deliveries other than by enqueueing: what its enqueues
   * learnt may no longer hold, so the next one reads again.
   */
  private forgetEndpoints(): void {
    this.enqueueViews?.clear();
  }

  /**
   * The owner notice of a full backlog, once per `everyMs` per endpoint: the endpoint row's
   * `failing_notice_at` is claimed with a conditional update (which waits for, then sees, a
   * concurrent claimer's commit on PostgreSQL), so two expansions never both write one.
   */
  private async noticeBacklogFull(d: NewDelivery, endpoint: EndpointState, everyMs: number): Promise<void> {
    this.forgetEndpoints();
    const claimed = await this.db
      .updateTable('delivery_endpoints')
      .set({ failing_notice_at: d.now })
      .where('endpoint_id', '=', d.endpointId)
      .where((eb) => eb.or([eb('failing_notice_at', 'is', null), eb('failing_notice_at', '<=', d.now - everyMs)]))
      .executeTakeFirst();
    if (Number(claimed.numUpdatedRows) === 0) return;
    await this.addNotice({
      id: `ntc_backlog_${d.id}`,
      endpointId: d.endpointId,
      endpointType: d.endpointType,
      kind: 'failing',
      reason: 'backlog-full',
      lastStatusCode: endpoint.lastStatusCode,
      lastError: endpoint.lastError,
      url: d.url,
      now: d.now,
    });
  }

  /** Pending deliveries of an endpoint, counted no further than `upTo` (the cap) to bound the work. */
  async pendingCount(endpointId: string, upTo: number = Number.MAX_SAFE_INTEGER): Promise<number> {
    const r = await pendingCountUpTo.for(upTo).executeTakeFirst(this.prepared, endpointId);
    return Number(r?.n ?? 0);
  }

  // ---- claiming --------------------------------------------------------------------------

  /**
   * Leases up to `limit` due deliveries to `workerId` until `now + leaseMs`. Endpoints that are
   * disabled or paused are skipped; one in first-attempt back-off gives only its retries. An
   * endpoint is leased from by one worker at a time (one that another worker holds live leases of
   * is skipped), up to `perEndpoint` leased at once: the holder alone decides how many attempts
   * run, so its own limit is the endpoint's across all processes (DeliveryQueue). On PostgreSQL
   * claimers take a per-endpoint advisory lock (skipping endpoints another node is claiming from)
   * before counting and leasing, so several nodes never lease one delivery twice nor one endpoint
   * together. The lock is not the endpoint row's, so claiming never waits for attempts being recorded.
   * Answered at the commit (a lease a power loss forgets is only claimed again).
   */
  async claimDue(now: number, limit: number, workerId: string, leaseMs: number, perEndpoint = 4): Promise<Delivery[]> {
    if (limit <= 0) return [];
    return this.transaction(async (tx) => {
      const endpoints = await claimableEndpoints.for(Math.max(limit, 16)).execute(tx.prepared, now, workerId, perEndpoint);
      const leaseQueries = leaseDueQueries[tx.engine];
      const claimed: Delivery[] = [];
      for (const e of endpoints) {
        const room = limit - claimed.length;
        if (room <= 0) break;
        if (tx.engine === 'postgres' && !(await tx.tryLockEndpointClaims(e.endpoint_id))) continue;
        const leased = (await hot.leasedCount.executeTakeFirst(tx.prepared, e.endpoint_id, now, workerId))!;
        // Another worker leased from it since the first look: it is theirs until they are done.
        if (Number(leased.n) > Number(leased.own ?? 0)) continue;
        const slots = Math.min(room, perEndpoint - Number(leased.n));
        if (slots <= 0) continue;
        const backoffUntil = numOrNull(e.backoff_until);
        const lease = backoffUntil !== null && backoffUntil > now ? leaseQueries.retries : leaseQueries.all;
        const rows = await lease.for(slots).execute(tx.prepared, e.endpoint_id, now, now + leaseMs, workerId);
        claimed.push(...rows.map(toDelivery).sort((a, b) => a.nextAttemptAt - b.nextAttemptAt || (a.id < b.id ? -1 : 1)));
      }
      return claimed;
    }, { awaitDurable: false });
  }

  /** PostgreSQL: this transaction alone may lease from the endpoint until it ends; false when another holds it. */
  private async tryLockEndpointClaims(endpointId: string): Promise<boolean> {
    const r = await sql<{ ok: boolean }>`select pg_try_advisory_xact_lock(${CLAIM_LOCK_SPACE}, hashtext(${endpointId})) as ok`.execute(this.db);
    return r.rows[0]?.ok === true;
  }

  async leasedStatuses(ids: readonly string[], workerId: string): Promise<Map<string, LeasedStatus>> {
    const statuses = new Map<string, LeasedStatus>();
    if (ids.length === 0) return statuses;
    if (ids.length === 1) {
      const one = await this.leasedStatus(ids[0]!, workerId);
      if (one) statuses.set(ids[0]!, one);
      return statuses;
    }
    let q = this.db.selectFrom('deliveries').select(['id', 'status', 'reason', 'next_attempt_at']).where('id', 'in', [...ids]).where('locked_by', '=', workerId);
    // Row-locked in id order, as every transaction holding several delivery rows takes them (inIdOrder).
    if (this.engine === 'postgres') q = q.orderBy('id').forUpdate();
    for (const r of await q.execute()) statuses.set(r.id, leasedStatusOf(r));
    return statuses;
  }

  async leasedStatus(id: string, workerId: string): Promise<LeasedStatus | undefined> {
    const q = this.engine === 'postgres' ? hot.leasedStatusForUpdate : hot.leasedStatus;
    const r = await q.executeTakeFirst(this.prepared, id, workerId);
    return r && leasedStatusOf(r);
  }

  async recordAttempt(a: DeliveryAttempt): Promise<void> {
    await hot.insertAttempt.execute(
      this.prepared,
      a.deliveryId,
      a.n,
      a.manual ? 1 : 0,
      a.startedAt,
      a.durationMs,
      JSON.stringify(a.requestHeaders),
      a.responseStatus,
      JSON.stringify(a.responseHeaders),
      a.responseBody,
      a.error,
      a.errorMessage,
    );
  }

  /** Another attempt later: pending again, lease released. */
  async reschedule(id: string, nextAttemptAt: number, s: AttemptSummary): Promise<void> {
    await hot.reschedule.execute(this.prepared, id, nextAttemptAt, s.attemptCount, s.lastStatusCode, s.lastError);
  }

  async markSucceeded(id: string, s: AttemptSummary): Promise<void> {
    await this.finish(id, 'succeeded', null, s);
  }

  async markFailed(id: string, reason: FailureReason, s: AttemptSummary): Promise<void> {
    await this.finish(id, 'failed', reason, s);
  }

  /** Ends the delivery without an attempt (its endpoint is gone from under it, e.g. the app was deleted). */
  async cancel(id: string): Promise<void> {
    this.forgetEndpoints();
    await this.db
      .updateTable('deliveries')
      .set({ status: 'cancelled', reason: null, payload: payloadAfterFinish, locked_until: null, locked_by: null })
      .where('id', '=', id)
      .execute();
  }

  /** Gives the lease back without an attempt having been made; the delivery is due again at `nextAttemptAt`. */
  async release(id: string, workerId: string, nextAttemptAt: number): Promise<void> {
    await this.db
      .updateTable('deliveries')
      .set({ next_attempt_at: nextAttemptAt, locked_until: null, locked_by: null })
      .where('id', '=', id)
      .where('locked_by', '=', workerId)
      .execute();
  }

  /** Gives back leases `workerId` holds on `ids` whose attempts never started (stopping, or the endpoint turned away). */
  async unlease(ids: string[], workerId: string): Promise<void> {
    if (ids.length === 0) return;
    const held: DeliveryFilter = (eb) => eb.and([eb('id', 'in', ids), eb('locked_by', '=', workerId)]);
    await this.inIdOrder(held, (tx) => tx.db.updateTable('deliveries').set({ locked_until: null, locked_by: null }).where(held).execute());
  }

  /** Extends the leases `workerId` still holds on `ids` (attempts still running) to `lockedUntil`. */
  async renewLeases(ids: string[], workerId: string, lockedUntil: number): Promise<void> {
    if (ids.length === 0) return;
    const held: DeliveryFilter = (eb) => eb.and([eb('id', 'in', ids), eb('locked_by', '=', workerId)]);
    await this.inIdOrder(held, (tx) => tx.db.updateTable('deliveries').set({ locked_until: lockedUntil }).where(held).execute());
  }

  /** The workers whose names start with `prefix` that hold leases (live or run out but not yet taken). */
  async leaseHolders(prefix: string): Promise<string[]> {
    const rows = await this.db
      .selectFrom('deliveries')
      .select('locked_by')
      .distinct()
      .where('locked_by', 'is not', null)
      .where('status', '=', 'pending')
      .execute();
    // Filtered here, not with LIKE: a worker name may hold `%` or `_`.
    return rows.map((r) => r.locked_by!).filter((w) => w.startsWith(prefix));
  }

  /**
   * Gives back every lease the named workers hold, when they are known to be dead (a restart of
   * the same node): their deliveries are due again at once, under the same ids, instead of waiting
   * for the leases to run out. Returns how many were released.
   */
  async releaseLeasesOf(workerIds: string[]): Promise<number> {
    if (workerIds.length === 0) return 0;
    const theirs: DeliveryFilter = (eb) => eb.and([eb('locked_by', 'in', workerIds), eb('status', '=', 'pending')]);
    const r = await this.inIdOrder(theirs, (tx) => tx.db.updateTable('deliveries').set({ locked_until: null, locked_by: null }).where(theirs).executeTakeFirst());
    return Number(r.numUpdatedRows);
  }

  private async finish(id: string, status: DeliveryStatus, reason: FailureReason | null, s: AttemptSummary): Promise<void> {
    this.forgetEndpoints();
    await hot.finish.execute(this.prepared, id, status, reason, s.attemptCount, s.lastStatusCode, s.lastError);
  }

  // ---- endpoints -------------------------------------------------------------------------

  async endpoint(endpointId: string): Promise<EndpointState | undefined> {
    const r = await this.db.selectFrom('delivery_endpoints').selectAll().where('endpoint_id', '=', endpointId).executeTakeFirst();
    return r && toEndpoint(r);
  }

  /** The endpoint's state, row-locked on PostgreSQL until the transaction ends; created when new. */
  async lockEndpoint(endpointId: string, endpointType: EndpointType): Promise<EndpointState> {
    return this.ensureEndpoint(endpointId, endpointType, true);
  }

  private async ensureEndpoint(endpointId: string, endpointType: EndpointType, lock = false): Promise<EndpointState> {
    const read = () => (lock && this.engine === 'postgres' ? hot.endpointForUpdate : hot.endpoint).executeTakeFirst(this.prepared, endpointId);
    // Nearly always there already (the first delivery created it): read first, insert only when missing.
    const existing = await read();
    if (existing) return toEndpoint(existing);
    await this.db
      .insertInto('delivery_endpoints')
      .values({
        endpoint_id: endpointId,
        endpoint_type: endpointType,
        paused_until: null,
        backoff_ms: 0,
        backoff_until: null,
        failing_since: null,
        last_failure_at: null,
        last_success_at: null,
        last_status_code: null,
        last_error: null,
        disabled: 0,
        disabled_reason: null,
        disabled_at: null,
        failing_notice_at: null,
      })
      .onConflict((oc) => oc.column('endpoint_id').doNothing())
      .execute();
    return toEndpoint((await read())!);
  }

  async saveEndpoint(s: EndpointState): Promise<void> {
    this.forgetEndpoints();
    await hot.saveEndpoint.execute(
      this.prepared,
      s.endpointId,
      s.pausedUntil,
      s.backoffMs,
      s.backoffUntil,
      s.failingSince,
      s.lastFailureAt,
      s.lastSuccessAt,
      s.lastStatusCode,
      s.lastError,
      s.disabled ? 1 : 0,
      s.disabledReason,
      s.disabledAt,
      s.failingNoticeAt,
    );
  }

  /** Fails every pending delivery of the endpoint; returns how many. Leases stay, so attempts in flight still get recorded. */
  async failPending(endpointId: string, reason: FailureReason): Promise<number> {
    this.forgetEndpoints();
    const r = await this.inIdOrder(pendingOf(endpointId), (tx) =>
      tx.db.updateTable('deliveries').set({ status: 'failed', reason, payload: payloadAfterFinish }).where(pendingOf(endpointId)).executeTakeFirst(),
    );
    return Number(r.numUpdatedRows);
  }

  /** Makes the endpoint's pending, unleased deliveries to `url` due now; returns how many. */
  async dueNow(endpointId: string, url: string, now: number): Promise<number> {
    const waiting: DeliveryFilter = (eb) =>
      eb.and([pendingOf(endpointId)(eb), eb('url', '=', url), eb('next_attempt_at', '>', now), eb.or([eb('locked_until', 'is', null), eb('locked_until', '<=', now)])]);
    const r = await this.inIdOrder(waiting, (tx) => tx.db.updateTable('deliveries').set({ next_attempt_at: now }).where(waiting).executeTakeFirst());
    return Number(r.numUpdatedRows);
  }

  async redeliver(ids: readonly string[], url: string, now: number): Promise<number> {
    this.forgetEndpoints();
    if (ids.length === 0) return 0;
    const replayable: DeliveryFilter = (eb) => eb.and([eb('id', 'in', [...ids]), eb('url', '=', url), eb('status', '=', 'succeeded'), eb('payload', 'is not', null)]);
    // Written, but the attempt not recorded yet: the lease goes and the due time moves on, so the
    // attempt's record finds it put back (DeliveryStorage.redeliver) and another attempt is made.
    const unrecorded: DeliveryFilter = (eb) => eb.and([eb('id', 'in', [...ids]), eb('url', '=', url), eb('status', '=', 'pending'), eb('locked_by', 'is not', null)]);
    const either: DeliveryFilter = (eb) => eb.or([replayable(eb), unrecorded(eb)]);
    return this.inIdOrder(either, async (tx) => {
      const r = await tx.db
        .updateTable('deliveries')
        // A new attempt sequence, as a replay's (the schedule restarts; `n` goes on), but not manual.
        .set((eb) => ({ status: 'pending', reason: null, next_attempt_at: now, sequence_offset: eb.ref('attempt_count'), locked_until: null, locked_by: null }))
        .where(replayable)
        .executeTakeFirst();
      const put = await tx.db
        .updateTable('deliveries')
        // Always later than the due time the attempt was claimed with (claims take only what is due by then).
        .set((eb) => ({ next_attempt_at: sql<number>`case when ${eb.ref('next_attempt_at')} >= ${now} then ${eb.ref('next_attempt_at')} + 1 else ${now} end`, locked_until: null, locked_by: null }))
        .where(unrecorded)
        .executeTakeFirst();
      return Number(r.numUpdatedRows) + Number(put.numUpdatedRows);
    });
  }

  async retargetPending(endpointId: string, url: string, now: number): Promise<number> {
    this.forgetEndpoints();
    return this.inIdOrder(pendingOf(endpointId), (tx) => tx.retargetLocked(endpointId, url, now));
  }

  private async retargetLocked(endpointId: string, url: string, now: number): Promise<number> {
    const moved = await this.db
      .updateTable('deliveries')
      // CASE, not min()/least(): one spelling for both engines.
      .set((eb) => ({ url, next_attempt_at: sql<number>`case when ${eb.ref('next_attempt_at')} > ${now} then ${now} else ${eb.ref('next_attempt_at')} end` }))
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .where('url', '<>', url)
      // (event, endpoint, url) is unique: an event already sent to `url` is not sent there again.
      .where(({ not, exists, selectFrom }) =>
        not(exists(selectFrom('deliveries as same').select('same.id').whereRef('same.event_id', '=', 'deliveries.event_id').whereRef('same.endpoint_id', '=', 'deliveries.endpoint_id').where('same.url', '=', url))),
      )
      .executeTakeFirst();
    await this.db
      .updateTable('deliveries')
      .set({ status: 'cancelled', reason: null, payload: payloadAfterFinish })
      .where('endpoint_id', '=', endpointId)
      .where('status', '=', 'pending')
      .where('url', '<>', url)
      .execute();
    return Number(moved.numUpdatedRows);
  }

  async cancelPending(endpointId: string): Promise<number> {
    this.forgetEndpoints();
    const r = await this.inIdOrder(pendingOf(endpointId), (tx) =>
      tx.db.updateTable('deliveries').set({ status: 'cancelled', reason: null, payload: payloadAfterFinish }).where(pendingOf(endpointId)).executeTakeFirst(),
    );
    return Number(r.numUpdatedRows);
  }

  /** Disables the endpoint and fails its pending deliveries with `failWith`, atomically. */
  async disableEndpoint(endpointId: string, endpointType: EndpointType, reason: DisabledReason, failWith: FailureReason, now: number): Promise<number> {
    return this.transaction(async (tx) => {
      const state = await tx.lockEndpoint(endpointId, endpointType);
      await tx.saveEndpoint({ ...state, disabled: true, disabledReason: reason, disabledAt: now });
      return tx.failPending(endpointId, failWith);
    });
  }

  /** Re-enables the endpoint with a clean slate (§7); failed deliveries stay failed until recovered. */
  async enableEndpoint(endpointId: string): Promise<void> {
    this.forgetEndpoints();
    await this.db
      .updateTable('delivery_endpoints')
      .set({
        disabled: 0,
        disabled_reason: null,
        disabled_at: null,
        paused_until: null,
        backoff_ms: 0,
        backoff_until: null,
        failing_since: null,
        last_failure_at: null,
      })
      .where('endpoint_id', '=', endpointId)
      .execute();
  }

  /** Enabled endpoints whose failure streak qualifies for auto-disable at `now` (§7). */
  async endpointsToAutoDisable(now: number, afterMs: number, spreadMs: number): Promise<EndpointState[]> {
    const rows = await this.db
      .selectFrom('delivery_endpoints')
      .selectAll()
      .where('disabled', '=', 0)
      .where('failing_since', '<=', now - afterMs)
      .where((eb) => eb('last_failure_at', '>=', eb(eb.ref('failing_since'), '+', spreadMs)))
      .execute();
    return rows.map(toEndpoint);
  }

  // ---- the log ---------------------------------------------------------------------------

  async delivery(id: string): Promise<DeliveryWithAttempts | undefined> {
    const r = await this.db.selectFrom('deliveries').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) return undefined;
    return (await this.withAttempts([toDelivery(r)]))[0];
  }

  /** An endpoint's deliveries, newest first, each with its attempts; page with `before` (an id). */
  async list(q: { endpointId: string; limit: number; before?: string; status?: DeliveryStatus }): Promise<DeliveryWithAttempts[]> {
    let query = this.db.selectFrom('deliveries').selectAll().where('endpoint_id', '=', q.endpointId);
    if (q.before !== undefined) query = query.where('id', '<', q.before);
    if (q.status !== undefined) query = query.where('status', '=', q.status);
    const rows = await query.orderBy('id', 'desc').limit(q.limit).execute();
    return this.withAttempts(rows.map(toDelivery));
  }

  private async withAttempts(deliveries: Delivery[]): Promise<DeliveryWithAttempts[]> {
    if (deliveries.length === 0) return [];
    const rows = await this.db
      .selectFrom('delivery_attempts')
      .selectAll()
      .where('delivery_id', 'in', deliveries.map((d) => d.id))
      .orderBy('delivery_id')
      .orderBy('n')
      .execute();
    const byDelivery = new Map<string, DeliveryAttempt[]>();
    for (const r of rows) {
      const list = byDelivery.get(r.delivery_id) ?? [];
      list.push(toAttempt(r));
      byDelivery.set(r.delivery_id, list);
    }
    return deliveries.map((d) => ({ ...d, attempts: byDelivery.get(d.id) ?? [] }));
  }

  /**
   * Manual replay (§8): the same delivery (same id, so the same `webhook-id`) queued again as a new
   * attempt sequence under the normal schedule, its attempts marked manual. Refused while pending,
   * while the endpoint is disabled, or when the payload was not stored.
   */
  async replay(id: string, now: number): Promise<ReplayOutcome> {
    return this.transaction(async (tx) => {
      const d = await tx.db.selectFrom('deliveries').select(['class', 'endpoint_id', 'endpoint_type', 'status', 'payload']).where('id', '=', id).executeTakeFirst();
      if (!d) return 'not-found';
      if (d.class === 'warning') return 'not-a-delivery';
      const endpoint = await tx.lockEndpoint(d.endpoint_id, d.endpoint_type);
      if (d.status === 'pending') return 'pending';
      if (endpoint.disabled) return 'endpoint-disabled';
      if (d.payload === null) return 'payload-not-stored';
      await tx.requeue((q) => q.where('id', '=', id), now);
      return 'queued';
    });
  }

  /** Range recovery (§8): re-queues the endpoint's `failed` deliveries created in [since, until). */
  async recover(endpointId: string, since: number, until: number, now: number): Promise<{ requeued: number } | { refused: 'endpoint-disabled' }> {
    return this.transaction(async (tx) => {
      const endpoint = await tx.endpoint(endpointId);
      if (endpoint?.disabled) return { refused: 'endpoint-disabled' as const };
      const requeued = await tx.requeue(
        (q) =>
          q
            .where('endpoint_id', '=', endpointId)
            .where('status', '=', 'failed')
            .where('class', '!=', 'warning')
            .where('created_at', '>=', since)
            .where('created_at', '<', until)
            .where('payload', 'is not', null),
        now,
      );
      return { requeued };
    });
  }

  /** Pending again from now, as a new manual attempt sequence (the schedule restarts; `n` goes on). */
  private async requeue(narrow: (q: DeliveryUpdate) => DeliveryUpdate, now: number): Promise<number> {
    this.forgetEndpoints();
    const q = this.db
      .updateTable('deliveries')
      .set((eb) => ({ status: 'pending', reason: null, next_attempt_at: now, sequence_offset: eb.ref('attempt_count'), manual: 1 }));
    const r = await narrow(q).executeTakeFirst();
    return Number(r.numUpdatedRows);
  }

  // ---- warnings ----------------------------------------------------------------------------

  /**
   * Writes a warning into the endpoint's log (docs/pumble-api.md §11.2: an app's message whose
   * invalid blocks were dropped): an entry of class `warning`, finished at once (`failed`, with the
   * summary as its last error, so a look at the failures finds it), with no attempts. It never
   * touches the endpoint's state, is never claimed, replayed or recovered, and goes with retention.
   */
  async recordWarning(w: NewWarning): Promise<string> {
    await this.db
      .insertInto('deliveries')
      .values({
        id: w.id,
        class: 'warning',
        endpoint_type: w.endpointType,
        endpoint_id: w.endpointId,
        url: w.url,
        event_type: w.eventType,
        event_id: w.eventId,
        workspace_id: w.workspaceId,
        status: 'failed',
        reason: null,
        payload: w.details,
        payload_size: Buffer.byteLength(w.details, 'utf8'),
        payload_sha256: createHash('sha256').update(w.details, 'utf8').digest('hex'),
        keep_payload: 1,
        signing_key_ref: null,
        created_at: w.now,
        next_attempt_at: w.now,
        attempt_count: 0,
        sequence_offset: 0,
        manual: 0,
        last_status_code: null,
        last_error: w.summary,
        locked_until: null,
        locked_by: null,
      })
      .execute();
    return w.id;
  }

  // ---- owner notices (§5, §7) -------------------------------------------------------------

  /** Records a notice for the endpoint's owner; call in the transaction that decides it. */
  async addNotice(n: Omit<DeliveryNotice, 'createdAt'> & { now: number }): Promise<DeliveryNotice> {
    const row = {
      id: n.id,
      endpoint_id: n.endpointId,
      endpoint_type: n.endpointType,
      kind: n.kind,
      reason: n.reason,
      last_status_code: n.lastStatusCode,
      last_error: n.lastError,
      url: n.url,
      created_at: n.now,
    };
    await this.db.insertInto('delivery_notices').values(row).execute();
    return toNotice(row);
  }

  /**
   * Takes the notice: true for exactly one caller, in whose transaction the owner's message must be
   * written (so a notice is told once, even when a retry on another node runs at the same time).
   */
  async takeNotice(id: string): Promise<boolean> {
    const r = await this.db.deleteFrom('delivery_notices').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) === 1;
  }

  /** Notices of these endpoint types written before `createdBefore` and still waiting, oldest first. */
  async pendingNotices(createdBefore: number, endpointTypes: readonly EndpointType[], limit = 100): Promise<DeliveryNotice[]> {
    if (endpointTypes.length === 0) return [];
    const rows = await this.db
      .selectFrom('delivery_notices')
      .selectAll()
      .where('created_at', '<', createdBefore)
      .where('endpoint_type', 'in', endpointTypes)
      .orderBy('created_at')
      .orderBy('id')
      .limit(limit)
      .execute();
    return rows.map(toNotice);
  }

  // ---- metrics -----------------------------------------------------------------------------

  /**
   * The figures of §11 that live in the database, each from one cheap query: pending deliveries
   * per class (index on status, class), endpoint states (one row per endpoint), the oldest
   * unexpanded outbox event (index on expanded_at, id) and the notices waiting.
   */
  async stats(now: number): Promise<DeliveryStats> {
    const pendingRows = await this.db
      .selectFrom('deliveries')
      .select(['class', (eb) => eb.fn.countAll<number | string>().as('n')])
      .where('status', '=', 'pending')
      .groupBy('class')
      .execute();
    const pending: DeliveryStats['pending'] = {};
    for (const r of pendingRows) pending[r.class] = Number(r.n);

    const endpointRows = await this.db
      .selectFrom('delivery_endpoints')
      .select((eb) => [
        'endpoint_type',
        eb.fn.sum<number | string | null>(sql`case when disabled = 1 then 1 else 0 end`).as('disabled'),
        eb.fn.sum<number | string | null>(sql`case when disabled = 0 and paused_until > ${now} then 1 else 0 end`).as('paused'),
        eb.fn.sum<number | string | null>(sql`case when disabled = 0 and backoff_until > ${now} then 1 else 0 end`).as('backing_off'),
      ])
      .groupBy('endpoint_type')
      .execute();
    const endpoints: DeliveryStats['endpoints'] = {};
    for (const r of endpointRows) endpoints[r.endpoint_type] = { disabled: Number(r.disabled ?? 0), paused: Number(r.paused ?? 0), backingOff: Number(r.backing_off ?? 0) };

    // The outbox belongs to the chat schema; read here so one call gives every figure.
    const oldest = await (this.db as unknown as Kysely<{ domain_events: { id: string; created_at: number; expanded_at: number | null } }>)
      .selectFrom('domain_events')
      .select('created_at')
      .where('expanded_at', 'is', null)
      .orderBy('expanded_at')
      .orderBy('id')
      .limit(1)
      .executeTakeFirst();
    const notices = await this.db.selectFrom('delivery_notices').select((eb) => eb.fn.countAll<number | string>().as('n')).executeTakeFirstOrThrow();
    return { pending, endpoints, oldestUnexpandedAt: oldest ? Number(oldest.created_at) : null, pendingNotices: Number(notices.n) };
  }

  /** Deletes finished deliveries (and their attempts) created before `before`; returns how many. */
  async prune(before: number, batchSize = 500): Promise<number> {
    let total = 0;
    for (;;) {
      const n = await this.transaction(async (tx) => {
        const ids = (
          await tx.db.selectFrom('deliveries').select('id').where('created_at', '<', before).where('status', '!=', 'pending').limit(batchSize).execute()
        ).map((r) => r.id);
        if (ids.length === 0) return 0;
        await tx.db.deleteFrom('delivery_attempts').where('delivery_id', 'in', ids).execute();
        await tx.db.deleteFrom('deliveries').where('id', 'in', ids).execute();
        return ids.length;
      });
      total += n;
      if (n < batchSize) return total;
    }
  }
}

/** The delivery as the row just inserted with its lease reads (toDelivery of it), without reading it back. */
function leasedStatusOf(r: { status: string; reason: string | null; next_attempt_at: number | string }): LeasedStatus {
  return { status: r.status as DeliveryStatus, reason: r.reason as FailureReason | null, nextAttemptAt: num(r.next_attempt_at) };
}

function leasedAtInsert(d: NewDelivery, keepPayload: boolean, payloadSize: number, payloadSha256: string, lease: { until: number; by: string }): Delivery {
  return {
    id: d.id,
    class: d.class,
    endpointType: d.endpointType,
    endpointId: d.endpointId,
    url: d.url,
    eventType: d.eventType,
    eventId: d.eventId,
    workspaceId: d.workspaceId,
    status: 'pending',
    reason: null,
    payload: d.payload,
    payloadSize,
    payloadSha256,
    keepPayload,
    signingKeyRef: d.signingKeyRef ?? null,
    createdAt: d.now,
    nextAttemptAt: d.now,
    attemptCount: 0,
    sequenceOffset: 0,
    manual: false,
    lastStatusCode: null,
    lastError: null,
    lockedUntil: lease.until,
    lockedBy: lease.by,
  };
}
