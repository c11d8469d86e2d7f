/**
 * The baseline for fan-out: a bare `ws` WebSocketServer on a plain node:http server. Every
 * client that connects gets a hello frame; `POST /v1/channels/:id/messages {text}` renders one
 * frame shaped like Switchboard's `message.created` frame (the template comes from the bench, a
 * frame Switchboard actually sent, so frames are the same size when the text is) and sends it to
 * every open client, then answers a small JSON. No authentication, no storage, no audience lookup.
 * Run by bench/run.ts as a child process; PORT, HOST and BENCH_FRAME_TEMPLATE come from the environment.
 */
import { createServer } from 'node:http';
import { WebSocketServer, WebSocket } from 'ws';

interface FrameTemplate {
  message: Record<string, unknown>;
  [key: string]: unknown;
}
const template = JSON.parse(process.env.BENCH_FRAME_TEMPLATE ?? '{"type":"message.created","message":{}}') as FrameTemplate;

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
    const frame = JSON.stringify({ ...template, message: { ...template.message, text } });
    for (const ws of wss.clients) if (ws.readyState === WebSocket.OPEN) ws.send(frame);
    res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: ++seq, recipients: wss.clients.size }));
  });
});

const wss = new WebSocketServer({ server, path: '/v1/realtime', maxPayload: 64 * 1024 });
wss.on('connection', (ws) => {
  ws.on('error', () => ws.terminate());
  ws.send('{"type":"hello"}');
});

server.listen(Number(process.env.PORT), process.env.HOST ?? '127.0.0.1');
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.close(() => process.exit(0));
  });
