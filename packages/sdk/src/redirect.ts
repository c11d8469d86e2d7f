/**
 * The OAuth redirect (docs/app-platform.md §5.1–§5.2) as a tiny node:http listener: `GET /redirect`
 * exchanges the code for tokens and stores them. The HTTP receiver serves it on its own port; a
 * socket-mode app, which has no HTTP server, opts into this one (`new App({redirect: {port: 3001}})`
 * or SWITCHBOARD_REDIRECT_PORT) so that people other than the developer can install it from the
 * consent page. Nothing else is served here: envelopes still arrive over the socket.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { App } from './app.js';

export interface RedirectServerOptions {
  /** default 3001 (the port of the `http://localhost:3001/redirect` that `switchboard init` writes); 0 picks a free one */
  port?: number;
  /** default 127.0.0.1 (loopback: the person's browser is on the developer's machine in development) */
  host?: string;
  /** default /redirect */
  path?: string;
}

/** Answers `GET {path}?code&state` for `app`; true when the request was the redirect's. */
export async function handleRedirect(app: App, req: IncomingMessage, res: ServerResponse, path = '/redirect'): Promise<boolean> {
  const url = new URL(req.url ?? '/', 'http://app.local');
  if (req.method !== 'GET' || url.pathname !== path) return false;
  const code = url.searchParams.get('code');
  const error = url.searchParams.get('error');
  if (!code) {
    html(res, 400, error === 'access_denied' ? 'The app was not authorised.' : 'No authorization code.');
    return true;
  }
  try {
    await app.completeOAuth(code, url.searchParams.get('state') ?? undefined);
    html(res, 200, 'The app is installed. You can close this page and go back to Switchboard.');
  } catch (err) {
    app.logger.warn(`OAuth redirect failed: ${(err as Error).message}`);
    html(res, 400, 'The authorization could not be completed. Please try again.');
  }
  return true;
}

export function html(res: ServerResponse, status: number, message: string): void {
  const safe = message.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  res
    .writeHead(status, { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': "default-src 'none'" })
    .end(`<!doctype html><meta charset="utf-8"><title>Switchboard app</title><p>${safe}</p>`);
}

/** A listener for the OAuth redirect alone. */
export class RedirectServer {
  private server: Server | undefined;
  port = 0;

  constructor(private readonly opts: RedirectServerOptions = {}) {}

  get host(): string {
    return this.opts.host ?? '127.0.0.1';
  }
  /** The redirect URL to list in the manifest's `redirectUrls`. */
  get url(): string {
    return `http://${this.host === '127.0.0.1' ? 'localhost' : this.host}:${this.port}${this.opts.path ?? '/redirect'}`;
  }

  async start(app: App): Promise<void> {
    if (!app.clientSecret) throw new Error('redirect: SWITCHBOARD_CLIENT_SECRET is not set — the code cannot be exchanged');
    const path = this.opts.path ?? '/redirect';
    this.server = createServer((req, res) => {
      handleRedirect(app, req, res, path)
        .then((handled) => {
          if (!handled) res.writeHead(404, { 'content-type': 'text/plain' }).end(`Only GET ${path} is served here.`);
        })
        .catch((err) => {
          app.logger.error(`redirect: ${(err as Error).message}`);
          if (!res.headersSent) res.writeHead(500).end();
        });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', (err: NodeJS.ErrnoException) =>
        reject(err.code === 'EADDRINUSE' ? new Error(`redirect: port ${this.opts.port ?? 3001} is in use — pick another ({redirect: {port}} or SWITCHBOARD_REDIRECT_PORT) and list its URL in the manifest's redirectUrls`) : err),
      );
      this.server!.listen(this.opts.port ?? 3001, this.host, () => resolve());
    });
    this.port = (this.server.address() as AddressInfo).port;
    app.logger.info(`OAuth redirect at ${this.url}`);
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
}
