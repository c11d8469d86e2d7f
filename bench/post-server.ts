/**
 * What the bench's bare baselines and its app endpoint share (bench/bare-broadcast.ts,
 * bench/bare-socket.ts, bench/app-endpoint.ts): a plain node:http server that answers
 * `GET /readyz` (run.ts waits for it), 404 to anything but a POST, and hands each POST's whole body
 * to the caller; and, for the two `ws` baselines, the server that writes one frame per POSTed
 * message to every connected client. Kept apart so that each baseline differs from the others
 * only in what it measures.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

/** A server that passes each POST's body on; listening on PORT/HOST from the environment. */
export function postServer(onPost: (body: Buffer, req: IncomingMessage, res: ServerResponse) => void): Server {
  const server = createServer((req, res) => {
    if (req.method === 'GET' && req.url === '/readyz') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (req.method !== 'POST') {
      res.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => onPost(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks), req, res));
  });
  server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
  return server;
}

/**
 * A `ws` server at `path`: each `POST … {text}` writes `frame(text)` to every open client and
 * answers a small JSON, as Switchboard answers a post. No authentication, no storage.
 */
export function frameServer(o: { path: string; maxPayload: number; frame: (text: string) => string; greeting?: string }): void {
  let seq = 0;
  const server = postServer((body, _req, res) => {
    let text: string;
    try {
      text = String((JSON.parse(body.toString('utf8')) as { text?: unknown }).text ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
      return;
    }
    const frame = o.frame(text);
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: ++seq, recipients: wss.clients.size }));
  });
  const wss = new WebSocketServer({ server, path: o.path, maxPayload: o.maxPayload });
  wss.on('connection', (ws) => {
    ws.on('error', () => ws.terminate());
    if (o.greeting !== undefined) ws.send(o.greeting);
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const)
    process.on(signal, () => {
      for (const ws of wss.clients) ws.terminate();
      wss.close();
      server.close(() => process.exit(0));
    });
}
