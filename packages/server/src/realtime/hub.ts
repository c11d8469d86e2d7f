import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import type { Notice } from '../domain/events.js';
import type { NoticeBus } from './bus.js';
import { UpgradeRefused, type RealtimeConnection, type RealtimeIdentity, type RealtimeProtocol } from './protocol.js';

export type { RealtimeClose, RealtimeClosed, RealtimeConnection, RealtimeIdentity, RealtimeProtocol } from './protocol.js';

const HEARTBEAT_MS = 30_000;
/** A socket whose unsent buffer exceeds this is too slow to keep: close it rather than grow memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;
/** docs/architecture.md §6: client frames of a protocol that sets no limit of its own. */
const DEFAULT_MAX_FRAME_BYTES = 64 * 1024;

interface Conn {
  /** index of the connection's protocol in `protocols` (and in the per-notice frame cache) */
  protocol: number;
  identity: RealtimeIdentity;
  alive: boolean;
  /** the last client frame or pong (protocols with an idle rule) */
  lastSeen: number;
  /** RealtimeConnection.readUpTo: a frame's arrival, or the sending of the last ping answered (performance.now()) */
  readUpTo: number;
  /** when each ping not yet answered was sent (performance.now()), oldest first */
  pingsSentAt: number[];
  /** a ping asked for by confirmReads leaves at the end of this turn of the event loop */
  confirmScheduled: boolean;
  /** closed for idleness; cut at the next beat if the client never completes the close */
  closing: boolean;
}

export interface RealtimeHubOptions {
  /** The surfaces clients connect to, each at its own path. */
  protocols: readonly RealtimeProtocol[];
  bus: NoticeBus;
  log: FastifyBaseLogger;
  onConnectionsChanged?(open: number): void;
  /** how often connections are pinged and the idle rules checked (30 s) */
  heartbeatMs?: number;
}

/**
 * Authenticated WebSocket connections, keyed by user, fed by the notice bus. A notice goes only to
 * the sockets of the users in its audience, whatever protocol each speaks, rendered at most once
 * per protocol. The protocols ({@link RealtimeProtocol}) decide paths, authentication and frames;
 * the hub keeps the connections alive (heartbeats) and drops those that cannot keep up.
 */
