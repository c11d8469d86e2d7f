/**
 * The delivery workers of docs/delivery.md §2.4–§8: claim due deliveries with a lease, send each one
 * signed through the SSRF-guarded agent, record every attempt, and move the delivery and its
 * endpoint on (retry schedule, Retry-After pauses, back-off, 410 and auto-disable). The rules live
 * in delivery-policy.ts, the SQL in DeliveryStore; this file is the loop and the bookkeeping.
 *
 * At-least-once: a worker that dies mid-attempt records nothing; its lease runs out and another
 * worker makes the same attempt again, under the same delivery id.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import { ATTEMPT_LIMITS, USER_AGENT, postJson, type PostResult } from '../outbound/http-post.js';
import type { GuardedAgent } from '../outbound/ssrf.js';
import { loggedHeaders } from '../outbound/logged-headers.js';
import { WakeLoop } from './wake-loop.js';
import {
  AUTO_DISABLE_AFTER_MS,
  AUTO_DISABLE_SPREAD_MS,
  EVENT_RETRY_SCHEDULE,
  endpointAfterAttempt,
  failureText,
  judgeAttempt,
  nextStep,
  qualifiesForAutoDisable,
  type AutoDisableSettings,
  type EndpointChange,
  type NextStep,
  type RetrySchedule,
  type Verdict,
} from './delivery-policy.js';
import type { AttemptSummary, Delivery, DeliveryAttempt, DeliveryNotice, DeliveryStorage, EndpointState } from '../domain/ports/deliveries.js';
import { ulid } from '../domain/ulid.js';
import { unitOfWork } from '../domain/context.js';
import { SOCKET_URL } from '../domain/apps/socket-mode.js';
import type { DeliveryClass, DisabledReason, EndpointType, NoticeKind } from '../domain/ports/deliveries.js';

/** The headers that sign one attempt; null when the endpoint no longer exists (the delivery is cancelled). */
export type Signer = (delivery: Delivery, now: number) => Promise<Record<string, string> | null> | Record<string, string> | null;
export type Post = typeof postJson;
/**
 * Writes a socket-mode delivery (url SOCKET_URL) to one of its app's sockets (docs/delivery.md
 * §2.7), with the headers its log entry shows; failures are results (`no-socket`), not throws.
 * Null when the app no longer exists: the delivery is cancelled, as a signer's null cancels it.
 */
export type SocketSender = (delivery: Delivery, n: number) => Promise<{ result: PostResult; requestHeaders: Record<string, string> } | null>;
export type QueueLog = Pick<FastifyBaseLogger, 'info' | 'warn' | 'error'>;

