/**
 * One WebSocket per tab to /v1/realtime, authenticated by the session cookie the browser sends
 * with the upgrade. Reconnects with exponential backoff (jittered, capped at 30 s); each connection
 * is reported so the app refetches what it may have missed: after a drop, everything; on the first,
 * what was loaded before the socket listened.
 */

export type RealtimeStatus = 'connecting' | 'online' | 'offline';

export interface Frame {
  type: string;
  [key: string]: unknown;
}

export interface SocketHandlers {
  onFrame(frame: Frame): void;
  onStatus(status: RealtimeStatus): void;
  /**
   * The socket listens (its `hello`): what happened before must be fetched. `listeningSince`: on
   * the first connection, the time it began to listen — only what was loaded (or was loading)
   * before then can have missed a frame; undefined after a drop, when anything may have.
   */
  onResync(listeningSince: number | undefined): void;
  /** the server ended the session (close 4001) or refused the upgrade while signed out */
  onSessionEnded(): void;
  /** asked after a failed connection: is the session still alive? */
  checkSession(): Promise<boolean>;
}

const PING_MS = 25_000;
const MAX_BACKOFF_MS = 30_000;

export class RealtimeSocket {
  private ws: WebSocket | undefined;
  private attempts = 0;
  private everConnected = false;
  private stopped = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private pingTimer: ReturnType<typeof setInterval> | undefined;

  constructor(
    private readonly url: string,
    private readonly handlers: SocketHandlers,
  ) {}

  start(): void {
    this.stopped = false;
    this.connect();
    window.addEventListener('online', this.wake);
    document.addEventListener('visibilitychange', this.wake);
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.retryTimer);
    clearInterval(this.pingTimer);
    window.removeEventListener('online', this.wake);
    document.removeEventListener('visibilitychange', this.wake);
    const ws = this.ws;
    this.ws = undefined;
    ws?.close(1000, 'bye');
  }

  /** Sends a client frame (typing) when connected; dropped otherwise — such frames are live only. */
  send(frame: Frame): boolean {
    const ws = this.ws;
    if (!ws || ws.readyState !== WebSocket.OPEN) return false;
    ws.send(JSON.stringify(frame));
    return true;
  }

  /** The network came back or the tab became visible: do not wait out the backoff. */
  private readonly wake = () => {
    if (this.stopped || document.visibilityState === 'hidden') return;
    if (!this.ws && this.retryTimer !== undefined) {
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.connect();
    }
  };

  private connect(): void {
    this.handlers.onStatus('connecting');
    const ws = new WebSocket(this.url);
    this.ws = ws;
    let opened = false;
    ws.onopen = () => {
      opened = true;
    };
    ws.onmessage = (ev) => {
      let frame: Frame;
      try {
        frame = JSON.parse(String(ev.data)) as Frame;
      } catch {
        return;
      }
      if (frame.type === 'hello') {
        this.attempts = 0;
        this.handlers.onStatus('online');
        this.handlers.onResync(this.everConnected ? undefined : Date.now());
        this.everConnected = true;
        clearInterval(this.pingTimer);
        this.pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send('{"type":"ping"}'), PING_MS);
        return;
      }
      if (frame.type === 'pong') return;
      this.handlers.onFrame(frame);
    };
    ws.onclose = (ev) => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return; // replaced or stopped
      this.ws = undefined;
      if (this.stopped) return;
      if (ev.code === 4001) {
        this.handlers.onSessionEnded();
        return;
      }
      this.handlers.onStatus('offline');
      // A refused upgrade looks like any drop; ask whether the session is still there.
      if (!opened) {
        void this.handlers.checkSession().then((alive) => {
          if (!alive) this.handlers.onSessionEnded();
          else this.scheduleRetry();
        });
      } else this.scheduleRetry();
    };
  }

  private scheduleRetry(): void {
    if (this.stopped) return;
    const base = Math.min(MAX_BACKOFF_MS, 500 * 2 ** this.attempts);
    this.attempts++;
    const delay = base / 2 + Math.random() * (base / 2);
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (!this.stopped) this.connect();
    }, delay);
  }
}

export function realtimeUrl(): string {
  const { protocol, host } = window.location;
  return `${protocol === 'https:' ? 'wss' : 'ws'}://${host}/v1/realtime`;
}