export class RealtimeHub {
  /** one per protocol: each has its own client frame limit */
  private readonly servers: WebSocketServer[];
  private readonly protocols: readonly RealtimeProtocol[];
  private readonly byPath = new Map<string, number>();
  private readonly byUser = new Map<string, Set<WebSocket>>();
  private readonly conns = new Map<WebSocket, Conn>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: RealtimeHubOptions) {
    this.protocols = [...opts.protocols];
    this.protocols.forEach((p, i) => {
      if (this.byPath.has(p.path)) throw new Error(`two realtime protocols at ${p.path}`);
      this.byPath.set(p.path, i);
    });
    this.servers = this.protocols.map((p) => new WebSocketServer({ noServer: true, maxPayload: p.maxFrameBytes ?? DEFAULT_MAX_FRAME_BYTES }));
    opts.bus.subscribe((notices) => this.deliver(notices));
    this.heartbeat = setInterval(() => this.beat(), opts.heartbeatMs ?? HEARTBEAT_MS).unref();
  }

  get openConnections(): number {
    return this.conns.size;
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket, head).catch((err) => {
        if (err instanceof UpgradeRefused) return reject(socket, err.status, err.statusText);
        this.opts.log.error({ err }, 'websocket upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const index = this.byPath.get(url.pathname);
    if (index === undefined) return reject(socket, 404, 'Not Found');
    const identity = await this.protocols[index]!.authenticate(req, url);
    if (!identity) return reject(socket, 401, 'Unauthorized');
    this.servers[index]!.handleUpgrade(req, socket, head, (ws) => this.accept(ws, index, identity));
  }

  private accept(ws: WebSocket, index: number, identity: RealtimeIdentity): void {
    const protocol = this.protocols[index]!;
    const conn: Conn = { protocol: index, identity, alive: true, lastSeen: Date.now(), readUpTo: performance.now(), pingsSentAt: [], confirmScheduled: false, closing: false };
    this.conns.set(ws, conn);
    let set = this.byUser.get(identity.userId);
    if (!set) this.byUser.set(identity.userId, (set = new Set()));
    set.add(ws);
    this.opts.onConnectionsChanged?.(this.conns.size);

    ws.on('pong', () => {
      conn.alive = true;
      conn.lastSeen = Date.now();
      // Frames arrive in order: the client read what was written before the ping. (An unsolicited
      // pong, which RFC 6455 allows, shows nothing of the kind.)
      const sentAt = conn.pingsSentAt.shift();
      if (sentAt !== undefined) conn.readUpTo = Math.max(conn.readUpTo, sentAt);
    });
    ws.on('message', (data, isBinary) => {
      conn.lastSeen = Date.now();
      conn.readUpTo = performance.now();
      if (!protocol.onClientMessage || (isBinary && !protocol.acceptsBinary)) return;
      let text: string;
      try {
        text = isBinary ? utf8.decode(data as Buffer) : data.toString();
      } catch {
        return; // not UTF-8: nothing a protocol could read
      }
      try {
        protocol.onClientMessage(identity, text, (frame) => ws.send(frame));
      } catch (err) {
        // A listener's throw would take the process down: a protocol's bug costs only this frame.
        this.opts.log.error({ err, path: protocol.path }, 'realtime client message failed');
      }
    });
    // 1006: the connection ended without the client's close frame (dropped, cut, terminated).
    ws.on('close', (code) => this.forget(ws, code));
    ws.on('error', () => this.forget(ws, 1006));
    const greeting = protocol.greeting?.(identity);
    if (greeting !== undefined) ws.send(greeting);
    if (protocol.opened) {
      try {
        protocol.opened(identity, this.handle(ws, conn));
      } catch (err) {
        this.opts.log.error({ err, path: protocol.path }, 'realtime connection hook failed');
      }
    }
  }

  /** What a protocol holds of one of its connections (RealtimeConnection). */
  private handle(ws: WebSocket, conn: Conn): RealtimeConnection {
    return {
      send: (frame) =>
        new Promise<void>((resolve, reject) => {
          if (ws.readyState !== ws.OPEN) return reject(new Error('connection closed'));
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            ws.terminate();
            return reject(new Error('connection too slow'));
          }
          ws.send(frame, { binary: false }, (err) => (err ? reject(err) : resolve()));
        }),
      close: (code, reason) => ws.close(code, reason),
      get bufferedAmount() {
        return ws.bufferedAmount;
      },
      get lastSeen() {
        return conn.lastSeen;
      },
      get readUpTo() {
        return conn.readUpTo;
      },
      confirmReads: () => {
        if (conn.confirmScheduled) return;
        conn.confirmScheduled = true;
        setImmediate(() => {
          conn.confirmScheduled = false;
          ping(ws, conn);
        });
      },
    };
  }


  private forget(ws: WebSocket, code: number): void {
    const conn = this.conns.get(ws);
    if (!conn) return;
    this.conns.delete(ws);
    const userId = conn.identity.userId;
    const set = this.byUser.get(userId);
    set?.delete(ws);
    if (set?.size === 0) this.byUser.delete(userId);
    this.opts.onConnectionsChanged?.(this.conns.size);
    const protocol = this.protocols[conn.protocol]!;
    if (protocol.closed) {
      try {
        // Clean: the client's close frame arrived, so it was reading up to then (one ordered
        // stream). 1006 — no close frame — leaves unknown what it read of the last frames.
        protocol.closed(conn.identity, { code, clean: code !== 1006 });
      } catch (err) {
        this.opts.log.error({ err, path: protocol.path }, 'realtime connection hook failed');
      }
    }
  }

  private deliver(notices: readonly Notice[]): void {
    // Per protocol: not rendered yet (undefined), renders to nothing (null), or the encoded frame.
    const frames: Array<Buffer | null | undefined> = new Array(this.protocols.length);
    for (const notice of notices) {
      frames.fill(undefined);
      for (const userId of notice.audience) {
        const sockets = this.byUser.get(userId);
        if (!sockets) continue;
        for (const ws of sockets) {
          const conn = this.conns.get(ws);
          if (!conn) continue;
          const protocol = this.protocols[conn.protocol]!;
          const close = protocol.closesOn?.(notice, conn.identity);
          if (close) {
            ws.close(close.code, close.reason);
            continue;
          }
          if (ws.readyState !== ws.OPEN) continue;
          // Rendered and encoded once per protocol, on its first recipient found on this node, then shared.
          let frame = frames[conn.protocol];
          if (frame === undefined) frame = frames[conn.protocol] = this.render(protocol, notice);
          if (frame === null) continue;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            ws.terminate();
            continue;
          }
          this.cork(ws);
          ws.send(frame, { binary: false });
        }
      }
    }
  }

  /** Sockets corked since the last flush: their frames of this tick leave in one write. */
  private readonly corked = new Set<WebSocket>();

  /**
   * Group commit publishes a batch's notices in one turn of the event loop, so a socket often gets
   * several frames at once: corked until the turn's promise chains have run (process.nextTick runs
   * after them), they leave in one writev instead of one system call each.
   */
  private cork(ws: WebSocket): void {
    if (this.corked.has(ws)) return;
    const socket = (ws as unknown as { _socket?: { cork(): void; uncork(): void } })._socket;
    if (!socket) return;
    socket.cork();
    if (this.corked.size === 0) process.nextTick(() => this.uncorkAll());
    this.corked.add(ws);
  }

  private uncorkAll(): void {
    for (const ws of this.corked) (ws as unknown as { _socket?: { uncork(): void } })._socket?.uncork();
    this.corked.clear();
  }

  private render(protocol: RealtimeProtocol, notice: Notice): Buffer | null {
    try {
      const text = protocol.render(notice);
      return text === undefined ? null : Buffer.from(text);
    } catch (err) {
      // Thrown into the bus, it would reach whoever published: their change is committed already.
      this.opts.log.error({ err, path: protocol.path, event: notice.event.type }, 'realtime frame rendering failed');
      return null;
    }
  }

  private beat(): void {
    const now = Date.now();
    for (const [ws, conn] of this.conns) {
      const idleMs = this.protocols[conn.protocol]!.idleTimeoutMs;
      if (idleMs !== undefined) {
        // The idle rule instead of one missed pong: a client that answers pings (as every `ws`
        // client does by itself) counts as active even when it sends nothing (app-platform.md §10.5).
        if (conn.closing) ws.terminate();
        else if (now - conn.lastSeen >= idleMs) {
          conn.closing = true;
          ws.close(4000, 'idle');
        } else ping(ws, conn);
        continue;
      }
      if (!conn.alive) {
        ws.terminate();
        continue;
      }
      conn.alive = false;
      ping(ws, conn);
    }
  }

  /** Going away: tell clients to reconnect elsewhere. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.conns.keys()) ws.close(1001, 'server shutting down');
    await Promise.all(this.servers.map((wss) => new Promise<void>((resolve) => wss.close(() => resolve()))));
    for (const ws of this.conns.keys()) ws.terminate();
  }
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ code: status * 1000, message: text, localizedMessage: text })}`);
}

/** A ping whose pong moves `readUpTo` to when it was sent. */
function ping(ws: WebSocket, conn: Conn): void {
  if (ws.readyState !== ws.OPEN) return;
  conn.pingsSentAt.push(performance.now());
  ws.ping();
}