export interface Timers {
  setTimeout(fn: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (fn, ms) => setTimeout(fn, ms).unref(),
  clearTimeout: (h) => clearTimeout(h as NodeJS.Timeout),
};

/** What an executor is told about the attempt it makes. */
export interface AttemptContext {
  /** 1-based over the delivery's whole life (Switchboard-Delivery-Attempt) */
  n: number;
  /** 1-based within the current sequence (a replay starts a new one) */
  inSequence: number;
  startedAt: number;
  /** the queue's clock */
  now: () => number;
}

/** How an executor's attempt ended. */
export type ExecutorOutcome =
  /** nothing was sent and nothing will be (the endpoint is gone or disabled, or its own rules said no) */
  | { kind: 'cancel' }
  /**
   * a request went out: the attempt is recorded with these headers and this result; `verdict` moves
   * the endpoint (pauses, back-off, 410, failure streak) and `next` the delivery
   */
  | { kind: 'sent'; requestHeaders: Record<string, string>; result: PostResult; verdict: Verdict; next: NextStep };

/**
 * Makes the attempts of one class of deliveries instead of the queue's signed POST (outgoing
 * webhooks: scripts, methods, their own retry strategy). Leasing, recording, endpoint state and
 * disabling stay the queue's, so every class follows the same log and throttling rules.
 */
export interface DeliveryExecutor {
  /** the endpoints this executor's deliveries go to (for disable notices and housekeeping) */
  readonly endpointType: EndpointType;
  attempt(delivery: Delivery, ctx: AttemptContext): Promise<ExecutorOutcome>;
  /** one of its endpoints was disabled (410, sustained failure); committed already */
  endpointDisabled?(endpoint: EndpointState, reason: DisabledReason): Promise<void>;
  /** runs with the queue's housekeeping (retention of the executor's own records) */
  housekeeping?(now: number): Promise<void>;
  /** the queue started: work queued outside the outbox (replays) can wake it from now on */
  started?(queue: { wake(): void }): void;
}

/**
 * Tells the owners of one endpoint type that their endpoint was disabled or that deliveries to it
 * are failing (§5, §7), durably: the queue writes the notice in the transaction that decides it,
 * then hands it over; `deliver` must take it (DeliveryStore.takeNotice) in the transaction that
 * writes the owner's message, so each notice is told once. One that a crash or an error left
 * behind is handed over again by the housekeeping of any node.
 */
export interface OwnerNotices {
  readonly endpointType: EndpointType;
  deliver(notice: DeliveryNotice): Promise<void>;
}

export interface DeliveryQueueOptions {
  store: DeliveryStorage;
  agent: GuardedAgent;
  sign: Signer;
  log: QueueLog;
  /**
   * names this process's leases; unique per process. Default `<nodeId>:<pid>:<random>`, so that a
   * restarted node can tell its own dead predecessors' leases from live ones (reclaimDeadLeases).
   */
  workerId?: string;
  /** the node's name, stable across restarts (SWITCHBOARD_NODE_ID, else the host name) */
  nodeId?: string;
  /** whether a process of this machine still runs (injectable for tests) */
  isProcessAlive?: (pid: number) => boolean;
  /** attempts in flight in this process at most */
  concurrency?: number;
  /** §3/§10: attempts in flight per endpoint at most, across all processes */
  maxInFlightPerEndpoint?: number;
  /**
   * How many due deliveries of one endpoint this process leases at once (default 32). One process
   * holds an endpoint at a time (DeliveryStorage.claimDue) and runs at most maxInFlightPerEndpoint
   * of them together; the rest wait here, their leases renewed, so an attempt's slot goes to the
   * next delivery as soon as it is recorded instead of after another claim.
   */
  leaseBatch?: number;
  /** §2.4: how long a claim holds a delivery (60 s); renewed while the attempt runs */
  leaseMs?: number;
  /** the fallback when no wake-up comes (retries coming due, another node's expansions) */
  pollMs?: number;
  timeoutMs?: number;
  maxBodyBytes?: number;
  retrySchedule?: (d: Delivery) => RetrySchedule;
  autoDisable?: Partial<AutoDisableSettings>;
  /** §8: finished deliveries are deleted this long after creation */
  retentionMs?: number;
  now?: () => number;
  /** in [0, 1): the jitter of retry delays */
  random?: () => number;
  timers?: Timers;
  post?: Post;
  /** §6/§7: the endpoint was disabled (410 or sustained failure); its owner must be told */
  onEndpointDisabled?: (endpointId: string, reason: DisabledReason, endpoint: EndpointState) => void;
  /** §5: a delivery was exhausted; called at most once a day per endpoint */
  onDeliveriesFailing?: (endpointId: string, endpoint: EndpointState) => void;
  /** every recorded attempt, for metrics */
  onAttempt?: (delivery: Delivery, attempt: DeliveryAttempt, step: NextStep) => void;
  /** durable owner notices (§5, §7) per endpoint type; see OwnerNotices */
  ownerNotices?: OwnerNotices[];
  /** classes whose attempts someone else makes (see DeliveryExecutor) */
  executors?: Partial<Record<DeliveryClass, DeliveryExecutor>>;
  /** socket-mode deliveries' writer; without one every such attempt is `no-socket` */
  socketSender?: SocketSender;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it runs, under another user.
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What recording one attempt came to (see DeliveryQueue.record). */
type Recorded = (EndpointChange & { notices: DeliveryNotice[] }) | 'lease-lost' | 'settled';

/** A finished attempt waiting to be recorded, with everything decided about it before the transaction. */
interface Finished {
  d: Delivery;
  attempt: DeliveryAttempt;
  summary: AttemptSummary;
  verdict: Verdict;
  step: NextStep;
  result: PostResult;
  now: number;
  resolve(recorded: Recorded): void;
  reject(err: unknown): void;
}

/** §8: how much of an answer the log keeps. */
export const LOGGED_BODY_BYTES = 4096;
const HOUSEKEEPING_INTERVAL_MS = 60_000;
/** A notice still waiting this long after it was written is handed over again by housekeeping. */
export const NOTICE_RETRY_AFTER_MS = 60_000;
/** …and given up (logged as an error) after this long. */
export const NOTICE_GIVE_UP_MS = 3 * 24 * 3600_000;

export class DeliveryQueue {
  readonly workerId: string;
  private readonly store: DeliveryStorage;
  private readonly concurrency: number;
  private readonly maxPerEndpoint: number;
  private readonly leaseMs: number;
  private readonly pollMs: number;
  private readonly timeoutMs: number;
  private readonly maxBodyBytes: number;
  private readonly autoDisable: AutoDisableSettings;
  private readonly retentionMs: number;
  private readonly now: () => number;
  private readonly random: () => number;
  private readonly timers: Timers;
  private readonly post: Post;
  private readonly inFlight = new Set<Promise<void>>();
  /** executors' disable notices still running: stop() waits for them as for attempts */
  private readonly notices = new Set<Promise<void>>();
  private readonly loop: WakeLoop;
  private started = false;
  private pollTimer: unknown;
  private renewTimer: unknown;
  /** the deliveries this process holds leases on, waiting or while their attempts run */
  private readonly leased = new Set<string>();
  private readonly leaseBatch: number;
  /** leased deliveries whose attempts have not started, per endpoint, oldest due first */
  private readonly waiting = new Map<string, Delivery[]>();
  /** attempts running per endpoint */
  private readonly running = new Map<string, number>();
  /**
   * Why the last claim may have left due deliveries behind that no wake-up will announce (see
   * lowOnWork): its room ran out, it saw as many endpoints as it looks at, or `atLimit` endpoints
   * were held to their batch (`lastPerEndpoint`). Finishing attempts then claim again as their
   * slots free up; undefined: new work comes with a wake-up (an expansion, a retry's timer, the
   * poll) and an attempt's end does not pay for a claim that finds nothing.
   */
  private claimAgainBecause: 'room' | 'endpoints-seen' | 'endpoint-limit' | undefined = 'room';
  private atLimit: ReadonlySet<string> = new Set();
  private lastPerEndpoint = 0;
  /** per endpoint: the finished attempts that the next recording transaction takes (see record) */
  private readonly toRecord = new Map<string, Finished[]>();
  /** attempts holding one of the process's `concurrency` slots (a written socket frame or an answered success holds none) */
  private busy = 0;
  /**
   * per endpoint: attempts that are done (a socket frame written, an HTTP request answered 2xx) but
   * not recorded yet (see begin); at most recordBatchLimit, so that a dead socket puts back
   * (redeliver) a bounded number at once
   */
  private readonly unrecorded = new Map<string, number>();
  /**
   * per endpoint: failed attempts not yet recorded. No attempt starts there meanwhile: the failure's
   * record decides what may go next (a pause, a back-off, a disable; docs/delivery.md §6), and what
   * waits is given back after it (complete).
   */
  private readonly failing = new Map<string, number>();
  /** deliveries claimed again while an earlier attempt of theirs awaits its record (see claimAndStart) */
  private readonly heldTwice = new Set<string>();
  /** per endpoint: when (giveBackSeq) its waiting deliveries were last given back after a failure */
  private readonly gaveBackAt = new Map<string, number>();
  private giveBackSeq = 0;
  /** per endpoint: its recording transaction of attempts done early (see record) under way; the next batch gathers meanwhile */
  private readonly recordChains = new Map<string, Promise<void>>();
  /** attempts started by this process (runDue's answer) */
  private started_ = 0;
  private reclaimFirst = false;
  private readonly nodeId: string;
  private lastHousekeeping = Number.NEGATIVE_INFINITY;
  /**
   * Leasing as deliveries are inserted (DeliveryStorage.offerLeases), where the store takes the
   * offer: then an expansion hands its deliveries over (adopt) and needs no claim. Only for an
   * endpoint this process holds every due delivery of, as far as it knows, so that one leased at
   * insert does not overtake older ones (docs/delivery.md §2.6, first attempts in event order):
   * `caughtUp` once a claim took everything it found (not cut short by its room), except the
   * endpoints in `behind` (held to their limit by that claim, or since then given back or left a
   * delivery to the claim; each with the `behindSeq` it was marked at). `missed` counts deliveries
   * left to the claim since the last one started: an expansion wakes the claim only then.
   */
  private leasingAtInsert = false;
  private withdrawOffer: (() => void) | undefined;
  private caughtUp = false;
  private readonly behind = new Map<string, number>();
  private behindSeq = 0;
  private missed = 0;

