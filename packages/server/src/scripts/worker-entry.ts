/**
 * The sandbox worker: a worker thread (its own V8 isolate, empty environment) holding one QuickJS
 * engine for one script. It loads the script at start and then serves the server thread's calls one
 * at a time; fetches go back to the server thread, which owns the network policy.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { QuickJSEngine, type EngineHost } from './quickjs-engine.js';
import type { ConsoleLine } from './limits.js';
import type { EngineOutcome, FetchReply, FromWorker, ToWorker, WorkerStart } from './protocol.js';

const port = parentPort;
if (!port) throw new Error('worker-entry.ts runs only as a worker thread');
const start = workerData as WorkerStart;
const send = (msg: FromWorker) => port.postMessage(msg);

const CONSOLE_BATCH = 64;
let consoleLines: ConsoleLine[] = [];
const flushConsole = () => {
  if (consoleLines.length === 0) return;
  send({ t: 'console', lines: consoleLines });
  consoleLines = [];
};

let nextFetchId = 0;
const fetchWaiters = new Map<number, (reply: FetchReply) => void>();

const host: EngineHost = {
  fetch(url, init) {
    const fetchId = ++nextFetchId;
    flushConsole();
    send({ t: 'fetch', fetchId, url, init });
    return new Promise((resolve) => fetchWaiters.set(fetchId, resolve));
  },
  console(line) {
    consoleLines.push(line);
    if (consoleLines.length >= CONSOLE_BATCH) flushConsole();
  },
  idle() {
    flushConsole();
    send({ t: 'idle' });
  },
};

const loaded: Promise<{ engine?: QuickJSEngine; outcome: EngineOutcome }> = (async () => {
  let engine: QuickJSEngine | undefined;
  let outcome: EngineOutcome;
  try {
    engine = await QuickJSEngine.create(start.limits, host);
    send({ t: 'ready' });
    outcome = engine.load(start.compiled);
  } catch (err) {
    outcome = { ok: false, error: { kind: 'exception', message: `the sandbox could not start: ${String(err)}` }, fatal: true };
  }
  flushConsole();
  send({ t: 'loaded', outcome });
  return { ...(engine && { engine }), outcome };
})();

port.on('message', (msg: ToWorker) => {
  if (msg.t === 'fetch-reply') {
    const waiter = fetchWaiters.get(msg.fetchId);
    fetchWaiters.delete(msg.fetchId);
    waiter?.(msg.reply);
    return;
  }
  void loaded.then(async ({ engine, outcome }) => {
    if (msg.t === 'has') {
      send({ t: 'has-result', id: msg.id, has: outcome.ok && engine !== undefined && engine.hasMethod(msg.method) });
      return;
    }
    const result = outcome.ok && engine ? await engine.invoke(msg.method, msg.argJson) : outcome;
    flushConsole();
    send({ t: 'result', id: msg.id, outcome: result });
  });
});
