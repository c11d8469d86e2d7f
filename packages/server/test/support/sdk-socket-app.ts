/**
 * A socket-mode app exactly as the Pumble Node SDK's AddonWebsocketListener is one
 * (pumble-sdk/src/core/adapters/socket/AddonWebsocketListener.ts; docs/app-platform.md §10):
 * handshake `GET /apps/{id}/websocket-connection?appKey=` (older SDKs: `appSecret=`), `new
 * WebSocket(url)` with no headers, every received frame `JSON.parse`d and read as
 * `{payload, correlation_id}` (an event's `payload.body` parsed again), replies sent as binary
 * frames `Buffer.from(JSON.stringify({correlation_id, status, message, body?}))`, and a new
 * handshake 2 s after a close.
 *
 * Strict: any frame the SDK would crash on — not JSON, or JSON that is not the envelope shape, or
 * an event whose body is not a JSON string — is recorded in `crashes`; the one exception is
 * `pong` right after this app sent `ping` (which the SDK itself never does).
 */
import WebSocket from 'ws';

export interface SocketFrame {
  payload: any;
  correlationId: string;
  raw: string;
  /** which of this app's sockets it came over (0-based, in connection order) */
  socket: number;
}

/** What the app does with a trigger: the SDK's ack / nack / response callbacks, or nothing. */
export type SocketAnswer =
  | { ack: string | undefined; text?: boolean; delayMs?: number }
  | { nack: string | undefined; status?: number; text?: boolean; delayMs?: number }
  | { respond: unknown; text?: boolean; delayMs?: number }
  | 'silent';

export class HandshakeRefused extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`handshake refused: ${status} ${body}`);
  }
}

export class SocketModeApp {
  readonly frames: SocketFrame[] = [];
  readonly crashes: string[] = [];
  /** handshakes or upgrades that failed while reconnecting (the real SDK would stop there) */
  readonly reconnectFailures: string[] = [];
  reconnects = 0;
  pongs = 0;
  /** how the app answers each trigger; events get no reply (SDK) */
  answer: (f: SocketFrame) => SocketAnswer = () => ({ ack: undefined });
  private sockets: WebSocket[] = [];
  private pingsOut = 0;
  private stopped = false;
  private waiters: Array<{ match: (f: SocketFrame) => boolean; resolve: (f: SocketFrame) => void }> = [];

  constructor(
    private readonly serverUrl: string,
    readonly appId: string,
    private readonly appKey: string,
    private readonly opts: { param?: 'appKey' | 'appSecret'; reconnect?: boolean } = {},
  ) {}

  /** The SDK's getWebsocketUrl(): the handshake, its `url`. */
  async handshake(): Promise<string> {
    const param = this.opts.param ?? 'appKey';
    const r = await fetch(`${this.serverUrl}/apps/${encodeURIComponent(this.appId)}/websocket-connection?${new URLSearchParams({ [param]: this.appKey })}`);
    const body = await r.text();
    if (r.status !== 200) throw new HandshakeRefused(r.status, body);
    return (JSON.parse(body) as { url: string }).url;
  }

  /** Handshake and connect one more socket; resolves once it is open. */
  async connect(): Promise<number> {
    return this.open(await this.handshake());
  }

  /** Connects to a URL the handshake gave (a used ticket must be refused). */
  open(url: string): Promise<number> {
    const ws = new WebSocket(url);
    const index = this.sockets.push(ws) - 1;
    ws.on('message', (data) => this.receive(data.toString(), index, ws));
    ws.on('close', () => {
      if (this.stopped || this.opts.reconnect === false) return;
      // The SDK: 2 s after a close, the whole handshake again.
      setTimeout(() => {
        if (this.stopped) return;
        this.reconnects++;
        this.connect().catch((err: Error) => this.reconnectFailures.push(err.message));
      }, 2000);
    });
    return new Promise((resolve, reject) => {
      ws.once('open', () => resolve(index));
      ws.once('unexpected-response', (_req, res) => {
        this.sockets[index] = undefined as unknown as WebSocket;
        reject(new HandshakeRefused(res.statusCode ?? 0, 'upgrade refused'));
      });
      ws.once('error', reject);
    });
  }

  private receive(text: string, socket: number, ws: WebSocket): void {
    if (text === 'pong' && this.pingsOut > 0) {
      this.pingsOut--;
      this.pongs++;
      return;
    }
    let frame: any;
    try {
      frame = JSON.parse(text);
    } catch {
      this.crashes.push(text);
      return;
    }
    if (!frame || typeof frame !== 'object' || !frame.payload || typeof frame.payload !== 'object' || typeof frame.correlation_id !== 'string') {
      this.crashes.push(text);
      return;
    }
    if (frame.payload.messageType === 'PUMBLE_EVENT') {
      try {
        JSON.parse(frame.payload.body);
      } catch {
        this.crashes.push(text);
        return;
      }
    }
    const f: SocketFrame = { payload: frame.payload, correlationId: frame.correlation_id, raw: text, socket };
    this.frames.push(f);
    this.waiters = this.waiters.filter((w) => (w.match(f) ? (w.resolve(f), false) : true));
    if (f.payload.messageType === 'PUMBLE_EVENT') return;
    const a = this.answer(f);
    if (a === 'silent') return;
    const reply =
      'ack' in a
        ? { correlation_id: f.correlationId, status: 200, message: a.ack }
        : 'nack' in a
          ? { correlation_id: f.correlationId, status: a.status || 500, message: a.nack }
          : { correlation_id: f.correlationId, status: 200, message: 'ok', body: a.respond };
    const send = () => (a.text ? ws.send(JSON.stringify(reply)) : ws.send(Buffer.from(JSON.stringify(reply))));
    if (a.delayMs) setTimeout(send, a.delayMs);
    else send();
  }

  /** The keep-alive the spec describes (§10.5); the SDK itself never sends it. */
  ping(socket = 0): void {
    this.pingsOut++;
    this.sockets[socket]!.send('ping');
  }

  /** Sends raw text on a socket (what a broken app might send). */
  sendRaw(text: string | Buffer, socket = 0): void {
    this.sockets[socket]!.send(text);
  }

  next(match: (f: SocketFrame) => boolean, ms = 5000): Promise<SocketFrame> {
    const seen = this.frames.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the socket app received nothing matching within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (f) => (clearTimeout(timer), resolve(f)) });
    });
  }

  /** Every socket this app opened, in connection order (closed ones too). */
  get allSockets(): WebSocket[] {
    return this.sockets.filter(Boolean);
  }

  /** Open sockets. */
  get openSockets(): number {
    return this.sockets.filter((ws) => ws && ws.readyState === WebSocket.OPEN).length;
  }

  /** Closes every socket; with `reconnect`, the SDK's loop brings one back 2 s later. */
  dropAll(): void {
    for (const ws of this.sockets) ws?.close();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await Promise.all(
      this.sockets.filter(Boolean).map(
        (ws) =>
          new Promise<void>((resolve) => {
            if (ws.readyState === WebSocket.CLOSED) return resolve();
            ws.once('close', () => resolve());
            ws.close();
          }),
      ),
    );
  }
}
