/**
 * The workers of one machine (WORKERS > 1 without Redis; docs/operations.md) talk through the primary
 * process that forked them (node:cluster's channel): it relays committed notices to every other worker,
 * a node message to the one worker named, and answers for what must be counted once for all of them
 * (rate limits, presence). Each worker is a node as RedisBus makes it one, with the same guarantees:
 * a notice reaches every worker's hub, `send` answers 0 for a worker that is gone, `liveNodes` names
 * the workers the primary still has. realtime/ipc-relay.ts is the primary's side.
 */
import { randomBytes } from 'node:crypto';
import type { Notice } from '../domain/events.js';
import { NodeConnections } from '../domain/presence.js';
import type { PresenceGroup, PresenceRegistry } from '../domain/ports/presence.js';
import type { LimitRequest } from '../limits/ipc-rate-limiter.js';
import { LocalWriteTurn } from '../domain/turn-queue.js';
import type { WriteTurn } from '../domain/ports/write-turn.js';
import { LocalBus, type NoticeBus, type NoticeHandler } from './bus.js';
import type { ClusterHandler, ClusterLink } from './cluster.js';

/** What a worker asks the primary; each gets one answer. */
export type IpcRequest =
  | { kind: 'hello'; nodeId: string }
  | { kind: 'node'; to: string; message: unknown }
  | { kind: 'live'; nodeIds: string[] }
  | { kind: 'limit'; request: LimitRequest }
  | { kind: 'presence'; op: 'connect' | 'disconnect'; workspaceId: string; userId: string }
  | { kind: 'presence'; op: 'online'; workspaceId: string }
  | { kind: 'presence'; op: 'leave' }
  /** answered when this worker may write to the shared SQLite file; given back with 'write-turn-done' */
  | { kind: 'write-turn' };

/** Every message on the channel carries `sb` (node:cluster's own messages never reach 'message' listeners). */
export type WorkerToPrimary = { sb: 'req'; seq: number; req: IpcRequest } | { sb: 'notices'; notices: readonly Notice[] } | { sb: 'write-turn-done' };
export type PrimaryToWorker =
  | { sb: 'res'; seq: number; ok: true; value: unknown }
  | { sb: 'res'; seq: number; ok: false; error: string }
  | { sb: 'notices'; notices: readonly Notice[] }
  | { sb: 'node'; message: unknown }
  | { sb: 'presence-lost'; lost: PresenceGroup[] };

/** The parts of `process` (a forked worker's) the link uses. */
export interface IpcChannel {
  readonly connected: boolean;
  send?(message: unknown, sendHandle?: undefined, options?: undefined, callback?: (err: Error | null) => void): boolean;
  on(event: 'message', listener: (message: unknown) => void): unknown;
  on(event: 'disconnect', listener: () => void): unknown;
}

const isOurs = (m: unknown): m is PrimaryToWorker => typeof m === 'object' && m !== null && typeof (m as { sb?: unknown }).sb === 'string';

/** A worker's end of the channel to the primary: requests with answers, and what the primary pushes. */
export class WorkerLink {
  private seq = 0;
  private readonly pending = new Map<number, { resolve: (value: unknown) => void; reject: (err: Error) => void }>();
  private readonly noticeHandlers: Array<(notices: readonly Notice[]) => void> = [];
  private readonly nodeHandlers: Array<(message: unknown) => void> = [];
  private readonly lostHandlers: Array<(lost: PresenceGroup[]) => void> = [];
  /** notices published this turn, sent together at its end (publish) */
  private unsent: Notice[] = [];
  private flushing = false;

  constructor(
    private readonly channel: IpcChannel = process as IpcChannel,
    private readonly onError: (err: Error) => void = () => {},
  ) {
    channel.on('message', (m) => {
      if (isOurs(m)) this.receive(m);
    });
    // The primary is gone: nothing will be answered any more.
    channel.on('disconnect', () => {
      for (const p of this.pending.values()) p.reject(new Error('the primary process is gone'));
      this.pending.clear();
    });
  }