  constructor(private readonly opts: DeliveryQueueOptions) {
    this.store = opts.store;
    this.nodeId = opts.nodeId ?? hostname();
    this.workerId = opts.workerId ?? `${this.nodeId}:${process.pid}:${randomBytes(4).toString('hex')}`;
    this.concurrency = opts.concurrency ?? 32;
    this.maxPerEndpoint = opts.maxInFlightPerEndpoint ?? 4;
    this.leaseBatch = Math.max(opts.leaseBatch ?? 32, this.maxPerEndpoint);
    this.leaseMs = opts.leaseMs ?? 60_000;
    this.pollMs = opts.pollMs ?? 1000;
    this.timeoutMs = opts.timeoutMs ?? ATTEMPT_LIMITS.event.timeoutMs;
    this.maxBodyBytes = opts.maxBodyBytes ?? ATTEMPT_LIMITS.event.maxBodyBytes;
    this.autoDisable = { afterMs: AUTO_DISABLE_AFTER_MS, spreadMs: AUTO_DISABLE_SPREAD_MS, ...opts.autoDisable };
    this.retentionMs = opts.retentionMs ?? 30 * 24 * 3600_000;
    this.now = opts.now ?? Date.now;
    this.random = opts.random ?? Math.random;
    this.timers = opts.timers ?? realTimers;
    this.post = opts.post ?? postJson;
    this.loop = new WakeLoop({
      before: async () => {
        if (!this.reclaimFirst) return;
        this.reclaimFirst = false;
        await this.reclaimDeadLeases();
      },
      round: async () => void (await this.claimAndStart()),
      after: async () => {
        if (this.now() - this.lastHousekeeping >= HOUSEKEEPING_INTERVAL_MS) await this.housekeeping();
      },
      // Nothing was lost: unclaimed deliveries wait for the next poll, leased ones for their lease.
      onError: (err) => this.opts.log.error({ err }, 'delivery queue round failed'),
    });
    // A lease shorter than an attempt would let a second worker send while the first still waits.
    if (this.leaseMs <= this.timeoutMs) throw new Error(`leaseMs (${this.leaseMs}) must exceed the attempt timeout (${this.timeoutMs})`);
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.withdrawOffer = this.store.offerLeases?.({
      workerId: this.workerId,
      leaseMs: this.leaseMs,
      now: () => this.now(),
      room: (endpointId) => this.roomAtInsert(endpointId),
      missedLease: (endpointId) => {
        this.markBehind(endpointId);
        this.missed++;
      },
    });
    this.leasingAtInsert = this.withdrawOffer !== undefined;
    for (const executor of this.executorList()) executor.started?.(this);
    this.reclaimFirst = true;
    this.schedulePoll();
    this.scheduleRenewal();
    this.wake();
  }

  /**
   * Releases the leases that earlier processes of this node hold and can no longer use: a process
   * that was killed mid-attempt left its deliveries leased, and without this they (and, through
   * the in-flight limit, everything else to their endpoints) would wait for the leases to run out.
   * Leases of live processes of this node (several workers) and of other nodes are left alone.
   */
  async reclaimDeadLeases(): Promise<number> {
    const alive = this.opts.isProcessAlive ?? processAlive;
    const prefix = `${this.nodeId}:`;
    const dead = (await this.store.leaseHolders(prefix)).filter((holder) => {
      if (holder === this.workerId) return false;
      const pid = Number(holder.slice(prefix.length).split(':')[0]);
      // Our own pid under another name was an earlier process whose pid this one reuses.
      return !Number.isInteger(pid) || pid === process.pid || !alive(pid);
    });
    const released = await this.store.releaseLeasesOf(dead);
    if (released > 0) this.opts.log.info({ released, workers: dead }, 'released the delivery leases of dead processes of this node; their deliveries are due again');
    return released;
  }

  /** Claim soon; runs never overlap. */
  wake(): void {
    if (this.started) this.loop.wake();
  }

  /**
   * An expansion committed new deliveries: claim them, unless every one of them was leased to this
   * queue as it was inserted (and handed over with adopt).
   */
  wakeAfterExpansion(): void {
    if (!this.leasingAtInsert || this.missed > 0) this.wake();
  }

  /**
   * Deliveries leased to this queue as they were inserted, once their transaction has committed:
   * attempted as a claim's are, once they are on the disk.
   */
  adopt(leased: readonly Delivery[]): void {
    // Another queue's (a newer offer took over while the expansion ran): theirs until the lease runs out.
    const ours = leased.filter((d) => d.lockedBy === this.workerId);
    if (ours.length < leased.length) this.opts.log.warn({ count: leased.length - ours.length }, "deliveries leased to another queue's offer were handed here; they are claimed once their leases run out");
    // An endpoint marked behind since the insert leased (no offer is made for one that is): a failure
    // gave back its waiting deliveries meanwhile (giveBack), and the claim decides afresh (§6).
    const late = ours.filter((d) => this.behind.has(d.endpointId));
    if (late.length > 0) void this.store.unlease(late.map((d) => d.id), this.workerId).catch(() => undefined);
    const deliveries = ours.filter((d) => !late.includes(d));
    if (deliveries.length === 0) return;
    const giveBack = () => this.store.unlease(deliveries.map((d) => d.id), this.workerId).catch(() => undefined);
    if (this.loop.isStopped) return void giveBack();
    for (const d of deliveries) this.leased.add(d.id);
    this.store.durable().then(
      () => {
        if (this.loop.isStopped) {
          for (const d of deliveries) this.leased.delete(d.id);
          return void giveBack();
        }
        this.addWaiting(deliveries);
        this.pump();
      },
      (err: unknown) => {
        for (const d of deliveries) this.leased.delete(d.id);
        this.opts.log.error({ err }, 'deliveries leased as they were inserted could not be made durable; given back to the claim');
        void giveBack();
      },
    );
  }

  /** LeaseOffer.room: what an inserting transaction may lease to this queue for the endpoint (the claim's limits). */
  private roomAtInsert(endpointId: string): number {
    if (this.loop.isStopped || !this.caughtUp || this.behind.has(endpointId)) return 0;
    return Math.max(0, Math.min(this.leaseCap - this.leased.size, this.perEndpointBatch() - this.heldOf(endpointId)));
  }

  /**
   * Leases held but not yet running are bounded too: a few batches' worth per attempt slot. The
   * more endpoints this process holds, the fewer each may hold (perEndpointBatch), so that a few
   * busy endpoints cannot take all the room and keep the others from being claimed at all.
   */
  private get leaseCap(): number {
    return this.concurrency * 8;
  }

