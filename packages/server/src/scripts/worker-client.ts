/**
 * The server thread's handle on one sandbox worker (worker-entry.ts): starts it, sends it one
 * operation at a time, performs its fetches through the injected ScriptFetch, and watches it.
 *
 * The watchdog is the backstop behind the engine's own interrupt handler: QuickJS checks for
 * interrupts only between bytecode batches, so a loop around a slow built-in can overrun a
 * deadline by far. If the worker runs guest code longer than the call's CPU budget plus a grace
 * period, or an operation outlives its wall-clock limit plus grace, the worker is terminated —
 * which V8 can do even in the middle of WebAssembly — and the operation ends as a timeout.
 */
import { Worker, type WorkerOptions } from 'node:worker_threads';
import type { ConsoleLine, SandboxLimits, ScriptFetch, ScriptFetchInit, ScriptFetchResponse } from './limits.js';
import type { EngineOutcome, FetchReply, FromWorker, ToWorker, WorkerStart } from './protocol.js';

/** how long past a limit the worker may go before it is terminated */
export const HARD_STOP_GRACE_MS = 500;
/** a worker that has not started QuickJS by then is considered wedged */
const STARTUP_MS = 20_000;
const MB = 1024 * 1024;

export interface OpResult {
  outcome: EngineOutcome;
  console: ConsoleLine[];
}

interface Op {
  id: number;
  kind: 'call' | 'has';
  console: ConsoleLine[];
  cpuUsed: number;
  busySince: number | undefined;
  controllers: Set<AbortController>;
  started: boolean;
  finish: (msg: { outcome: EngineOutcome; has?: boolean }) => void;
}

const now = () => performance.now();
const fatal = (kind: 'timeout' | 'memory' | 'exception', message: string): EngineOutcome => ({
  ok: false,
  error: { kind, message, ...(kind !== 'exception' && { name: 'InternalError' }) },
  fatal: true,
});

function spawn(start: WorkerStart): Worker {
  const options: WorkerOptions = {
    workerData: start,
    env: {}, // nothing of the server's environment, even should the sandbox ever be escaped
    execArgv: [],
    stdout: true,
    stderr: true,
    resourceLimits: {
      maxOldGenerationSizeMb: Math.max(64, Math.ceil((4 * start.limits.memoryBytes) / MB)),
      maxYoungGenerationSizeMb: 16,
      stackSizeMb: 16,
    },
  };
  const here = import.meta.url;
  if (!here.endsWith('.ts')) return new Worker(new URL('./worker-entry.js', here), options);
  // Running from TypeScript sources (tests, `npm run dev`): load the entry through tsx's loader.
  const entry = new URL('./worker-entry.ts', here).href;
  const tsx = import.meta.resolve('tsx/esm/api');
  const boot = `import(${JSON.stringify(tsx)}).then((api) => { api.register(); return import(${JSON.stringify(entry)}); })`;
  return new Worker(boot, { ...options, eval: true });
}

export class SandboxWorker {
  private readonly worker: Worker;
  private phase: 'starting' | 'loading' | 'loaded' = 'starting';
  private op: Op | undefined;
  private nextId = 0;
  private loadConsole: ConsoleLine[] = [];
  private loadTimer: NodeJS.Timeout | undefined;
  private busyTimer: NodeJS.Timeout | undefined;
  private wallTimer: NodeJS.Timeout | undefined;
  /** why the worker is gone; every later operation ends with it */
  private deadOutcome: EngineOutcome | undefined;

  constructor(
    compiled: string,
    private readonly limits: SandboxLimits,
    private readonly fetchImpl: ScriptFetch | undefined,
  ) {
    this.worker = spawn({ compiled, limits });
    this.worker.stdout.resume();
    this.worker.stderr.resume();
    this.worker.on('message', (msg: FromWorker) => this.onMessage(msg));
    this.worker.on('error', (err: Error & { code?: string }) =>
      this.kill(
        err.code === 'ERR_WORKER_OUT_OF_MEMORY'
          ? fatal('memory', 'the script ran out of memory')
          : fatal('exception', `the sandbox failed: ${err.message}`),
      ),
    );
    this.worker.on('exit', () => this.kill(fatal('exception', 'the sandbox stopped unexpectedly')));
    this.loadTimer = setTimeout(() => this.kill(fatal('exception', 'the sandbox did not start')), STARTUP_MS);
  }

  get dead(): boolean {
    return this.deadOutcome !== undefined;
  }

  /** Runs `method` with the JSON text `argJson`. One operation at a time (the runner queues them). */
  call(method: string, argJson: string | undefined): Promise<OpResult> {
    return this.start('call', (id) => ({ t: 'call', id, method, argJson })).then((r) => ({ outcome: r.outcome, console: r.console }));
  }

  has(method: string): Promise<boolean> {
    return this.start('has', (id) => ({ t: 'has', id, method })).then((r) => r.has === true);
  }

  terminate(): void {
    this.kill(fatal('exception', 'the sandbox was disposed'));
  }

  private start(kind: Op['kind'], message: (id: number) => ToWorker): Promise<{ outcome: EngineOutcome; console: ConsoleLine[]; has?: boolean }> {
    if (this.deadOutcome) return Promise.resolve({ outcome: this.deadOutcome, console: [] });
    if (this.op) throw new Error('SandboxWorker runs one operation at a time');
    return new Promise((resolve) => {
      const op: Op = {
        id: ++this.nextId,
        kind,
        console: this.loadConsole,
        cpuUsed: 0,
        busySince: undefined,
        controllers: new Set(),
        started: false,
        finish: ({ outcome, has }) => resolve({ outcome, console: op.console, ...(has !== undefined && { has }) }),
      };
      this.loadConsole = [];
      this.op = op;
      this.worker.postMessage(message(op.id));
      if (this.phase === 'loaded') this.armOp(op);
    });
  }

