/**
 * The app endpoint for (c): a plain node:http server that answers every POST with an empty 200,
 * verifies nothing (an app's signature check is the app's cost, not Switchboard's), and tells the
 * bench over IPC which marked message each request carried and when it arrived. The same process
 * receives Switchboard's event deliveries and then the bare undici POST loop, so the receiving
 * side costs the same in both.
 *
 * Arrival times are in the bench's clock: ms since BENCH_TIME_ORIGIN (the bench process's
 * performance.timeOrigin), so they compare directly with the send times in the marks.
 * Run by bench/run.ts as a child process with an IPC channel; PORT and HOST come from the environment.
 */
import type { ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { mark, readMark } from './mark.js';
import { postServer } from './post-server.js';

const origin = Number(process.env.BENCH_TIME_ORIGIN ?? performance.timeOrigin);
const shift = performance.timeOrigin - origin;

/** [seq, arrivedAt, sentAt, …] not yet sent to the bench */
let batch: number[] = [];
let requests = 0;
let flushTimer: NodeJS.Timeout | undefined;
let sampled = false;

// Batched every 2 ms: one IPC message per request would cost the endpoint more than the request.
// The delay only holds back the bench's window, never a measured latency (the time is taken here).
function flush(): void {
  flushTimer = undefined;
  process.send?.({ kind: 'arrivals', data: batch, requests });
  batch = [];
}

/**
 * (c)'s drain: while held (the bench's `hold` message), requests are parked unanswered, as a slow
 * app's would be, so that Switchboard's backlog builds up in its queue; `release` answers them and
 * counts them as arriving then. The queue has at most maxInFlightPerEndpoint (4) of them parked,
 * far below the attempt timeout's 15 s.
 */
let held = false;
let parked: Array<{ body: Buffer; res: ServerResponse }> = [];
process.on('message', (m: { kind?: string }) => {
  if (m.kind === 'hold') held = true;
  if (m.kind === 'release') {
    held = false;
    const now = parked;
    parked = [];
    for (const p of now) arrived(p.body, p.res, performance.now() + shift);
  }
});

function arrived(body: Buffer, res: ServerResponse, arrivedAt: number): void {
  res.writeHead(200, { 'content-length': '0' }).end();
  requests++;
  const seq = readMark(body);
  if (seq < 0) return;
  batch.push(seq, arrivedAt, mark.sentAt);
  flushTimer ??= setTimeout(flush, 2);
}

const server = postServer((body, req, res) => {
  const arrivedAt = performance.now() + shift;
  if (!sampled && readMark(body) >= 0) {
    sampled = true;
    process.send?.({ kind: 'sample', headers: req.headers, body: body.toString('utf8') });
  }
  if (held) parked.push({ body, res });
  else arrived(body, res, arrivedAt);
});

const stop = () => {
  server.closeAllConnections();
  server.close(() => process.exit(0));
};
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, stop);
// The bench is gone (killed, crashed): do not outlive it.
process.on('disconnect', () => process.exit(0));