  private perEndpointBatch(): number {
    return Math.max(this.maxPerEndpoint, Math.min(this.leaseBatch, Math.floor(this.leaseCap / (this.running.size + this.waiting.size + 1))));
  }

  /** The endpoint's deliveries this process holds: running, waiting, or written and not yet recorded. */
  private heldOf(endpointId: string): number {
    return (this.running.get(endpointId) ?? 0) + (this.waiting.get(endpointId)?.length ?? 0) + (this.unrecorded.get(endpointId) ?? 0);
  }

  /** Stops claiming, gives back the leases of attempts not started, and waits for those in flight to be recorded. */
  async stop(): Promise<void> {
    this.withdrawOffer?.();
    this.withdrawOffer = undefined;
    this.leasingAtInsert = false;
    if (this.pollTimer !== undefined) this.timers.clearTimeout(this.pollTimer);
    if (this.renewTimer !== undefined) this.timers.clearTimeout(this.renewTimer);
    await this.loop.stop();
    for (const endpointId of [...this.waiting.keys()]) await this.giveBack(endpointId);
    await Promise.allSettled([...this.inFlight]);
    await Promise.allSettled([...this.notices]);
  }

  /**
   * Claims and sends until nothing more is due at `now()`, waiting for every attempt; returns how
   * many were made. For tests and tools driving the queue by hand instead of start().
   */
  async runDue(): Promise<number> {
    const before = this.started_;
    for (;;) {
      const claimed = await this.claimAndStart();
      if (claimed === 0 && this.inFlight.size === 0 && this.waiting.size === 0) return this.started_ - before;
      if (this.inFlight.size > 0) await Promise.race([...this.inFlight]);
    }
  }

  /** Auto-disables endpoints whose failures have lasted long enough (§7) and prunes the log (§8). */
  async housekeeping(): Promise<void> {
    const now = this.now();
    this.lastHousekeeping = now;
    for (const candidate of await this.store.endpointsToAutoDisable(now, this.autoDisable.afterMs, this.autoDisable.spreadMs)) {
      const disabled = await unitOfWork(this.store, async (tx) => {
        // Checked again under the lock: a success may have cleared the streak since the query.
        const state = await tx.lockEndpoint(candidate.endpointId, candidate.endpointType);
        if (state.disabled || !qualifiesForAutoDisable(state, now, this.autoDisable)) return undefined;
        const next: EndpointState = { ...state, disabled: true, disabledReason: 'sustained-failure', disabledAt: now };
        await tx.saveEndpoint(next);
        await tx.failPending(state.endpointId, 'endpoint-disabled');
        const notices = await this.recordNotice(tx, next, 'disabled', 'sustained-failure', null, now);
        return { state: next, notices };
      });
      if (disabled) {
        this.notifyDisabled(disabled.state, 'sustained-failure');
        for (const n of disabled.notices) this.deliverNotice(n);
      }
    }
    await this.retryNotices(now);
    await this.store.prune(now - this.retentionMs);
    for (const executor of this.executorList()) {
      try {
        await executor.housekeeping?.(now);
      } catch (err) {
        this.opts.log.error({ err, endpointType: executor.endpointType }, 'delivery executor housekeeping failed');
      }
    }
  }

  /** Writes the owner notice, in the caller's transaction, when someone tells this endpoint type's owners. */
  private async recordNotice(tx: DeliveryStorage, endpoint: EndpointState, kind: NoticeKind, reason: string, url: string | null, now: number): Promise<DeliveryNotice[]> {
    if (!this.noticesFor(endpoint.endpointType)) return [];
    const notice = await tx.addNotice({
      id: `ntc_${ulid(now)}`,
      endpointId: endpoint.endpointId,
      endpointType: endpoint.endpointType,
      kind,
      reason,
      lastStatusCode: endpoint.lastStatusCode,
      lastError: endpoint.lastError,
      url,
      now,
    });
    return [notice];
  }

  private noticesFor(type: EndpointType): OwnerNotices | undefined {
    return this.opts.ownerNotices?.find((n) => n.endpointType === type);
  }

  /** Hands a committed notice over at once; a failure leaves it for housekeeping. stop() waits for it. */
  private deliverNotice(notice: DeliveryNotice): void {
    const to = this.noticesFor(notice.endpointType);
    if (!to) return;
    const running: Promise<void> = Promise.resolve()
      .then(() => to.deliver(notice))
      .catch((err) => this.opts.log.error({ err, endpointId: notice.endpointId, noticeId: notice.id, kind: notice.kind }, 'owner notice could not be delivered; housekeeping will try again'))
      .finally(() => this.notices.delete(running));
    this.notices.add(running);
  }

  /** Notices a crash or an error left behind: handed over again, given up after NOTICE_GIVE_UP_MS. */
  private async retryNotices(now: number): Promise<void> {
    const types = (this.opts.ownerNotices ?? []).map((n) => n.endpointType);
    if (types.length === 0) return;
    try {
      for (const notice of await this.store.pendingNotices(now - NOTICE_RETRY_AFTER_MS, types)) {
        if (now - notice.createdAt >= NOTICE_GIVE_UP_MS) {
          if (await this.store.takeNotice(notice.id)) {
            this.opts.log.error({ endpointId: notice.endpointId, noticeId: notice.id, kind: notice.kind, createdAt: notice.createdAt }, 'owner notice given up: it could not be delivered in time');
          }
          continue;
        }
        try {
          await this.noticesFor(notice.endpointType)!.deliver(notice);
        } catch (err) {
          this.opts.log.error({ err, endpointId: notice.endpointId, noticeId: notice.id, kind: notice.kind }, 'owner notice could not be delivered; housekeeping will try again');
        }
      }
    } catch (err) {
      this.opts.log.error({ err }, 'reading the waiting owner notices failed');
    }
  }

  private executorList(): DeliveryExecutor[] {
    return Object.values(this.opts.executors ?? {}).filter((e): e is DeliveryExecutor => e !== undefined);
  }

  private schedulePoll(): void {
    if (this.loop.isStopped) return;
    this.pollTimer = this.timers.setTimeout(() => {
      this.wake();
      this.schedulePoll();
    }, this.pollMs);
  }

