/**
 * The primary's side of realtime/ipc.ts (WORKERS > 1): without Redis it relays notices and node
 * messages between its workers and holds what is counted once for all of them — the rate limits
 * and whom each worker holds (presence); with or without, it hands out the turn to write to a
 * shared SQLite file (IpcWriteTurn). It opens no database and serves no request.
 */
import type { Worker } from 'node:cluster';
import { NodeConnections } from '../domain/presence.js';
import { TurnQueue } from '../domain/turn-queue.js';
import type { RateLimiter } from '../domain/ports/rate-limiter.js';
import { answerLimit } from '../limits/ipc-rate-limiter.js';
import { MemoryRateLimiter } from '../limits/rate-limiter.js';
import type { IpcRequest, PrimaryToWorker, WorkerToPrimary } from './ipc.js';

const isOurs = (m: unknown): m is WorkerToPrimary => typeof m === 'object' && m !== null && typeof (m as { sb?: unknown }).sb === 'string';

export class IpcRelay {
  /** the workers that said hello, by node id */
  private readonly nodes = new Map<string, Worker>();
  private readonly nodeOf = new Map<Worker, string>();
  /** whom each worker holds, by node id */
  private readonly held = new Map<string, NodeConnections>();
  /** who writes to the shared SQLite file now, and who waits (IpcWriteTurn) */
  private readonly writeTurns = new TurnQueue<Worker>();
  /** workers whose channel closed: a request of theirs still read after that never gets the turn */
  private readonly gone = new WeakSet<Worker>();

  constructor(
    private readonly onError: (err: Error) => void,
    private readonly limiter: RateLimiter = new MemoryRateLimiter(),
  ) {}

  /** A forked worker: its messages are relayed from now on. */
  attach(worker: Worker): void {
    worker.on('message', (m: unknown) => {
      if (isOurs(m)) this.receive(worker, m);
    });
    // No message from it can come any more, nor a release of the turn.
    worker.on('disconnect', () => this.leaveTurns(worker));
  }

  private leaveTurns(worker: Worker): void {
    this.gone.add(worker);
    this.writeTurns.forget(worker);
  }

  /**
   * A worker exited (stopped or died): it is no node any more — messages to it answer 0 — and whom it
   * still held is told to one live worker, whose core says who went offline (unless online elsewhere).
   */
  detach(worker: Worker): void {
    // A worker that died holding the turn wrote nothing more (its transaction is gone with it).
    this.leaveTurns(worker);
    const nodeId = this.nodeOf.get(worker);
    if (nodeId === undefined) return;
    this.nodeOf.delete(worker);
    this.nodes.delete(nodeId);
    const lost = this.held.get(nodeId)?.clear().filter((g) => g.userIds.length > 0) ?? [];
    this.held.delete(nodeId);
    if (lost.length === 0) return;
    const teller = [...this.nodes.values()].find((w) => w.isConnected());
    if (teller) this.send(teller, { sb: 'presence-lost', lost });
  }

  private receive(from: Worker, m: WorkerToPrimary): void {
    if (m.sb === 'notices') {
      for (const worker of this.nodes.values()) if (worker !== from) this.send(worker, { sb: 'notices', notices: m.notices });
      return;
    }
    if (m.sb === 'write-turn-done') return this.writeTurns.done(from);
    this.answer(from, m.req).then(
      (value) => this.send(from, { sb: 'res', seq: m.seq, ok: true, value: value ?? null }),
      (err: Error) => this.send(from, { sb: 'res', seq: m.seq, ok: false, error: err?.message ?? String(err) }),
    );
  }

  private async answer(from: Worker, req: IpcRequest): Promise<unknown> {
    switch (req.kind) {
      case 'hello':
        this.nodes.set(req.nodeId, from);
        this.nodeOf.set(from, req.nodeId);
        this.held.set(req.nodeId, new NodeConnections());
        return null;
      case 'node': {
        const to = this.nodes.get(req.to);
        if (!to || !to.isConnected()) return 0;
        // 1 once the message is written to that worker's channel; 0 when it could not be (it is going away).
        return new Promise<number>((resolve) => to.send({ sb: 'node', message: req.message } satisfies PrimaryToWorker, undefined, (err: Error | null) => resolve(err ? 0 : 1)));
      }
      case 'live':
        return req.nodeIds.filter((id) => this.nodes.get(id)?.isConnected());
      case 'limit':
        return answerLimit(this.limiter, req.request);
      case 'presence':
        return this.presence(from, req);
      case 'write-turn':
        if (this.gone.has(from)) return null; // answered to no one, and never holding the turn
        return new Promise<null>((granted) =>
          this.writeTurns.ask(from, () => {
            // Its turn came after it went away (between its channel closing and 'exit'): the next one's.
            if (this.gone.has(from) || !from.isConnected()) this.writeTurns.done(from);
            granted(null);
          }),
        );
    }
  }

  private presence(from: Worker, req: Extract<IpcRequest, { kind: 'presence' }>): unknown {
    const nodeId = this.nodeOf.get(from);
    const mine = nodeId === undefined ? undefined : this.held.get(nodeId);
    switch (req.op) {
      case 'connect':
        mine?.add(req.workspaceId, req.userId);
        return null;
      case 'disconnect':
        mine?.remove(req.workspaceId, req.userId);
        return null;
      case 'leave':
        mine?.clear();
        return null;
      case 'online': {
        const online = new Set<string>();
        for (const [id, worker] of this.nodes) if (worker.isConnected()) for (const u of this.held.get(id)?.users(req.workspaceId) ?? []) online.add(u);
        return [...online];
      }
    }
  }

  private send(worker: Worker, message: PrimaryToWorker): void {
    if (!worker.isConnected()) return;
    worker.send(message, undefined, (err: Error | null) => {
      // A worker going away mid-send: what it missed no longer matters to it.
      if (err && worker.isConnected()) this.onError(err);
    });
  }
}
