/**
 * The baseline for (e), socket-mode app events (issue #13 item 8: "a bare `ws` send loop to one
 * socket"): a bare `ws` WebSocketServer on a plain node:http server. A client that connects to
 * `/apps/socket?frames=N&base=B` is sent N frames in a loop, as fast as `ws` writes them — the
 * frame Switchboard actually wrote to its app socket in this run (BENCH_SOCKET_FRAME), with marks
 * B, B+1… in place of the one it carried, so the bytes and size are the same. That is what
 * Switchboard's drain does with a backlog once the app's socket connects, minus the queue: no
 * authentication, no storage, no leases, no delivery log.
 * Run by bench/run.ts as a child process; PORT, HOST and BENCH_SOCKET_FRAME come from the environment.
 */
import { WebSocketServer } from 'ws';
import { MARKER, MARK_HEAD_CHARS, markHead } from './mark.js';
import { postServer } from './post-server.js';

const template = process.env.BENCH_SOCKET_FRAME ?? `{"payload":{"body":"${MARKER}${'0'.repeat(MARK_HEAD_CHARS - MARKER.length)}"},"correlation_id":"x"}`;
const markAt = template.indexOf(MARKER);
const before = template.slice(0, markAt);
const after = template.slice(markAt + MARK_HEAD_CHARS);

const server = postServer((_body, _req, res) => void res.writeHead(404).end());
const wss = new WebSocketServer({ server, path: '/apps/socket' });
wss.on('connection', (ws, req) => {
  ws.on('error', () => ws.terminate());
  const query = new URL(req.url ?? '/', 'http://bench').searchParams;
  const frames = Number(query.get('frames') ?? 0);
  const base = Number(query.get('base') ?? 0);
  for (let i = 0; i < frames; i++) ws.send(before + markHead(base + i, 0) + after);
});
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    for (const ws of wss.clients) ws.terminate();
    wss.close();
    server.close(() => process.exit(0));
  });