  /**
   * Attempts may run longer than a third of the lease (an outgoing webhook's scripts and call take
   * up to a minute): the leases of running attempts are renewed, so the lease can stay at §2.4's
   * 60 s and still never run out under a live attempt.
   */
  private scheduleRenewal(): void {
    if (this.loop.isStopped) return;
    this.renewTimer = this.timers.setTimeout(() => {
      const ids = [...this.leased];
      void this.store
        .renewLeases(ids, this.workerId, this.now() + this.leaseMs)
        .catch(async (err: unknown) => {
          this.opts.log.error({ err }, 'renewing delivery leases failed; deliveries not yet started are given back');
          // Their leases may run out before they start, and another worker would then send them too.
          for (const endpointId of [...this.waiting.keys()]) await this.giveBack(endpointId);
        })
        .finally(() => this.scheduleRenewal());
    }, Math.floor(this.leaseMs / 3));
  }

  /**
   * Leases what is due (in batches per endpoint, see leaseBatch) and starts what the in-flight
   * limits allow; returns how many deliveries it leased.
   */
  private async claimAndStart(): Promise<number> {
    if (this.loop.isStopped) return 0;
    const room = this.leaseCap - this.leased.size;
    let claimed: Delivery[] = [];
    if (room <= 0) this.claimAgainBecause = 'room';
    else {
      const perEndpoint = this.perEndpointBatch();
      this.lastPerEndpoint = perEndpoint;
      const heldBefore = this.heldPerEndpoint();
      const missedBefore = this.missed;
      const seqBefore = this.behindSeq;
      const gaveBackBefore = this.giveBackSeq;
      claimed = await this.store.claimDue(this.now(), room, this.workerId, this.leaseMs, perEndpoint);
      // Taken: every delivery left to the claim before it started.
      this.missed -= missedBefore;
      this.atLimit = endpointsAtLimit(heldBefore, claimed, perEndpoint);
      const endpointsSeen = endpointCount(claimed);
      if (this.leasingAtInsert) this.noteCaughtUp(claimed.length < room && endpointsSeen < CLAIM_ENDPOINTS_SEEN, seqBefore);
      for (const d of claimed) {
        // Put back (redeliver) while its earlier attempt still waits for its record: two attempts
        // hold it now, and the first to end must not drop the lease the other renews.
        if (this.leased.has(d.id)) this.heldTwice.add(d.id);
        this.leased.add(d.id);
      }
      try {
        // The claim (and the expansion before it) was answered at its commit: nothing goes out about
        // a change that a power loss could still take back (docs/operations.md §9). Not even by a
        // finishing attempt's pump, so the batch joins `waiting` only once it is on the disk.
        if (claimed.length > 0) await this.store.durable();
      } catch (err) {
        for (const d of claimed) this.leased.delete(d.id);
        await this.store.unlease(claimed.map((d) => d.id), this.workerId).catch(() => undefined);
        throw err;
      }
      // A failure recorded (and its endpoint's waiting deliveries given back) while this claim ran: the
      // claim may have read the endpoint before that record; what it leased there goes back too (§6).
      const stale = new Set(claimed.filter((d) => (this.gaveBackAt.get(d.endpointId) ?? 0) > gaveBackBefore && !this.heldTwice.has(d.id)));
      if (stale.size > 0) {
        for (const d of stale) this.leased.delete(d.id);
        await this.store.unlease([...stale].map((d) => d.id), this.workerId).catch(() => undefined);
        claimed = claimed.filter((d) => !stale.has(d));
      }
      this.addWaiting(claimed);
      this.claimAgainBecause = claimed.length >= room ? 'room' : endpointsSeen >= CLAIM_ENDPOINTS_SEEN ? 'endpoints-seen' : this.atLimit.size > 0 ? 'endpoint-limit' : undefined;
    }
    this.pump();
    return claimed.length;
  }

  /**
   * After a claim: one that was `complete` (took fewer than its room, and looked at fewer endpoints
   * than it can) leaves nothing due that this process does not hold, except at the endpoints held
   * to their limit (`atLimit`) and those marked behind while it ran. (Endpoints the claim skips,
   * paused, backing off or leased by another worker, are checked again by the inserting
   * transaction.) An incomplete claim tells nothing of the rest.
   */
  private noteCaughtUp(complete: boolean, seqBefore: number): void {
    this.caughtUp = complete;
    if (complete) for (const [endpointId, seq] of this.behind) if (seq <= seqBefore) this.behind.delete(endpointId);
    for (const endpointId of this.atLimit) this.markBehind(endpointId);
  }

  private markBehind(endpointId: string): void {
    this.behind.set(endpointId, ++this.behindSeq);
  }

  /**
   * Whether a finished attempt should claim again (where the last claim may have left some): where an
   * endpoint held to its batch was what left some, once that endpoint is down to half its batch;
   * where the room ran out, once half the room is free; not at every attempt. A backlogged endpoint
   * was claimed from after each attempt, a few deliveries at a time (3.7 per claim in the mixed
   * bench), each claim a scan and a transaction. Its running slots stay full meanwhile: half a batch
   * is never less than the in-flight limit.
   */
  private lowOnWork(endpointId: string): boolean {
    switch (this.claimAgainBecause) {
      case 'endpoint-limit':
        return this.atLimit.has(endpointId) && this.heldOf(endpointId) <= Math.max(this.maxPerEndpoint, Math.floor(this.lastPerEndpoint / 2));
      case 'room':
        return this.leased.size <= this.leaseCap / 2;
      case 'endpoints-seen':
        return true;
      case undefined:
        return false;
    }
  }

  /** Leased deliveries, on the disk: they wait for an attempt slot (pump). */
  private addWaiting(deliveries: readonly Delivery[]): void {
    for (const d of deliveries) {
      const list = this.waiting.get(d.endpointId);
      if (list) list.push(d);
      else this.waiting.set(d.endpointId, [d]);
    }
  }

  /** The deliveries this process holds (waiting or running), per endpoint. */
  private heldPerEndpoint(): Map<string, number> {
    const held = new Map(this.running);
    for (const [endpointId, list] of this.waiting) held.set(endpointId, (held.get(endpointId) ?? 0) + list.length);
    // Written socket frames keep their leases until recorded: the claim counts them too (claimDue).
    for (const [endpointId, n] of this.unrecorded) held.set(endpointId, (held.get(endpointId) ?? 0) + n);
    return held;
  }

  /** Starts waiting attempts while the endpoint's and the process's in-flight limits allow. */
  private pump(): void {
    if (this.loop.isStopped) return;
    // Map order is claim order; an endpoint served here moves to the back (below), so free slots go
    // round the endpoints rather than to the first ones again and again.
    for (const [endpointId, list] of [...this.waiting]) {
      let running = this.running.get(endpointId) ?? 0;
      const before = running;
      while (
        list.length > 0 &&
        running < this.maxPerEndpoint &&
        this.busy < this.concurrency &&
        (this.unrecorded.get(endpointId) ?? 0) < this.store.recordBatchLimit &&
        !this.failing.has(endpointId)
      ) {
        this.begin(list.shift()!);
        running++;
      }
      if (list.length === 0) this.waiting.delete(endpointId);
      else if (running > before) {
        this.waiting.delete(endpointId);
        this.waiting.set(endpointId, list);
      }
      if (this.busy >= this.concurrency) return;
    }
  }

