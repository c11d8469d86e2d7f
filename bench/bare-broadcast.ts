/**
 * The baseline for fan-out: a bare `ws` WebSocketServer on a plain node:http server. Every
 * client that connects gets a hello frame; `POST /v1/channels/:id/messages {text}` renders one
 * frame shaped like Switchboard's `message.created` frame (the template comes from the bench, a
 * frame Switchboard actually sent, so frames are the same size when the text is) and sends it to
 * every open client, then answers a small JSON. No authentication, no storage, no audience lookup.
 * Run by bench/run.ts as a child process; PORT, HOST and BENCH_FRAME_TEMPLATE come from the environment.
 */
import { frameServer } from './post-server.js';

interface FrameTemplate {
  message: Record<string, unknown>;
  [key: string]: unknown;
}
const template = JSON.parse(process.env.BENCH_FRAME_TEMPLATE ?? '{"type":"message.created","message":{}}') as FrameTemplate;

frameServer({
  path: '/v1/realtime',
  maxPayload: 64 * 1024,
  greeting: '{"type":"hello"}',
  frame: (text) => JSON.stringify({ ...template, message: { ...template.message, text } }),
});
