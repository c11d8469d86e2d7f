/**
 * The HTTP receiver: a node:http server for production, where Switchboard POSTs signed envelopes to
 * the manifest's URLs (docs/app-platform.md §6). Every request's signatures are checked over the raw
 * body (Pumble's and Standard Webhooks', ±5 minutes, constant time) — 403 `Invalid signature!`
 * otherwise. Events are answered 200 at once and deduplicated on `webhook-id` (the delivery id, which
 * listeners get as `ctx.deliveryId`); a trigger's answer is the HTTP response, written the moment
 * the listener acks (3-second rule). `GET /redirect` exchanges an OAuth code and stores the tokens;
 * `GET /manifest` serves the manifest.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App, Receiver } from '../app.js';
import { RecentIds } from '../recent-ids.js';
import { handleRedirect } from '../redirect.js';
import { verifyRequest } from '../signing.js';
import { isEventEnvelope, type Envelope } from '../types.js';

export interface HttpReceiverOptions {
  /** default 3001; 0 picks a free port (see `port` after start) */
  port?: number;
  /** default 127.0.0.1 in development, 0.0.0.0 when NODE_ENV=production */
  host?: string;
  /** the OAuth redirect path (default /redirect) */
  redirectPath?: string;
  /** demand both signature schemes (Switchboard always sends both; Pumble only its own) */
  requireBothSignatures?: boolean;
  /** largest body read (default 1 MiB) */
  maxBodyBytes?: number;
}

export class HttpReceiver implements Receiver {
  private server: Server | undefined;
  private app: App | undefined;
  private readonly recent = new RecentIds();
  port = 0;
  readonly servesRedirect = true;
  readonly transport = 'http' as const;

  constructor(private readonly opts: HttpReceiverOptions = {}) {}

  get url(): string {
    return `http://${this.opts.host ?? '127.0.0.1'}:${this.port}`;
  }

  async start(app: App): Promise<void> {
    this.app = app;
    if (!app.signingSecret) throw new Error('HttpReceiver: SWITCHBOARD_SIGNING_SECRET is not set — every request would be refused');
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err) => {
        app.logger.error(`http receiver: ${(err as Error).message}`);
        if (!res.headersSent) send(res, 500, { message: 'internal error' });
      });
    });
    const host = this.opts.host ?? (process.env.NODE_ENV === 'production' ? '0.0.0.0' : '127.0.0.1');
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.opts.port ?? 3001, host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    app.logger.info(`listening on http://${host}:${this.port}`);
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (!s) return;
    await new Promise<void>((resolve) => {
      s.close(() => resolve());
      s.closeAllConnections?.();
    });
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const app = this.app!;
    const url = new URL(req.url ?? '/', 'http://app.local');
    if (await handleRedirect(app, req, res, this.opts.redirectPath ?? '/redirect')) return;
    if (req.method === 'GET' && url.pathname === '/manifest') {
      return app.manifest ? send(res, 200, stripSecrets(app.manifest)) : send(res, 404, { message: 'no manifest' });
    }
    if (req.method !== 'POST') return send(res, 405, { message: 'POST envelopes here' });

    const raw = await readBody(req, this.opts.maxBodyBytes ?? 1024 * 1024);
    if (raw === undefined) return send(res, 413, { message: 'body too large' });
    const verdict = verifyRequest(req.headers, raw, app.signingSecret!, { ...(this.opts.requireBothSignatures !== undefined && { requireBoth: this.opts.requireBothSignatures }) });
    if (!verdict.ok) {
      app.logger.warn(`refused a request: ${verdict.reason}`);
      res.writeHead(403, { 'content-type': 'text/plain' }).end('Invalid signature!');
      return;
    }
    let envelope: Envelope;
    try {
      envelope = JSON.parse(raw.toString('utf8')) as Envelope;
    } catch {
      return send(res, 400, { message: 'body is not JSON' });
    }
    if (isEventEnvelope(envelope)) {
      // Events need no answer but a 2xx: answer at once, then work. At-least-once: drop repeats.
      res.writeHead(200, { 'content-type': 'text/plain' }).end('ok');
      const id = header(req, 'webhook-id');
      if (id && this.recent.repeat(id)) {
        app.logger.debug(`dropped a repeat of delivery ${id}`);
        return;
      }
      await app.dispatch(envelope, () => {}, { ...(id && { deliveryId: id }) });
      return;
    }
    await app.dispatch(envelope, (r) => {
      if (res.headersSent) return;
      const body = r.body ?? (r.message !== undefined ? { message: r.message } : {});
      send(res, r.status, body);
    });
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function readBody(req: IncomingMessage, max: number): Promise<Buffer | undefined> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let over = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) over = true;
      else chunks.push(c);
    });
    req.on('end', () => resolve(over ? undefined : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  res.writeHead(status, { 'content-type': 'application/json; charset=utf-8' }).end(JSON.stringify(body));
}

function stripSecrets(m: Record<string, unknown>): Record<string, unknown> {
  const { clientSecret: _c, appKey: _a, signingSecret: _s, ...rest } = m;
  return rest;
}