  request(req: IpcRequest): Promise<unknown> {
    if (!this.channel.connected || !this.channel.send) return Promise.reject(new Error('the primary process is gone'));
    this.flushNotices();
    const seq = ++this.seq;
    return new Promise((resolve, reject) => {
      this.pending.set(seq, { resolve, reject });
      this.channel.send!({ sb: 'req', seq, req } satisfies WorkerToPrimary, undefined, undefined, (err) => {
        if (!err) return;
        this.pending.delete(seq);
        reject(err);
      });
    });
  }

  /**
   * Sent once per turn of the event loop, together: a batch of posts committed together publishes
   * a notice each, and a message on the channel costs a write and a wake-up of the primary (a send
   * per notice was a tenth of a worker's time at 750 posts/s). Anything else sent meanwhile goes
   * after them, so the channel keeps the order things were said in.
   */
  publish(notices: readonly Notice[]): void {
    if (!this.channel.connected || !this.channel.send) return;
    for (const notice of notices) this.unsent.push(notice);
    if (!this.flushing) {
      this.flushing = true;
      setImmediate(() => this.flushNotices());
    }
  }

  /** Sends the notices published this turn now (before a stop, or anything else said). */
  flushNotices(): void {
    this.flushing = false;
    if (this.unsent.length === 0 || !this.channel.connected || !this.channel.send) return;
    const notices = this.unsent;
    this.unsent = [];
    this.channel.send({ sb: 'notices', notices } satisfies WorkerToPrimary, undefined, undefined, (err) => {
      if (err) this.onError(err);
    });
  }

  /** The write turn this worker holds is given back (after its 'write-turn' request was answered). */
  writeTurnDone(): void {
    if (!this.channel.connected || !this.channel.send) return;
    try {
      this.flushNotices();
    } catch (err) {
      this.onError(err as Error); // the turn is given back all the same
    }
    this.channel.send({ sb: 'write-turn-done' } satisfies WorkerToPrimary, undefined, undefined, (err) => {
      if (err) this.onError(err);
    });
  }

  onNotices(handler: (notices: readonly Notice[]) => void): void {
    this.noticeHandlers.push(handler);
  }
  onNodeMessage(handler: (message: unknown) => void): void {
    this.nodeHandlers.push(handler);
  }
  onPresenceLost(handler: (lost: PresenceGroup[]) => void): void {
    this.lostHandlers.push(handler);
  }

  private receive(m: PrimaryToWorker): void {
    switch (m.sb) {
      case 'res': {
        const p = this.pending.get(m.seq);
        this.pending.delete(m.seq);
        if (m.ok) p?.resolve(m.value);
        else p?.reject(new Error(m.error));
        return;
      }
      case 'notices':
        return this.each(this.noticeHandlers, m.notices);
      case 'node':
        return this.each(this.nodeHandlers, m.message);
      case 'presence-lost':
        return this.each(this.lostHandlers, m.lost);
    }
  }

  private each<T>(handlers: Array<(value: T) => void>, value: T): void {
    for (const h of handlers) {
      try {
        h(value);
      } catch (err) {
        this.onError(err as Error);
      }
    }
  }
}

/** Node messages between the workers, through the primary. */
export class IpcCluster implements ClusterLink {
  private readonly handlers: ClusterHandler[] = [];

  constructor(
    readonly nodeId: string,
    private readonly link: WorkerLink,
    private readonly onError: (err: Error) => void,
  ) {
    link.onNodeMessage((message) => {
      for (const h of this.handlers) h(message);
    });
  }

  async send(nodeId: string, message: unknown): Promise<number> {
    try {
      return (await this.link.request({ kind: 'node', to: nodeId, message })) as number;
    } catch (err) {
      // The primary is gone: no worker can be reached from here.
      this.onError(err as Error);
      return 0;
    }
  }

  onMessage(handler: ClusterHandler): void {
    this.handlers.push(handler);
  }

  async liveNodes(nodeIds: readonly string[]): Promise<ReadonlySet<string>> {
    if (nodeIds.length === 0) return new Set();
    try {
      return new Set((await this.link.request({ kind: 'live', nodeIds: [...nodeIds] })) as string[]);
    } catch (err) {
      // No primary to ask: no node can be judged dead from here.
      this.onError(err as Error);
      return new Set(nodeIds);
    }
  }
}

