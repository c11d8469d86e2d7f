/**
 * A receiving app as the Pumble SDK builds one (docs/app-platform.md §6, §17): verifies the
 * signature over the exact raw body (403 "Invalid signature!" otherwise), parses envelopes, and
 * answers each as the test tells it to.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { verifyPumbleSignature } from '../../src/outbound/signing.js';

export interface Received {
  path: string;
  headers: IncomingMessage['headers'];
  raw: string;
  envelope: any;
}

export type Answer = { status: number; body?: unknown; delayMs?: number } | 'hang';

export class ReceivingApp {
  readonly received: Received[] = [];
  /** decides the answer to each envelope; default: ack with 200 `{}` */
  answer: (r: Received) => Answer = () => ({ status: 200, body: {} });
  signingSecret = '';
  private server: Server | undefined;
  private waiters: Array<{ match: (r: Received) => boolean; resolve: (r: Received) => void }> = [];
  url = '';

  async start(): Promise<void> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((r) => this.server!.listen(0, '127.0.0.1', () => r()));
    const addr = this.server.address();
    this.url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : 0}`;
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const verdict = verifyPumbleSignature(req.headers, raw, this.signingSecret);
    if (!verdict.ok) {
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Invalid signature!');
      return;
    }
    const r: Received = { path: req.url ?? '/', headers: req.headers, raw, envelope: JSON.parse(raw) };
    this.received.push(r);
    this.waiters = this.waiters.filter((w) => (w.match(r) ? (w.resolve(r), false) : true));
    const a = this.answer(r);
    if (a === 'hang') return; // never answers; the server's timeout must cut it
    if (a.delayMs) await new Promise((resolve) => setTimeout(resolve, a.delayMs));
    res.writeHead(a.status, { 'content-type': 'application/json' }).end(a.body === undefined ? '' : JSON.stringify(a.body));
  }

  next(match: (r: Received) => boolean, ms = 5000): Promise<Received> {
    const seen = this.received.find(match);
    if (seen) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`the app received nothing matching within ${ms} ms`)), ms);
      this.waiters.push({ match, resolve: (r) => (clearTimeout(timer), resolve(r)) });
    });
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((r) => (this.server ? this.server.close(() => r()) : r()));
  }
}

/**
 * The answers a Pumble SDK app gives (docs/app-platform.md §9.1, §9.3, §9.5), body for body:
 * `ctx.ack(msg?)` → 200 `{}` / `{message}`; `ctx.nack(msg?, status)` → 400 by default over HTTP;
 * `ctx.spawnModalView` / `updateView` / `pushModalView` → `{triggerId, view, viewType: "NATIVE", action}`;
 * a dynamic menu's producer → `{onAction, options, triggerId}` (no `value`).
 */
export const sdkAnswer = {
  ack: (message?: string): Answer => ({ status: 200, body: message === undefined ? {} : { message } }),
  nack: (message?: string, status = 400): Answer => ({ status, body: message === undefined ? {} : { message } }),
  view: (r: Received, view: unknown, action: 'OPEN' | 'UPDATE' | 'PUSH'): Answer => ({
    status: 200,
    body: { triggerId: r.envelope.triggerId, view, viewType: 'NATIVE', action },
  }),
  options: (r: Received, options: unknown[]): Answer => ({ status: 200, body: { onAction: r.envelope.onAction, options, triggerId: r.envelope.triggerId } }),
};
