/**
 * The app sockets of this node, and the way to every other node's (docs/app-platform.md §10,
 * docs/delivery.md §2.7). Each envelope goes to exactly one of the app's live sockets, round-robin
 * over the registry (all nodes): a socket here is written at once; a socket on another node is
 * reached through the cluster link (Redis), which writes it there and answers `written` — and, for
 * a trigger, routes the app's reply back to the node that waits for it.
 *
 * Events: an attempt succeeds once the frame is handed to the operating system (the SDK sends no
 * reply to events); no live socket anywhere is the failed attempt `no-socket`, retried on the
 * delivery schedule and made due at once when a socket of the app connects (at-least-once). A
 * socket that dies before showing it read an event frame (no frame, no pong since) puts that
 * delivery back to pending, due at once (§2.7).
 * Triggers: one write, 3 s for the reply, never retried; no live socket answers at once.
 *
 * A registry row whose node is gone (crashed, killed: nobody receives on its channel) is skipped at
 * once, and a node that does not confirm a write in time costs only that socket: the next one is
 * tried while the attempt's time remains (§2.7).
 */
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import type { FastifyBaseLogger } from 'fastify';
import type { ClusterLink } from '../../../realtime/cluster.js';
import type { RealtimeClosed, RealtimeConnection } from '../../../realtime/protocol.js';
import type { Notice, SocketRevokeReason } from '../../../domain/events.js';
import { SOCKET_LIMITS, type RedeemedSocket, type SocketMode } from '../../../domain/apps/socket-mode.js';
import type { AppSocketRecord, SocketLiveness } from '../../../domain/ports/app-sockets.js';
import { newId } from '../../../domain/ids.js';
import { ATTEMPT_LIMITS, type PostResult } from '../../../outbound/http-post.js';
import { eventFrame, parseReply, triggerFrame, type SocketReply } from './frames.js';

/** How long a node waits for another node to say it wrote a frame (Redis round trip and a write). */
const FORWARD_TIMEOUT_MS = 5_000;
/** How long a node keeps routing the reply to a trigger it wrote for another node. */
const FORWARDED_REPLY_MS = ATTEMPT_LIMITS.trigger.timeoutMs + 2_000;
/** A registry read that found sockets is reused this long (an empty one never: a new socket must be found at once). */
const REGISTRY_CACHE_MS = 1_000;

/** What the app's socket did with one frame, with the headers the delivery log shows for it. */
export interface SocketAttempt {
  result: PostResult;
  requestHeaders: Record<string, string>;
}

interface LocalSocket {
  socketId: string;
  appId: string;
  conn: RealtimeConnection;
  openedAt: number;
  /**
   * docs/delivery.md §2.7: event deliveries written to this socket, oldest first, with when
   * (performance.now()); those written at or after `conn.readUpTo` are not known to be read.
   */
  unconfirmed: Array<{ deliveryId: string; at: number }>;
}

/** docs/app-platform.md §10.1: the close reason an app's revoked sockets get (code 4001). */
const REVOKED: Record<SocketRevokeReason, string> = {
  secrets_rotated: 'app credentials changed',
  socket_mode_off: 'socket mode turned off',
  app_gone: 'app removed',
};

/** Node-to-node messages (realtime/cluster.ts); `deliveryId` names an event's delivery (§2.7). */
type ClusterMessage =
  | { t: 'write'; id: string; from: string; socketId: string; frame: string; reply: boolean; deliveryId?: string }
  | { t: 'written'; id: string; ok: boolean }
  | { t: 'reply'; id: string; status: number; body: string };

type WriteOutcome = 'written' | 'no-socket' | 'silent';

export interface AppSocketsOptions {
  /** the domain's socket mode (the core exists by the time the first socket connects) */
  socketMode: () => SocketMode;
  cluster: ClusterLink;
  /** a socket of this app connected here and its backlog is due: wake the delivery queue */
  onBacklog: (appId: string) => void;
  log: Pick<FastifyBaseLogger, 'info' | 'warn' | 'error' | 'debug'>;
}