  /** Starts an operation's clocks: from when the worker can actually run it. */
  private armOp(op: Op): void {
    op.started = true;
    const wallMs = op.kind === 'call' ? this.limits.wallMs : this.limits.callMs;
    this.wallTimer = setTimeout(() => this.kill(fatal('timeout', `the script did not finish within ${wallMs} ms`)), wallMs + HARD_STOP_GRACE_MS);
    this.markBusy(op);
  }

  private markBusy(op: Op): void {
    if (op.busySince !== undefined) return;
    op.busySince = now();
    const remaining = Math.max(0, this.limits.callMs - op.cpuUsed);
    this.busyTimer = setTimeout(() => this.kill(fatal('timeout', `the script ran for longer than ${this.limits.callMs} ms`)), remaining + HARD_STOP_GRACE_MS);
  }

  private markIdle(op: Op): void {
    if (op.busySince === undefined) return;
    op.cpuUsed += now() - op.busySince;
    op.busySince = undefined;
    clearTimeout(this.busyTimer);
  }

  private onMessage(msg: FromWorker): void {
    if (this.deadOutcome) return;
    const op = this.op;
    switch (msg.t) {
      case 'ready':
        this.phase = 'loading';
        clearTimeout(this.loadTimer);
        this.loadTimer = setTimeout(
          () => this.kill(fatal('timeout', `evaluating the script took longer than ${this.limits.evalMs} ms`)),
          this.limits.evalMs + HARD_STOP_GRACE_MS,
        );
        return;
      case 'loaded':
        this.phase = 'loaded';
        clearTimeout(this.loadTimer);
        if (!msg.outcome.ok && msg.outcome.fatal) return this.kill(msg.outcome);
        if (op && !op.started) this.armOp(op);
        return;
      case 'console':
        (op ?? { console: this.loadConsole }).console.push(...msg.lines);
        return;
      case 'idle':
        if (op) this.markIdle(op);
        return;
      case 'fetch':
        void this.fetchFor(op, msg);
        return;
      case 'result':
      case 'has-result':
        if (!op || op.id !== msg.id) return;
        this.endOp(op, msg.t === 'result' ? { outcome: msg.outcome } : { outcome: { ok: true, resultJson: undefined }, has: msg.has });
        return;
    }
  }

  private endOp(op: Op, result: { outcome: EngineOutcome; has?: boolean }): void {
    clearTimeout(this.busyTimer);
    clearTimeout(this.wallTimer);
    for (const c of op.controllers) c.abort(new Error('the script run ended'));
    this.op = undefined;
    op.finish(result);
  }

  private kill(outcome: EngineOutcome): void {
    if (this.deadOutcome) return;
    this.deadOutcome = outcome;
    clearTimeout(this.loadTimer);
    void this.worker.terminate();
    if (this.op) this.endOp(this.op, { outcome });
  }

  // ---- fetch ----------------------------------------------------------------------------------

  private async fetchFor(op: Op | undefined, msg: Extract<FromWorker, { t: 'fetch' }>): Promise<void> {
    const reply = op ? await this.performFetch(op, msg.url, msg.init) : { ok: false as const, message: 'fetch outside of a script run' };
    if (this.deadOutcome) return;
    // Always answered, so the worker forgets the request; it drops answers for calls already over.
    this.worker.postMessage({ t: 'fetch-reply', fetchId: msg.fetchId, reply } satisfies ToWorker);
    if (op && this.op === op) this.markBusy(op);
  }

  private async performFetch(op: Op, url: string, init: Omit<ScriptFetchInit, 'signal'>): Promise<FetchReply> {
    if (!this.fetchImpl) return { ok: false, message: 'fetch is not available to this script' };
    const controller = new AbortController();
    op.controllers.add(controller);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<FetchReply>((resolve) => {
      timer = setTimeout(() => {
        controller.abort(new Error('timeout'));
        resolve({ ok: false, message: `fetch: no complete answer within ${this.limits.fetchTimeoutMs} ms` });
      }, this.limits.fetchTimeoutMs);
    });
    try {
      const request = this.fetchImpl(url, { ...init, signal: controller.signal }).then(
        (response) => this.checkResponse(response),
        (err: unknown): FetchReply => ({ ok: false, message: err instanceof Error ? err.message : String(err) }),
      );
      return await Promise.race([request, timeout]);
    } finally {
      clearTimeout(timer);
      op.controllers.delete(controller);
    }
  }

  /** A copy of the ScriptFetch's answer holding only the documented fields, within the size cap. */
  private checkResponse(r: ScriptFetchResponse): FetchReply {
    if (typeof r?.status !== 'number' || typeof r.body !== 'string') return { ok: false, message: 'fetch: the answer could not be read' };
    if (Buffer.byteLength(r.body, 'utf8') > this.limits.fetchMaxBytes) {
      return { ok: false, message: `fetch: the response is larger than ${this.limits.fetchMaxBytes} bytes` };
    }
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(r.headers ?? {})) if (typeof v === 'string') headers[k.toLowerCase()] = v;
    return { ok: true, response: { status: r.status, statusText: typeof r.statusText === 'string' ? r.statusText : '', headers, body: r.body } };
  }
}