/** Notices to this worker's hub at once, and through the primary to every other worker's. */
export class IpcBus implements NoticeBus {
  private readonly local = new LocalBus();
  private readonly link_: IpcCluster;

  private constructor(
    private readonly link: WorkerLink,
    nodeId: string,
    onError: (err: Error) => void,
  ) {
    this.link_ = new IpcCluster(nodeId, link, onError);
    link.onNotices((notices) => this.local.publish(notices));
  }

  /** Known to the primary before anyone can learn this worker's id (the socket registry): no message lost. */
  static async connect(link: WorkerLink, onError: (err: Error) => void): Promise<IpcBus> {
    const nodeId = randomBytes(8).toString('hex');
    await link.request({ kind: 'hello', nodeId });
    return new IpcBus(link, nodeId, onError);
  }

  cluster(): ClusterLink {
    return this.link_;
  }
  publish(notices: readonly Notice[]): void {
    this.local.publish(notices);
    this.link.publish(notices);
  }
  subscribe(handler: NoticeHandler): void {
    this.local.subscribe(handler);
  }
  async close(): Promise<void> {
    this.link.flushNotices(); // what this worker committed last still reaches the others
  }
}

/**
 * Presence across the workers: each counts its own connections (the truth about itself) and tells
 * the primary whom it holds; online is everyone any live worker holds. When a worker dies the primary
 * tells one live worker whom it held, as a Redis node's sweep does (realtime/presence.ts).
 */
export class IpcPresenceRegistry implements PresenceRegistry {
  private readonly here = new NodeConnections();
  private readonly lostHandlers: Array<(lost: readonly PresenceGroup[]) => void> = [];
  private left = false;

  constructor(
    private readonly link: WorkerLink,
    private readonly onError: (err: Error) => void,
  ) {
    link.onPresenceLost((lost) => {
      for (const h of this.lostHandlers) h(lost);
    });
  }

  async connect(workspaceId: string, userId: string): Promise<boolean> {
    if (this.left || !this.here.add(workspaceId, userId)) return false;
    await this.tell({ kind: 'presence', op: 'connect', workspaceId, userId });
    return true;
  }

  async disconnect(workspaceId: string, userId: string): Promise<boolean> {
    if (this.left || !this.here.remove(workspaceId, userId)) return false;
    await this.tell({ kind: 'presence', op: 'disconnect', workspaceId, userId });
    return true;
  }

  holds(workspaceId: string, userId: string): boolean {
    return !this.left && this.here.holds(workspaceId, userId);
  }

  async online(workspaceId: string): Promise<Set<string>> {
    const everywhere = (await this.link.request({ kind: 'presence', op: 'online', workspaceId })) as string[];
    // This worker's own count is the truth about itself, whatever the primary has heard so far.
    return new Set([...everywhere, ...(this.left ? [] : this.here.users(workspaceId))]);
  }

  onLost(handler: (lost: readonly PresenceGroup[]) => void): void {
    this.lostHandlers.push(handler);
  }

  async leave(): Promise<PresenceGroup[]> {
    this.left = true;
    const held = this.here.clear();
    await this.tell({ kind: 'presence', op: 'leave' });
    return held;
  }

  /** A change the primary did not hear is logged, not thrown: the count here changed all the same. */
  private async tell(req: IpcRequest): Promise<void> {
    try {
      await this.link.request(req);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/**
 * The write turn among the workers sharing a SQLite file (domain/ports/write-turn.ts), handed out by
 * the primary in the order asked. This worker's own callers line up first, so that it asks for one
 * turn at a time.
 */
export class IpcWriteTurn implements WriteTurn {
  private readonly local = new LocalWriteTurn();

  constructor(private readonly link: WorkerLink) {}

  async acquire(): Promise<void> {
    await this.local.acquire();
    try {
      await this.link.request({ kind: 'write-turn' });
    } catch (err) {
      // No primary: nothing to hand the turn out any more (the worker is going away).
      this.local.release();
      throw err;
    }
  }

  release(): void {
    this.link.writeTurnDone();
    this.local.release();
  }
}
