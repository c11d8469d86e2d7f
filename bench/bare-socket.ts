/**
 * The baseline for (e), socket-mode app events: a bare `ws` WebSocketServer on a plain node:http
 * server with one client (the bench's socket app). `POST /v1/channels/:id/messages {text}` writes
 * one frame to every connected client — the frame Switchboard actually wrote to its app socket in
 * this run (BENCH_SOCKET_FRAME), with this message's mark in place of the one it carried, so the
 * bytes and size are the same — then answers a small JSON. The bench drives it with the same
 * posters and window as Switchboard: one frame per POST received, like for like. No
 * authentication, no storage, no outbox, no delivery log.
 * Run by bench/run.ts as a child process; PORT, HOST and BENCH_SOCKET_FRAME come from the environment.
 */
import { createServer } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';
import { MARKER, MARK_HEAD_CHARS } from './mark.js';

const template = process.env.BENCH_SOCKET_FRAME ?? `{"payload":{"body":"${MARKER}${'0'.repeat(MARK_HEAD_CHARS - MARKER.length)}"},"correlation_id":"x"}`;
const markAt = template.indexOf(MARKER);
const before = template.slice(0, markAt);
const after = template.slice(markAt + MARK_HEAD_CHARS);

let seq = 0;
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
  req.on('end', () => {
    let text: string;
    try {
      text = String((JSON.parse(Buffer.concat(chunks).toString('utf8')) as { text?: unknown }).text ?? '');
    } catch {
      res.writeHead(400, { 'content-type': 'application/json' }).end('{"error":"bad json"}');
      return;
    }
    const frame = before + text.slice(0, MARK_HEAD_CHARS) + after;
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: ++seq, recipients: wss.clients.size }));
  });
});

const wss = new WebSocketServer({ server, path: '/apps/socket', maxPayload: 1024 * 1024 + 4096 });
wss.on('connection', (ws) => ws.on('error', () => ws.terminate()));

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.close(() => process.exit(0));
  });
