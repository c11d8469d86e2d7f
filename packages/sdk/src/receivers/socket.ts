/**
 * Socket mode (docs/app-platform.md §10): no public URL, no tunnel. The handshake
 * `GET /apps/{id}/websocket-connection?appKey=` gives a one-time ticket URL; envelopes arrive as text
 * frames `{payload, correlation_id}`; answers go back as binary frames
 * `{correlation_id, status, message?, body?}`; `ping` every 25 s; after a close, the handshake again
 * with exponential backoff (1 s doubling to 30 s, with jitter). Events are delivered at least once
 * (docs/delivery.md §2.7): a repeat of a `correlation_id` already seen is dropped, as the HTTP receiver
 * drops a repeated `webhook-id`; the id reaches listeners as `ctx.deliveryId`.
 */
import WebSocket from 'ws';
import type { App, Receiver } from '../app.js';
import { RecentIds } from '../recent-ids.js';
import { isEventEnvelope, type Envelope } from '../types.js';

export interface SocketReceiverOptions {
  /** first reconnect delay (default 1000 ms); doubles on every failure up to `maxBackoffMs` */
  initialBackoffMs?: number;
  maxBackoffMs?: number;
  /** the keep-alive `ping` (default 25 000 ms) */
  pingIntervalMs?: number;
  /** sockets to keep open (default 1; Switchboard spreads envelopes round-robin, at most 10) */
  connections?: number;
}

export class HandshakeError extends Error {
  constructor(
    readonly status: number,
    body: string,
  ) {
    const hint =
      status === 401
        ? ' — the app id or app key is wrong (were the secrets rotated? `switchboard dev` refreshes them)'
        : status === 400
          ? ' — the app is not in socket mode: set "socketMode": true in its manifest (and update the app), or, if it takes its envelopes at its manifest\'s URLs, run it with NODE_ENV=production (HTTP on PORT)'
          : '';
    super(`socket-mode handshake refused: ${status} ${body}${hint}`);
    this.name = 'HandshakeError';
  }
}

export class SocketReceiver implements Receiver {
  private app: App | undefined;
  private sockets = new Set<WebSocket>();
  private stopped = false;
  private timers = new Set<NodeJS.Timeout>();
  /** event deliveries seen, by `correlation_id`, across sockets and reconnects */
  private readonly recent = new RecentIds();
  /** reconnects so far (for tests and logs) */
  reconnects = 0;
  readonly transport = 'socket' as const;

  constructor(private readonly opts: SocketReceiverOptions = {}) {}

  async start(app: App): Promise<void> {
    this.app = app;
    this.stopped = false;
    const n = Math.max(1, Math.min(10, this.opts.connections ?? 1));
    // The first connection must work: a wrong key or a non-socket app is a configuration error.
    for (let i = 0; i < n; i++) await this.connect();
    app.logger.info(`connected to ${app.url} in socket mode (app ${app.appId})`);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    await Promise.all(
      [...this.sockets].map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            const t = setTimeout(() => (ws.terminate(), resolve()), 1000);
            ws.once('close', () => (clearTimeout(t), resolve()));
            ws.close();
          }),
      ),
    );
    this.sockets.clear();
  }

  /** Open sockets right now. */
  get openSockets(): number {
    return [...this.sockets].filter((ws) => ws.readyState === WebSocket.OPEN).length;
  }

  /** Closes every socket abruptly (tests: the reconnect loop brings them back). */
  dropAll(): void {
    for (const ws of this.sockets) ws.terminate();
  }

  private async handshake(): Promise<string> {
    const app = this.app!;
    let res: Response;
    try {
      res = await fetch(`${app.url}/apps/${encodeURIComponent(app.appId)}/websocket-connection?${new URLSearchParams({ appKey: app.appKey })}`);
    } catch (err) {
      const cause = (err as { cause?: { code?: string; message?: string } }).cause;
      throw new Error(`cannot reach Switchboard at ${app.url} (${cause?.code ?? cause?.message ?? (err as Error).message}): is it running, and is SWITCHBOARD_URL right?`);
    }
    const body = await res.text();
    if (res.status !== 200) throw new HandshakeError(res.status, body.slice(0, 300));
    return (JSON.parse(body) as { url: string }).url;
  }

  private async connect(): Promise<void> {
    const url = await this.handshake();
    const ws = new WebSocket(url);
    await new Promise<void>((resolve, reject) => {
      ws.once('open', () => resolve());
      ws.once('unexpected-response', (_req, res) => reject(new HandshakeError(res.statusCode ?? 0, 'upgrade refused')));
      ws.once('error', reject);
    });
    if (this.stopped) {
      ws.close();
      return;
    }
    this.sockets.add(ws);
    const ping = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('ping'), this.opts.pingIntervalMs ?? 25_000);
    ping.unref?.();
    ws.on('message', (data, isBinary) => this.receive(ws, isBinary ? Buffer.from(data as Buffer).toString('utf8') : data.toString()));
    ws.on('error', (err) => this.app?.logger.debug(`socket error: ${err.message}`));
    ws.on('close', (code, reason) => {
      clearInterval(ping);
      this.sockets.delete(ws);
      if (this.stopped) return;
      this.app?.logger.warn(`socket closed (${code}${reason.length ? ` ${reason.toString()}` : ''}); reconnecting`);
      this.reconnect(0);
    });
  }

  private reconnect(failures: number): void {
    const base = this.opts.initialBackoffMs ?? 1000;
    const max = this.opts.maxBackoffMs ?? 30_000;
    const delay = Math.min(max, base * 2 ** failures) * (0.8 + Math.random() * 0.4);
    const t = setTimeout(async () => {
      this.timers.delete(t);
      if (this.stopped) return;
      try {
        await this.connect();
        this.reconnects++;
        this.app?.logger.info('socket reconnected');
      } catch (err) {
        this.app?.logger.warn(`reconnect failed: ${(err as Error).message}`);
        this.reconnect(failures + 1);
      }
    }, delay);
    this.timers.add(t);
  }

  private receive(ws: WebSocket, text: string): void {
    if (text === 'pong') return;
    let frame: { payload?: Envelope; correlation_id?: string };
    try {
      frame = JSON.parse(text);
    } catch {
      this.app?.logger.warn(`ignored a frame that is not JSON: ${text.slice(0, 80)}`);
      return;
    }
    const { payload, correlation_id: id } = frame;
    if (!payload || typeof payload !== 'object' || typeof id !== 'string') {
      this.app?.logger.warn('ignored a frame that is not an envelope');
      return;
    }
    if (isEventEnvelope(payload)) {
      // At least once (docs/delivery.md §2.7): an event written to a socket that then died goes
      // again, to this socket or the next, under the same correlation_id. Events get no reply.
      if (this.recent.repeat(id)) {
        this.app?.logger.debug(`dropped a repeat of delivery ${id}`);
        return;
      }
      void this.app!.dispatch(payload, () => {}, { deliveryId: id });
      return;
    }
    // Triggers are never dropped: each one that comes is answered.
    void this.app!.dispatch(payload, (r) => {
      if (ws.readyState !== WebSocket.OPEN) return;
      const reply = { correlation_id: id, status: r.status, ...(r.message !== undefined && { message: r.message }), ...(r.body !== undefined && { body: r.body }) };
      ws.send(Buffer.from(JSON.stringify(reply), 'utf8'));
    });
  }
}