export class AppSockets implements SocketLiveness {
  private readonly byApp = new Map<string, LocalSocket[]>();
  private readonly bySocket = new Map<string, LocalSocket>();
  private readonly turn = new Map<string, number>();
  private readonly registry = new Map<string, { rows: AppSocketRecord[]; at: number }>();
  /** triggers sent from this node, waiting for their reply: correlation id → settle */
  private readonly waiting = new Map<string, (reply: SocketReply) => void>();
  /**
   * the socket each trigger of `waiting` was written to: only that socket's reply counts, so one app
   * cannot answer another app's trigger by naming its correlation id (ids are ULIDs, guessable)
   */
  private readonly writtenTo = new Map<string, string>();
  /** triggers this node wrote for another node: correlation id → the node waiting, and the socket written to */
  private readonly forwarded = new Map<string, { from: string; socketId: string; timer: NodeJS.Timeout }>();
  /** writes asked of other nodes: request id → settle */
  private readonly writes = new Map<string, (ok: boolean) => void>();
  private heartbeat: NodeJS.Timeout | undefined;
  /** the registry upkeep under way, if any: shutdown lets it finish before this node's rows go */
  private upkeeping: Promise<void> | undefined;
  private shuttingDown = false;
  /**
   * Store writes started by a socket's closing (its registry row, its unread events back to
   * pending) that have not settled: shutdown waits for them (`drained`) before the database closes,
   * or they would fail against a closed store.
   */
  private readonly inFlight = new Set<Promise<unknown>>();
  /** `drained` waiting for the hub's last close callbacks: called once this node holds no socket */
  private emptied: (() => void) | undefined;

  constructor(private readonly opts: AppSocketsOptions) {
    opts.cluster.onMessage((m) => this.onCluster(m as ClusterMessage));
  }

  get nodeId(): string {
    return this.opts.cluster.nodeId;
  }

  /**
   * SocketLiveness (domain/ports/app-sockets.ts): this node's rows are open when it holds them;
   * another node's when that node is up (the cluster link asks Redis who listens).
   */
  async openSockets(rows: readonly AppSocketRecord[]): Promise<ReadonlySet<string>> {
    const others = [...new Set(rows.map((r) => r.nodeId).filter((n) => n !== this.nodeId))];
    const up = others.length > 0 ? await this.opts.cluster.liveNodes(others) : new Set<string>();
    return new Set(rows.filter((r) => (r.nodeId === this.nodeId ? this.bySocket.has(r.id) : up.has(r.nodeId))).map((r) => r.id));
  }

  /** Open sockets on this node. */
  get localCount(): number {
    return this.bySocket.size;
  }

  /**
   * Keeps this node's registry rows fresh (every 30 s). Stale rows and expired tickets are the
   * housekeeping worker's (workers/housekeeping.ts), which prunes for every node.
   */
  start(): void {
    this.heartbeat = setInterval(() => {
      this.upkeeping ??= this.upkeep().finally(() => (this.upkeeping = undefined));
    }, SOCKET_LIMITS.heartbeatMs).unref();
  }

  private async upkeep(): Promise<void> {
    if (this.shuttingDown) return;
    const held = [...this.bySocket.values()].map((s) => ({ id: s.socketId, appId: s.appId, openedAt: s.openedAt }));
    try {
      // An upsert: a row pruned while this node could not vouch for it comes back (app-platform.md §10).
      await this.opts.socketMode().heartbeat(this.nodeId, held);
      // A socket that closed while the upsert ran may have been written back: remove it again.
      for (const s of held) if (!this.bySocket.has(s.id)) await this.opts.socketMode().socketClosed(s.id);
    } catch (err) {
      this.opts.log.error({ err }, 'socket registry upkeep failed');
    }
  }

  /** Shutdown has begun: upgrades to /apps/socket are refused before their ticket is redeemed. */
  get stopping(): boolean {
    return this.shuttingDown;
  }

