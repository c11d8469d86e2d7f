import net from 'node:net';
import type { Server } from 'node:http';
import type { Worker } from 'node:cluster';

/** What the primary sends a worker with each connection it hands over (main.ts). */
export interface HandedConnection {
  main: 'connection';
}

/**
 * A worker that stops on its own (SIGTERM to it alone) asks to be retired first, and drains once the
 * primary answers: the answer comes after every connection the primary handed it before (one ordered
 * channel), and none comes after it — so no new connection reaches a worker that is closing (main.ts).
 */
export interface RetireMe {
  main: 'retire-me';
}
export interface Retired {
  main: 'retired';
}

/**
 * The primary's listening socket when WORKERS > 1 (docs/operations.md §8.2): each new connection goes
 * to the next worker in turn, strictly. node:cluster's own round robin gives a connection to
 * whichever worker acknowledged its previous one first, so a burst of connections — a benchmark's
 * pool, a load balancer's, a thousand WebSockets reconnecting after a restart — lands unevenly: 18 of
 * 20 on one worker of two, measured; the operating system's (SCHED_NONE) did no better. A WebSocket
 * stays where it landed, so the imbalance lasts. Connections that arrive before any worker is ready
 * wait for the first one. The socket is paused until the worker reads it (pauseOnConnect).
 */
export class ConnectionBalancer {
  // noDelay as http.Server sets it for the connections it accepts itself.
  private readonly server = net.createServer({ pauseOnConnect: true, noDelay: true }, (socket) => this.hand(socket));
  private readonly ready: Worker[] = [];
  /** sockets on their way to each worker: closed here once sent, or if the worker dies first */
  private readonly sending = new Map<Worker, Set<net.Socket>>();
  private readonly waiting = new Set<net.Socket>();
  private turn = 0;

  constructor(private readonly onError: (err: Error) => void) {}

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ port, host }, () => {
        this.server.off('error', reject);
        this.server.on('error', this.onError);
        resolve();
      });
    });
  }

  /** The port it listens on (PORT=0 picks one). */
  get port(): number {
    return (this.server.address() as net.AddressInfo).port;
  }

  /** A worker that listens: it takes its share of new connections from now on. */
  add(worker: Worker): void {
    if (!this.ready.includes(worker)) this.ready.push(worker);
    for (const socket of this.waiting) {
      this.waiting.delete(socket);
      this.hand(socket);
    }
  }

  /** A worker that is stopping (RetireMe): it gets no more; what is on its way still reaches it. */
  retire(worker: Worker): void {
    const at = this.ready.indexOf(worker);
    if (at >= 0) this.ready.splice(at, 1);
  }

  /** A worker that stopped or died: it gets no more. */
  remove(worker: Worker): void {
    this.retire(worker);
    // Node sends one handle at a time and holds the rest until the worker acknowledges; a worker
    // that died leaves them unsent, with no callback. Their clients are cut rather than left hanging.
    for (const socket of this.sending.get(worker) ?? []) socket.destroy();
    this.sending.delete(worker);
  }

  /** No new connections (a stop): those not handed over yet are closed. */
  close(): void {
    this.server.close();
    for (const socket of this.waiting) socket.destroy();
    this.waiting.clear();
  }

  private hand(socket: net.Socket, tried = 0): void {
    if (socket.destroyed) return;
    const live = this.ready.filter((w) => w.isConnected());
    if (live.length === 0 || tried >= live.length) {
      if (!this.server.listening) return void socket.destroy();
      // None to take it yet (starting, or replacing one that died): it waits for the next that listens.
      if (!this.waiting.has(socket)) {
        this.waiting.add(socket);
        socket.once('close', () => this.waiting.delete(socket));
      }
      return;
    }
    const worker = live[this.turn++ % live.length]!;
    let sending = this.sending.get(worker);
    if (!sending) this.sending.set(worker, (sending = new Set()));
    sending.add(socket);
    // keepOpen: this side keeps its socket until the message carrying it is written (then the worker
    // has its own descriptor, and this one is closed here), so that a send that failed can go to the
    // next worker, and one that never went can be closed (remove).
    worker.send({ main: 'connection' } satisfies HandedConnection, socket, { keepOpen: true }, (err: Error | null) => {
      if (!sending.delete(socket)) return; // the worker died meanwhile: already closed
      if (err) return this.hand(socket, tried + 1);
      socket.destroy();
    });
  }
}

/**
 * A worker's side: the connections the primary handed over. Node counts only the connections a
 * server accepted itself (server.close() waits for those), so these are counted here, and a stop
 * waits for them the same way. The server still listens, on a loopback port of its own, because
 * Node tracks a server's connections (timeouts, closing idle ones) only once it listens.
 */
export class AdoptedConnections {
  private readonly open = new Set<net.Socket>();
  private allClosed: (() => void) | undefined;

  constructor(private readonly server: Server) {}

  adopt(socket: net.Socket): void {
    this.open.add(socket);
    socket.once('close', () => {
      this.open.delete(socket);
      if (this.open.size === 0) this.allClosed?.();
    });
    this.server.emit('connection', socket);
    socket.resume(); // accepted paused (ConnectionBalancer)
  }

  /** Settles once every adopted connection has closed (a stop, after server.close()). */
  closed(): Promise<void> {
    return this.open.size === 0 ? Promise.resolve() : new Promise<void>((resolve) => (this.allClosed = resolve));
  }
}