  /**
   * Starts one attempt. It holds an attempt slot (the endpoint's and the process's) until it is
   * recorded — except a success, whose slot frees once it is known (`done`): a socket-mode frame
   * once the socket took it, an HTTP request once answered 2xx. A success cannot pause or slow the
   * endpoint (§6), so the next attempts need not wait for a commit; its record follows in the
   * endpoint's next recording transaction (record), and redeliver covers a socket that dies before
   * then. (An answered request whose record a crash loses is sent again: at-least-once, §2.) A
   * failure holds its slot, and holds the endpoint (`failing`), until recorded.
   */
  private begin(d: Delivery): void {
    this.started_++;
    this.busy++;
    countUp(this.running, d.endpointId);
    let holdsSlot = true;
    let awaitsRecord = false;
    const freeSlot = () => {
      if (!holdsSlot) return;
      holdsSlot = false;
      this.busy--;
      countDown(this.running, d.endpointId);
    };
    const done = () => {
      freeSlot();
      awaitsRecord = true;
      countUp(this.unrecorded, d.endpointId);
      this.pump();
    };
    const running: Promise<void> = this.attempt(d, done)
      .catch((err) => this.opts.log.error({ err, deliveryId: d.id }, 'delivery attempt could not be recorded; its lease will expire and it will be retried'))
      .finally(() => {
        if (!this.heldTwice.delete(d.id)) this.leased.delete(d.id);
        this.inFlight.delete(running);
        freeSlot();
        if (awaitsRecord) countDown(this.unrecorded, d.endpointId);
        this.pump();
        if (this.lowOnWork(d.endpointId)) this.wake();
      });
    this.inFlight.add(running);
  }

  /**
   * Gives back the endpoint's leased deliveries whose attempts have not started: after a failed
   * attempt the claim's rules (pauses, back-off, disabling) decide afresh what may go to it.
   */
  private async giveBack(endpointId: string): Promise<void> {
    // What is given back is due again without a lease: the claim finds it.
    this.markBehind(endpointId);
    this.gaveBackAt.set(endpointId, ++this.giveBackSeq);
    const list = this.waiting.get(endpointId);
    if (!list) return;
    this.waiting.delete(endpointId);
    const ids = list.map((d) => d.id);
    try {
      await this.store.unlease(ids, this.workerId);
    } catch (err) {
      // Their leases run out by themselves; until then they are renewed no more.
      this.opts.log.error({ err, endpointId }, 'giving back delivery leases failed; they are due again when the leases run out');
    } finally {
      for (const id of ids) this.leased.delete(id);
    }
  }

  /** One attempt of a leased delivery, recorded with its consequences in one transaction; `done` when it succeeded (begin). */
  private async attempt(d: Delivery, done: () => void): Promise<void> {
    const executor = this.opts.executors?.[d.class];
    if (executor) return this.execute(executor, d);
    const n = d.attemptCount + 1;
    const startedAt = this.now();
    if (d.payload === null) return void (await this.store.cancel(d.id));
    if (d.url === SOCKET_URL) return this.attemptOverSocket(d, n, startedAt, done);
    let headers: Record<string, string>;
    let result: PostResult;
    try {
      const signature = await this.opts.sign(d, startedAt);
      if (signature === null) return void (await this.store.cancel(d.id));
      headers = { ...signature, 'switchboard-delivery-attempt': String(n) };
      result = await this.post(d.url, d.payload, headers, { agent: this.opts.agent, timeoutMs: this.timeoutMs, maxBodyBytes: this.maxBodyBytes });
    } catch (err) {
      // Our own failure (no secret, a bad header value), not the receiver's: no attempt is counted.
      this.opts.log.error({ err, deliveryId: d.id }, 'delivery attempt could not be made');
      return this.store.release(d.id, this.workerId, startedAt + this.leaseMs);
    }
    if (result.ok) done();
    // postJson adds these two itself.
    await this.complete(d, n, startedAt, { ...headers, 'content-type': 'application/json', 'user-agent': USER_AGENT }, result);
  }

  /**
   * docs/delivery.md §2.7: a socket-mode app's event is written to one of its sockets, unsigned
   * (frames are not signed, app-platform.md §6) and recorded like any attempt: no socket is the
   * failure `no-socket`, which follows the retry schedule without back-off (it says nothing about
   * the app's load) until a socket connects and makes the backlog due.
   */
  private async attemptOverSocket(d: Delivery, n: number, startedAt: number, done: () => void): Promise<void> {
    let sent: { result: PostResult; requestHeaders: Record<string, string> } | null;
    try {
      sent = this.opts.socketSender
        ? await this.opts.socketSender(d, n)
        : { result: { ok: false, headers: {}, body: '', tooLarge: false, durationMs: 0, error: 'no-socket', errorMessage: 'socket mode is not served here' }, requestHeaders: { 'x-switchboard-transport': 'socket' } };
    } catch (err) {
      this.opts.log.error({ err, deliveryId: d.id }, 'delivery attempt could not be made');
      return this.store.release(d.id, this.workerId, startedAt + this.leaseMs);
    }
    if (sent === null) return void (await this.store.cancel(d.id));
    if (sent.result.error === 'no-socket' && this.opts.socketSender) {
      // A socket that connected while this attempt ran made its app's backlog due, but not this
      // leased delivery: one more look (the sender reads the registry afresh when it found no
      // socket) before recording `no-socket` and waiting for the next retry, maybe hours away.
      try {
        const again = await this.opts.socketSender(d, n);
        if (again === null) return void (await this.store.cancel(d.id));
        sent = { result: { ...again.result, durationMs: sent.result.durationMs + again.result.durationMs }, requestHeaders: again.requestHeaders };
      } catch (err) {
        this.opts.log.error({ err, deliveryId: d.id }, 'delivery attempt could not be made');
      }
    }
    if (sent.result.ok) done();
    await this.complete(d, n, startedAt, sent.requestHeaders, sent.result);
  }