  /**
   * Shutdown: this node's sockets leave the registry — every row at once — before they are closed
   * (the hub closes them); their closing then writes no row of its own (`closed`).
   */
  async stop(): Promise<void> {
    // First, so no upgrade redeemed from now on writes a row for this dying node.
    this.shuttingDown = true;
    if (this.heartbeat) clearInterval(this.heartbeat);
    // An upsert under way would write this node's rows back after they were deleted: let it land first.
    await this.upkeeping;
    await this.opts.socketMode().nodeStopped(this.nodeId);
  }

  /**
   * Shutdown, after the hub closed every connection: resolves once this node holds no socket (the
   * hub's close callbacks ran) and the store writes their closing started have settled — the
   * database closes after this. Bounded by the caller (a socket that never reports closed).
   */
  async drained(): Promise<void> {
    if (this.bySocket.size > 0) await new Promise<void>((resolve) => (this.emptied = resolve));
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  /** Counts a store write in `inFlight` until it settles (its own handler logs a failure). */
  private track(work: Promise<unknown>): void {
    this.inFlight.add(work);
    const done = () => this.inFlight.delete(work);
    work.then(done, done);
  }

  // ---- the protocol's side -------------------------------------------------------------

  /** The upgrade's ticket: the socket's registration, or why not. */
  admit(ticket: string): Promise<RedeemedSocket | 'refused' | 'full'> {
    return this.opts.socketMode().redeem(ticket, this.nodeId, newId());
  }

  opened(appId: string, socketId: string, conn: RealtimeConnection): void {
    if (this.shuttingDown) {
      // Redeemed just before shutdown began: its row goes (nodeStopped may have run already) and the
      // SDK reconnects to another node.
      this.track(this.opts.socketMode().socketClosed(socketId).catch((err: unknown) => this.opts.log.error({ err, socketId }, 'removing an app socket from the registry failed; it goes stale')));
      conn.close(1001, 'server shutting down');
      return;
    }
    const socket: LocalSocket = { socketId, appId, conn, openedAt: Date.now(), unconfirmed: [] };
    this.bySocket.set(socketId, socket);
    this.byApp.set(appId, [...(this.byApp.get(appId) ?? []), socket]);
    this.registry.delete(appId);
    // docs/delivery.md §2.7: the app's backlog goes out now, not at its next scheduled retry.
    this.opts
      .socketMode()
      .socketOpened(appId)
      .then((due) => {
        this.opts.log.info({ appId, socketId, due }, 'app socket connected');
        this.opts.onBacklog(appId);
      })
      .catch((err: unknown) => this.opts.log.error({ err, appId }, 'making the app backlog due failed; it goes out at its next retry'));
  }

  closed(socketId: string, how: RealtimeClosed): void {
    const socket = this.bySocket.get(socketId);
    if (!socket) return;
    this.redeliverUnread(socket, how);
    this.bySocket.delete(socketId);
    const rest = (this.byApp.get(socket.appId) ?? []).filter((s) => s !== socket);
    if (rest.length > 0) this.byApp.set(socket.appId, rest);
    else this.byApp.delete(socket.appId);
    this.registry.delete(socket.appId);
    if (this.bySocket.size === 0) this.emptied?.();
    // Shutting down: stop() already removed every row of this node (nodeStopped), so a write per
    // closing socket would only be work, racing the database's close.
    if (this.shuttingDown) return;
    this.track(
      this.opts
        .socketMode()
        .socketClosed(socketId)
        .catch((err: unknown) => this.opts.log.error({ err, socketId }, 'removing a closed app socket from the registry failed; it goes stale')),
    );
  }

  /**
   * docs/delivery.md §2.7: event frames written since the socket's last sign of life may be lost
   * (a half-open connection takes writes until the idle close). Unless the client's close frame
   * arrived — a frame, so a sign of life too — they go back to pending, due now, and the queue is
   * woken; they reach another socket, or this app's next one.
   */
  private redeliverUnread(socket: LocalSocket, how: RealtimeClosed): void {
    if (how.clean) return;
    const seen = socket.conn.readUpTo;
    const ids = socket.unconfirmed.filter((u) => u.at >= seen).map((u) => u.deliveryId);
    if (ids.length === 0) return;
    // Tracked: a socket cut at shutdown still puts its unread events back before the database closes.
    this.track(
      this.opts
        .socketMode()
        .redeliver(ids)
        .then((n) => {
          this.opts.log.warn({ appId: socket.appId, socketId: socket.socketId, code: how.code, redelivered: n }, 'app socket closed before showing it read its last events; they go out again');
          if (n > 0) this.opts.onBacklog(socket.appId);
        })
        .catch((err: unknown) => this.opts.log.error({ err, socketId: socket.socketId, deliveryIds: ids }, 'putting unread socket events back to pending failed')),
    );
  }

  /** `app.sockets_revoked` (docs/app-platform.md §10.1): every socket of the app on this node closes, registered or not. */
  onNotices(notices: readonly Notice[]): void {
    for (const notice of notices) {
      const e = notice.event;
      if (e.type !== 'app.sockets_revoked') continue;
      for (const socket of this.byApp.get(e.appId) ?? []) socket.conn.close(4001, REVOKED[e.reason]);
    }
  }

  /** A frame from the app: a reply to a trigger (§10.4). Unknown and late correlation ids are ignored. */
  reply(socketId: string, text: string): void {
    const reply = parseReply(text);
    if (!reply) {
      this.opts.log.debug({ socketId }, 'app socket frame that is not a reply ignored');
      return;
    }
    const settle = this.waiting.get(reply.correlationId);
    if (settle && this.writtenTo.get(reply.correlationId) === socketId) return settle(reply);
    const forward = this.forwarded.get(reply.correlationId);
    if (forward && forward.socketId === socketId) {
      clearTimeout(forward.timer);
      this.forwarded.delete(reply.correlationId);
      void this.opts.cluster.send(forward.from, { t: 'reply', id: reply.correlationId, status: reply.status, body: reply.body } satisfies ClusterMessage);
    }
  }

  // ---- sending -------------------------------------------------------------------------

  /** One attempt of an event delivery (docs/delivery.md §2.7); `correlation_id` is the delivery id. */
  async sendEvent(appId: string, deliveryId: string, storedEnvelope: string): Promise<SocketAttempt> {
    const started = performance.now();
    const frame = eventFrame(storedEnvelope, deliveryId);
    const done = await this.writeToOne(appId, frame, false, deliveryId, ATTEMPT_LIMITS.event.timeoutMs, deliveryId);
    const durationMs = Math.round(performance.now() - started);
    const requestHeaders = transportHeaders(done.socketId);
    if (done.outcome === 'written') return { result: { ok: true, headers: {}, body: '', tooLarge: false, durationMs }, requestHeaders };
    const error = done.outcome === 'no-socket' ? 'no-socket' : 'timeout';
    const errorMessage = done.outcome === 'no-socket' ? 'no socket of the app is connected' : 'the node holding the socket did not confirm the write';
    return { result: { ok: false, headers: {}, body: '', tooLarge: false, durationMs, error, errorMessage }, requestHeaders };
  }

  /**
   * One trigger (docs/app-platform.md §9.1, §10.4): written to one socket, then up to `timeoutMs`
   * (3 s, counted from before the write) for the reply, read as the HTTP answer it stands for.
   */
  async sendTrigger(appId: string, envelope: Record<string, unknown>, correlationId: string, timeoutMs: number = ATTEMPT_LIMITS.trigger.timeoutMs): Promise<SocketAttempt> {
    const started = performance.now();
    const deadline = Date.now() + timeoutMs;
    const elapsed = () => Math.round(performance.now() - started);
    let settle!: (reply: SocketReply | 'timeout') => void;
    const replied = new Promise<SocketReply | 'timeout'>((resolve) => (settle = resolve));
    this.waiting.set(correlationId, settle);
    try {
      const done = await this.writeToOne(appId, triggerFrame(envelope, correlationId), true, correlationId, timeoutMs);
      const requestHeaders = transportHeaders(done.socketId);
      if (done.outcome !== 'written') {
        const error = done.outcome === 'no-socket' ? 'no-socket' : 'timeout';
        return { result: { ok: false, headers: {}, body: '', tooLarge: false, durationMs: elapsed(), error, errorMessage: error === 'no-socket' ? 'no socket of the app is connected' : 'no answer in time' }, requestHeaders };
      }
      const timer = setTimeout(() => settle('timeout'), Math.max(0, deadline - Date.now()));
      const reply = await replied;
      clearTimeout(timer);
      if (reply === 'timeout') return { result: { ok: false, headers: {}, body: '', tooLarge: false, durationMs: elapsed(), error: 'timeout', errorMessage: 'no reply in time' }, requestHeaders };
      const ok = reply.status >= 200 && reply.status < 300;
      return { result: { ok, status: reply.status, headers: { 'content-type': 'application/json' }, body: reply.body, tooLarge: false, durationMs: elapsed() }, requestHeaders };
    } finally {
      // A late reply finds nobody waiting and is ignored (§10.4).
      this.waiting.delete(correlationId);
      this.writtenTo.delete(correlationId);
    }
  }

  /**
   * Writes the frame to one live socket of the app: round-robin over the registry, the next one
   * on when a socket turns out to be gone (its node not listening answers at once) or does not
   * confirm the write in time, while `timeoutMs` (counted from the first try) remains; `silent`
   * when the last one tried did not answer (docs/delivery.md §2.7: a duplicate is allowed).
   */
  private async writeToOne(appId: string, frame: string, expectReply: boolean, id: string, timeoutMs: number, deliveryId?: string): Promise<{ outcome: WriteOutcome; socketId?: string }> {
    const deadline = Date.now() + timeoutMs;
    let last: { outcome: WriteOutcome; socketId?: string } = { outcome: 'no-socket' };
    for (const fresh of [false, true]) {
      const { rows, read } = await this.liveRows(appId, fresh);
      // None, read just now from the registry (not the cache): reading it again finds none either.
      if (rows.length === 0 && read) break;
      if (rows.length === 0) continue;
      const start = this.nextTurn(appId, rows.length);
      for (let i = 0; i < rows.length; i++) {
        const left = deadline - Date.now();
        if (left <= 0) return last;
        const row = rows[(start + i) % rows.length]!;
        // Before the write: a quick app may answer before the write's callback has run.
        if (expectReply && row.nodeId === this.nodeId) this.writtenTo.set(id, row.id);
        const outcome = row.nodeId === this.nodeId ? await this.writeLocal(row.id, frame, left, deliveryId) : await this.writeRemote(row, frame, expectReply, id, left, deliveryId);
        if (outcome === 'written') return { outcome, socketId: row.id };
        if (outcome === 'silent') last = { outcome, socketId: row.id };
      }
      // Every socket the cache named is gone or silent: read the registry again before giving up.
      this.registry.delete(appId);
      if (fresh || last.outcome === 'silent') break;
    }
    return last;
  }

  private nextTurn(appId: string, n: number): number {
    const t = this.turn.get(appId) ?? 0;
    this.turn.set(appId, t + 1);
    return t % n;
  }

  /** The app's live sockets, from the cache unless `fresh`; `read`: from the registry, just now. */
  private async liveRows(appId: string, fresh: boolean): Promise<{ rows: AppSocketRecord[]; read: boolean }> {
    const cached = this.registry.get(appId);
    if (!fresh && cached && Date.now() - cached.at < REGISTRY_CACHE_MS) return { rows: cached.rows, read: false };
    const rows = await this.opts.socketMode().liveSockets(appId);
    if (rows.length > 0) this.registry.set(appId, { rows, at: Date.now() });
    else this.registry.delete(appId);
    return { rows, read: true };
  }

  private async writeLocal(socketId: string, frame: string, timeoutMs: number, deliveryId?: string): Promise<WriteOutcome> {
    const socket = this.bySocket.get(socketId);
    if (!socket) return 'no-socket';
    let timer: NodeJS.Timeout | undefined;
    try {
      const at = performance.now();
      // A client that stops reading holds the write's callback: bounded like an HTTP attempt.
      const late = new Promise<'silent'>((resolve) => (timer = setTimeout(() => resolve('silent'), timeoutMs)));
      const outcome = await Promise.race([socket.conn.send(frame).then(() => 'written' as const), late]);
      if (outcome === 'written' && deliveryId) {
        this.unconfirmed(socket, deliveryId, at);
        // The pong to this ping tells the frame was read: an app killed later does not get it again (§2.7).
        socket.conn.confirmReads();
      }
      return outcome;
    } catch {
      return 'no-socket';
    } finally {
      clearTimeout(timer);
    }
  }

  /** Remembers an event written to the socket until it shows a sign of life (§2.7); what it has shown one for is forgotten. */
  private unconfirmed(socket: LocalSocket, deliveryId: string, at: number): void {
    const seen = socket.conn.readUpTo;
    const list = socket.unconfirmed;
    let read = 0;
    while (read < list.length && list[read]!.at < seen) read++;
    if (read > 0) list.splice(0, read);
    list.push({ deliveryId, at });
  }

  /** This row's node is not there (nobody listens on its channel): skipped until the registry is read again. */
  private dropRow(row: AppSocketRecord): void {
    const cached = this.registry.get(row.appId);
    if (!cached) return;
    const rows = cached.rows.filter((r) => r.id !== row.id);
    if (rows.length > 0) this.registry.set(row.appId, { rows, at: cached.at });
    else this.registry.delete(row.appId);
  }

  private writeRemote(row: AppSocketRecord, frame: string, expectReply: boolean, correlationId: string, timeoutMs: number, deliveryId?: string): Promise<WriteOutcome> {
    const id = expectReply ? correlationId : randomBytes(12).toString('base64url');
    return new Promise<WriteOutcome>((resolve) => {
      const timer = setTimeout(() => {
        this.writes.delete(id);
        resolve('silent');
      }, Math.min(FORWARD_TIMEOUT_MS, timeoutMs));
      this.writes.set(id, (ok) => {
        clearTimeout(timer);
        this.writes.delete(id);
        if (!ok) this.registry.delete(row.appId);
        resolve(ok ? 'written' : 'no-socket');
      });
      const message: ClusterMessage = { t: 'write', id, from: this.nodeId, socketId: row.id, frame, reply: expectReply, ...(deliveryId && { deliveryId }) };
      void this.opts.cluster.send(row.nodeId, message).then((receivers) => {
        if (receivers > 0) return;
        // Nobody on that node's channel (it died, or there is no Redis): `no-socket` now rather
        // than after the forward timeout, and the row is not tried again from the cache.
        if (!this.writes.has(id)) return;
        clearTimeout(timer);
        this.writes.delete(id);
        this.dropRow(row);
        resolve('no-socket');
      });
    });
  }

  private onCluster(m: ClusterMessage): void {
    switch (m.t) {
      case 'write':
        void this.writeForNode(m);
        return;
      case 'written':
        this.writes.get(m.id)?.(m.ok);
        return;
      case 'reply':
        this.waiting.get(m.id)?.({ correlationId: m.id, status: m.status, body: m.body });
        return;
    }
  }

  private async writeForNode(m: Extract<ClusterMessage, { t: 'write' }>): Promise<void> {
    if (m.reply) {
      const timer = setTimeout(() => this.forwarded.delete(m.id), FORWARDED_REPLY_MS).unref();
      this.forwarded.set(m.id, { from: m.from, socketId: m.socketId, timer });
    }
    const outcome = await this.writeLocal(m.socketId, m.frame, FORWARD_TIMEOUT_MS, m.deliveryId);
    void this.opts.cluster.send(m.from, { t: 'written', id: m.id, ok: outcome === 'written' } satisfies ClusterMessage);
  }
}

/** docs/delivery.md §8: the log shows that a frame went over a socket, and which. */
function transportHeaders(socketId: string | undefined): Record<string, string> {
  return { 'x-switchboard-transport': 'socket', ...(socketId && { 'x-switchboard-socket-id': socketId }) };
}
