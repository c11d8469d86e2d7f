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
import { MARKER, MARK_HEAD_CHARS } from './mark.js';
import { frameServer } from './post-server.js';

const template = process.env.BENCH_SOCKET_FRAME ?? `{"payload":{"body":"${MARKER}${'0'.repeat(MARK_HEAD_CHARS - MARKER.length)}"},"correlation_id":"x"}`;
const markAt = template.indexOf(MARKER);
const before = template.slice(0, markAt);
const after = template.slice(markAt + MARK_HEAD_CHARS);

frameServer({ path: '/apps/socket', maxPayload: 1024 * 1024 + 4096, frame: (text) => before + text.slice(0, MARK_HEAD_CHARS) + after });