  /** An attempt made by the class's executor, recorded like any other. */
  private async execute(executor: DeliveryExecutor, d: Delivery): Promise<void> {
    const n = d.attemptCount + 1;
    const startedAt = this.now();
    let outcome: ExecutorOutcome;
    try {
      outcome = await executor.attempt(d, { n, inSequence: n - d.sequenceOffset, startedAt, now: this.now });
    } catch (err) {
      // As above: an error of ours, not an answer; the delivery is due again once the lease would have ended.
      this.opts.log.error({ err, deliveryId: d.id }, 'delivery attempt could not be made');
      return this.store.release(d.id, this.workerId, startedAt + this.leaseMs);
    }
    if (outcome.kind === 'cancel') return void (await this.store.cancel(d.id));
    await this.complete(d, n, startedAt, outcome.requestHeaders, outcome.result, { verdict: outcome.verdict, step: outcome.next });
  }

  private async complete(
    d: Delivery,
    n: number,
    startedAt: number,
    sent: Record<string, string>,
    result: PostResult,
    decided?: { verdict: Verdict; step: NextStep },
  ): Promise<void> {
    const now = this.now();
    const verdict = decided?.verdict ?? judgeAttempt(result, now);
    // A failure holds its endpoint (pump) until it is recorded and what waits is given back.
    const holds = verdict.kind !== 'success';
    if (holds) countUp(this.failing, d.endpointId);
    try {
      const step = decided?.step ?? nextStep(verdict, n - d.sequenceOffset, now, (this.opts.retrySchedule ?? (() => EVENT_RETRY_SCHEDULE))(d), this.random);
      const attempt: DeliveryAttempt = {
        deliveryId: d.id,
        n,
        manual: d.manual,
        startedAt,
        durationMs: result.durationMs,
        requestHeaders: loggedHeaders(sent),
        responseStatus: result.status ?? null,
        responseHeaders: { ...result.headers },
        responseBody: firstBytes(result.body, LOGGED_BODY_BYTES),
        error: result.error ?? null,
        errorMessage: result.errorMessage ?? null,
      };
      const summary = { attemptCount: n, lastStatusCode: result.status ?? null, lastError: verdict.kind === 'success' ? null : failureText(result) };

      // Attempts whose slot is already free (begin's `done`: an HTTP success, a written frame) are
      // recorded by the endpoint's chain, and so is every socket attempt (`no-socket` ones too: one
      // transaction at a time per app while its backlog waits for a socket).
      const chained = d.url === SOCKET_URL || (verdict.kind === 'success' && this.opts.executors?.[d.class] === undefined);
      const change = await this.record({ d, attempt, summary, verdict, step, result, now }, chained);
      if (change === 'lease-lost') {
        // Another worker took the delivery over after our lease ran out and makes this attempt itself.
        this.opts.log.warn({ deliveryId: d.id, n }, 'delivery lease lost (or the delivery put back) before the attempt was recorded');
        return;
      }
      this.opts.log.info(
        { deliveryId: d.id, endpointId: d.endpointId, n, status: result.status, error: result.error, durationMs: result.durationMs, next: step.status },
        'delivery attempt',
      );
      this.opts.onAttempt?.(d, attempt, step);
      if (verdict.kind !== 'success') {
        await this.giveBack(d.endpointId);
        // What was given back is due again (as the claim's rules now allow).
        this.wake();
      }
      if (change === 'settled') return;
      if (step.status === 'pending') this.wakeAt(step.nextAttemptAt);
      // Owners hear of a disable or of failing deliveries only once the decision is on the disk.
      if (change.disable || change.noticeFailing || change.notices.length > 0) await this.store.durable();
      if (change.disable) this.notifyDisabled(change.state, change.disable);
      if (change.noticeFailing) this.callback(() => this.opts.onDeliveriesFailing?.(d.endpointId, change.state));
      for (const n of change.notices) this.deliverNotice(n);
    } finally {
      if (holds) countDown(this.failing, d.endpointId);
    }
  }

  /**
   * Records a finished attempt with its consequences (docs/delivery.md §5–§7): the attempt, the
   * delivery's outcome, the endpoint's state and any owner notice, in one transaction. Attempts of
   * one endpoint that finish while its transaction waits to start are recorded by that same
   * transaction, in the order they finished (as many as DeliveryStorage.recordBatchLimit allows):
   * one lock of the endpoint row and one write of its state for all of them, instead of a
   * transaction each. Answered at the commit: an attempt record a power loss forgets only makes
   * the attempt happen again. `chained`: attempts whose slots are already free (begin) and socket
   * attempts wait for the endpoint's recording transaction under way; others start one at once.
   */
  private record(f: Omit<Finished, 'resolve' | 'reject'>, chained: boolean): Promise<Recorded> {
    return new Promise<Recorded>((resolve, reject) => {
      const endpointId = f.d.endpointId;
      const entry: Finished = { ...f, resolve, reject };
      const open = this.toRecord.get(endpointId);
      if (open && open.length < this.store.recordBatchLimit) return void open.push(entry);
      const batch = [entry];
      this.toRecord.set(endpointId, batch);
      // A batch opened while an earlier one still waits its turn in the chain (that one full) follows it:
      // a failure must not be recorded before successes answered ahead of it (they would undo its back-off).
      if (!chained && !this.recordChains.has(endpointId)) return void this.recordBatch(endpointId, batch);
      // Frames are written and requests answered while earlier ones are recorded (begin): one
      // recording transaction per endpoint at a time, the next batch gathering until it ends — not
      // one transaction (and on PostgreSQL one pooled connection waiting for the endpoint's row)
      // per few attempts. (A transaction each had batches of one: 21,592 endpoint-row reads for
      // 21,459 HTTP attempts in BENCH_ONLY=events.)
      const run = (this.recordChains.get(endpointId) ?? gather())
        .then(() => this.recordBatch(endpointId, batch))
        .catch((err: unknown) => this.opts.log.error({ err, endpointId }, 'recording delivery attempts failed; their leases expire and they are retried'));
      this.recordChains.set(endpointId, run);
      void run.finally(() => {
        if (this.recordChains.get(endpointId) === run) this.recordChains.delete(endpointId);
      });
    });
  }

  private async recordBatch(endpointId: string, batch: Finished[]): Promise<void> {
    // From the moment the transaction runs, later attempts go to the next one.
    const close = () => {
      if (this.toRecord.get(endpointId) === batch) this.toRecord.delete(endpointId);
    };
    let recorded: Recorded[];
    try {
      recorded = await unitOfWork(this.store, (tx) => (close(), this.recordIn(tx, batch)), { awaitDurable: false });
    } catch (err) {
      close();
      if (batch.length === 1) return batch[0]!.reject(err);
      // One attempt may be what failed: each alone, so that the others are still recorded.
      for (const f of batch) await this.recordBatch(endpointId, [f]);
      return;
    }
    batch.forEach((f, i) => f.resolve(recorded[i]!));
  }

