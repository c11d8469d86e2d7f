import type { IncomingMessage, Server } from 'node:http';
import type { Duplex } from 'node:stream';
import { WebSocketServer, type WebSocket } from 'ws';
import type { FastifyBaseLogger } from 'fastify';
import type { Notice } from '../core/events.js';
import { hashToken } from '../core/secrets.js';
import type { User } from '../core/model.js';
import type { NoticeBus } from './bus.js';
import { renderFrame } from './frames.js';

export const REALTIME_PATH = '/v1/realtime';
const HEARTBEAT_MS = 30_000;
/** A socket whose unsent buffer exceeds this is too slow to keep: close it rather than grow memory. */
const MAX_BUFFERED_BYTES = 8 * 1024 * 1024;

interface Conn {
  user: User;
  tokenHash: string;
  alive: boolean;
}

export interface RealtimeHubOptions {
  authenticate(token: string): Promise<User | undefined>;
  bus: NoticeBus;
  log: FastifyBaseLogger;
  onConnectionsChanged?(open: number): void;
}

/**
 * `/v1/realtime`: authenticated WebSocket connections, keyed by user, fed by the notice bus.
 * A notice goes only to the sockets of the users in its audience.
 */
export class RealtimeHub {
  private readonly wss = new WebSocketServer({ noServer: true, maxPayload: 64 * 1024 });
  private readonly byUser = new Map<string, Set<WebSocket>>();
  private readonly conns = new Map<WebSocket, Conn>();
  private readonly heartbeat: NodeJS.Timeout;

  constructor(private readonly opts: RealtimeHubOptions) {
    opts.bus.subscribe((notices) => this.deliver(notices));
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS).unref();
  }

  get openConnections(): number {
    return this.conns.size;
  }

  attach(server: Server): void {
    server.on('upgrade', (req, socket, head) => {
      this.upgrade(req, socket, head).catch((err) => {
        this.opts.log.error({ err }, 'websocket upgrade failed');
        reject(socket, 500, 'Internal Server Error');
      });
    });
  }

  private async upgrade(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname !== REALTIME_PATH) return reject(socket, 404, 'Not Found');
    const auth = req.headers.authorization;
    const bearer = typeof auth === 'string' ? /^Bearer\s+(\S+)$/i.exec(auth.trim())?.[1] : undefined;
    const token = bearer ?? url.searchParams.get('token') ?? (typeof req.headers.token === 'string' ? req.headers.token : undefined);
    const user = token ? await this.opts.authenticate(token) : undefined;
    if (!user) return reject(socket, 401, 'Unauthorized');
    this.wss.handleUpgrade(req, socket, head, (ws) => this.accept(ws, user, hashToken(token!)));
  }

  private accept(ws: WebSocket, user: User, tokenHash: string): void {
    const conn: Conn = { user, tokenHash, alive: true };
    this.conns.set(ws, conn);
    let set = this.byUser.get(user.id);
    if (!set) this.byUser.set(user.id, (set = new Set()));
    set.add(ws);
    this.opts.onConnectionsChanged?.(this.conns.size);

    ws.on('pong', () => (conn.alive = true));
    ws.on('message', (data, isBinary) => {
      // Clients may ping at the application level; anything else is ignored.
      if (isBinary) return;
      try {
        const msg = JSON.parse(data.toString()) as { type?: string };
        if (msg.type === 'ping') ws.send('{"type":"pong"}');
      } catch {
        /* not JSON: ignore */
      }
    });
    ws.on('close', () => this.forget(ws));
    ws.on('error', () => this.forget(ws));
    ws.send(JSON.stringify({ type: 'hello', workspaceId: user.workspaceId, workspaceUserId: user.id }));
  }

  private forget(ws: WebSocket): void {
    const conn = this.conns.get(ws);
    if (!conn) return;
    this.conns.delete(ws);
    const set = this.byUser.get(conn.user.id);
    set?.delete(ws);
    if (set?.size === 0) this.byUser.delete(conn.user.id);
    this.opts.onConnectionsChanged?.(this.conns.size);
  }

  private deliver(notices: readonly Notice[]): void {
    for (const notice of notices) {
      if (notice.event.type === 'user.sessions_revoked') {
        const { userId, tokenHash } = notice.event;
        for (const ws of this.byUser.get(userId) ?? []) {
          if (tokenHash === undefined || this.conns.get(ws)?.tokenHash === tokenHash) ws.close(4001, 'session revoked');
        }
        continue;
      }
      // Rendered and encoded once, on the first recipient found on this node, then shared.
      let frame: Buffer | null | undefined;
      for (const userId of notice.audience) {
        const sockets = this.byUser.get(userId);
        if (!sockets) continue;
        if (frame === undefined) {
          const text = renderFrame(notice);
          frame = text === undefined ? null : Buffer.from(text);
        }
        if (frame === null) break;
        for (const ws of sockets) {
          if (ws.readyState !== ws.OPEN) continue;
          if (ws.bufferedAmount > MAX_BUFFERED_BYTES) {
            ws.terminate();
            continue;
          }
          ws.send(frame, { binary: false });
        }
      }
    }
  }

  private beat(): void {
    for (const [ws, conn] of this.conns) {
      if (!conn.alive) {
        ws.terminate();
        continue;
      }
      conn.alive = false;
      ws.ping();
    }
  }

  /** Going away: tell clients to reconnect elsewhere. */
  async close(): Promise<void> {
    clearInterval(this.heartbeat);
    for (const ws of this.conns.keys()) ws.close(1001, 'server shutting down');
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    for (const ws of this.conns.keys()) ws.terminate();
  }
}

function reject(socket: Duplex, status: number, text: string): void {
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Type: application/json\r\n\r\n${JSON.stringify({ code: status * 1000, message: text, localizedMessage: text })}`);
}