  /** The finished attempts of one endpoint, in the order they finished, in the caller's transaction. */
  private async recordIn(tx: DeliveryStorage, batch: Finished[]): Promise<Recorded[]> {
    const first = batch[0]!.d;
    let endpoint = await tx.lockEndpoint(first.endpointId, first.endpointType);
    let endpointChanged = false;
    const recorded: Recorded[] = [];
    // One read (and on PostgreSQL one lock, in id order) for the whole batch.
    const statuses = await tx.leasedStatuses(
      batch.map((f) => f.d.id),
      this.workerId,
    );
    for (const { d, attempt, summary, verdict, step, result, now } of batch) {
      const current = statuses.get(d.id);
      // A socket that died before showing it read this frame put the delivery back meanwhile
      // (DeliveryStorage.redeliver moves its due time): it is attempted again, this one not recorded.
      if (!current || (d.url === SOCKET_URL && current.nextAttemptAt !== d.nextAttemptAt)) {
        recorded.push('lease-lost');
        continue;
      }
      await tx.recordAttempt(attempt);
      if (current.status !== 'pending') {
        // Failed or cancelled while this attempt was in flight (its endpoint was disabled): the
        // attempt is recorded; only a success changes the outcome, since the receiver has it.
        if (verdict.kind === 'success') await tx.markSucceeded(d.id, summary);
        else if (current.status === 'failed') await tx.markFailed(d.id, current.reason ?? 'endpoint-disabled', summary);
        else await tx.cancel(d.id);
        recorded.push('settled');
        continue;
      }
      // Each attempt moves the endpoint on from where the one before it left it.
      const endpointChange = endpointAfterAttempt(endpoint, { verdict, result, step, now }, this.autoDisable);
      endpoint = endpointChange.state;
      endpointChanged = true;
      if (step.status === 'succeeded') await tx.markSucceeded(d.id, summary);
      else if (step.status === 'failed') await tx.markFailed(d.id, step.reason, summary);
      else await tx.reschedule(d.id, step.nextAttemptAt, summary);
      if (endpointChange.disable) await tx.failPending(d.endpointId, endpointChange.disable === 'http-410' ? 'endpoint-gone' : 'endpoint-disabled');
      // §5/§7: the owner notice is decided here, so it is written here (its once-a-day mark too).
      const notices: DeliveryNotice[] = [];
      if (endpointChange.disable) notices.push(...(await this.recordNotice(tx, endpointChange.state, 'disabled', endpointChange.disable, d.url, now)));
      if (endpointChange.noticeFailing && step.status === 'failed') notices.push(...(await this.recordNotice(tx, endpointChange.state, 'failing', step.reason, d.url, now)));
      recorded.push({ ...endpointChange, notices });
    }
    if (endpointChanged) await tx.saveEndpoint(endpoint);
    return recorded;
  }

  /**
   * A retry due before the next poll (outgoing webhooks retry after 100 ms, 1 s…, docs/integrations.md
   * docs/integrations.md §8.7) gets a wake-up of its own; later ones are found by the poll.
   */
  private wakeAt(at: number): void {
    const delay = at - this.now();
    if (this.loop.isStopped || delay >= this.pollMs) return;
    this.timers.setTimeout(() => this.wake(), Math.max(0, delay));
  }

  private notifyDisabled(endpoint: EndpointState, reason: DisabledReason): void {
    this.opts.log.warn({ endpointId: endpoint.endpointId, reason, lastError: endpoint.lastError }, 'delivery endpoint disabled');
    this.callback(() => this.opts.onEndpointDisabled?.(endpoint.endpointId, reason, endpoint));
    const executor = this.executorList().find((e) => e.endpointType === endpoint.endpointType);
    if (executor?.endpointDisabled) {
      const notice: Promise<void> = executor
        .endpointDisabled(endpoint, reason)
        .catch((err) => this.opts.log.error({ err, endpointId: endpoint.endpointId }, 'delivery executor disable notice failed'))
        .finally(() => this.notices.delete(notice));
      this.notices.add(notice);
    }
  }

  // A throwing notice must not undo or stall deliveries that are already committed.
  private callback(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.opts.log.error({ err }, 'delivery notice callback failed');
    }
  }
}

/**
 * An endpoint's first recording transaction starts once this turn of the event loop is over, with
 * the answers that came in the same turn (up to 4 at once in flight, BENCH_ONLY=events). A timer
 * gathered more but starved a socket drain: written frames wait for their records (at most
 * recordBatchLimit of them), 1,650 frames/s with a 2 ms gather instead of ~9,000.
 */
const gather = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/**
 * A claim looks at this many endpoints at least (DeliveryStore.claimDue): one that leased from as
 * many may have left others with due deliveries unseen.
 */
const CLAIM_ENDPOINTS_SEEN = 16;

/**
 * The endpoints a claim may have left some of, held back by the per-endpoint limit: it leases up to
 * `perEndpoint` less what this process holds of the endpoint when the claim counts, which is at
 * most what it held when the claim began (attempts only end meanwhile). An endpoint that gave fewer
 * than that had nothing more due.
 */
function endpointsAtLimit(heldBefore: ReadonlyMap<string, number>, claimed: readonly Delivery[], perEndpoint: number): Set<string> {
  const got = new Map<string, number>();
  for (const d of claimed) got.set(d.endpointId, (got.get(d.endpointId) ?? 0) + 1);
  const atLimit = new Set<string>();
  for (const [endpointId, held] of heldBefore) if (held + (got.get(endpointId) ?? 0) >= perEndpoint) atLimit.add(endpointId);
  for (const [endpointId, n] of got) if (!heldBefore.has(endpointId) && n >= perEndpoint) atLimit.add(endpointId);
  return atLimit;
}

/** One less of `key`, the entry gone at zero. */
function countUp(counts: Map<string, number>, key: string): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function countDown(counts: Map<string, number>, key: string): void {
  const left = (counts.get(key) ?? 1) - 1;
  if (left > 0) counts.set(key, left);
  else counts.delete(key);
}

function endpointCount(deliveries: readonly Delivery[]): number {
  return new Set(deliveries.map((d) => d.endpointId)).size;
}

/** At most `max` bytes of UTF-8, not cutting a character in half. */
export function firstBytes(text: string, max: number): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= max) return text;
  let end = max;
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
