/**
 * ScriptRunner: one integration's compiled script, run in a sandbox worker (docs/integrations.md §9).
 *
 *   const runner = new ScriptRunner(compiled, { limits, fetch });
 *   const r = await runner.call('process_incoming_request', { request });
 *   if (r.ok) applyIncomingScriptResult(ctx, r.result) … else r.error.kind === 'timeout' …
 *
 * The sandbox (and with it `Store` and the `Script` instance) is made on first use and kept; after
 * a timeout, memory exhaustion or crash it is thrown away and the next call starts a fresh one.
 * Calls on one runner run one after another, never interleaved.
 */
import sjson from 'secure-json-parse';
import { resolveLimits, type SandboxLimits, type ScriptCallResult, type ScriptFetch } from './limits.js';
import { SandboxWorker } from './worker-client.js';

export interface ScriptRunnerOptions {
  limits?: Partial<SandboxLimits>;
  /** performs the script's fetch(); without it, fetch rejects */
  fetch?: ScriptFetch;
}

export class ScriptRunner {
  readonly limits: SandboxLimits;
  private readonly fetchImpl: ScriptFetch | undefined;
  private sandbox: SandboxWorker | undefined;
  private queue: Promise<unknown> = Promise.resolve();
  private disposed = false;
  private retiring = false;
  private started = 0;
  private running = 0;

  constructor(
    readonly compiled: string,
    opts: ScriptRunnerOptions = {},
  ) {
    this.limits = resolveLimits(opts.limits);
    this.fetchImpl = opts.fetch;
  }

  /** How many sandboxes this runner has started (each timeout or OOM makes the next call start one). */
  get sandboxesStarted(): number {
    return this.started;
  }

  /** Calls are queued or running. */
  get busy(): boolean {
    return this.running > 0;
  }

  /** Whether the Script instance has method `name`; false also when the script cannot be loaded (`call` says why). */
  hasMethod(name: string): Promise<boolean> {
    return this.enqueue(async () => {
      const sandbox = this.ensureSandbox();
      const has = await sandbox.has(name);
      this.dropIfDead(sandbox);
      return has;
    });
  }

  /**
   * Calls `Script#method(arg)`: `arg` goes in as a JSON copy, the method's result (awaited if a
   * promise) comes back as a JSON copy; `undefined` stays undefined. Never throws for anything the
   * script does; throws only if `arg` cannot be turned into JSON or the runner was disposed.
   */
  call(method: string, arg: unknown): Promise<ScriptCallResult> {
    let argJson: string | undefined;
    try {
      argJson = arg === undefined ? undefined : JSON.stringify(arg);
    } catch (err) {
      return Promise.reject(err instanceof Error ? err : new Error(String(err)));
    }
    return this.enqueue(async () => {
      const sandbox = this.ensureSandbox();
      const { outcome, console } = await sandbox.call(method, argJson);
      if (!outcome.ok && outcome.fatal) sandbox.terminate();
      this.dropIfDead(sandbox);
      if (!outcome.ok) return { ok: false, error: outcome.error, console };
      if (outcome.resultJson === undefined) return { ok: true, result: undefined, console };
      try {
        return { ok: true, result: sjson.parse(outcome.resultJson, { protoAction: 'remove', constructorAction: 'remove' }) as unknown, console };
      } catch {
        // The sandbox's own JSON.stringify made the text, so this takes a sandbox that is not what it
        // should be; whatever it is, it stays the script's failure and never becomes the caller's throw.
        return { ok: false, error: { kind: 'exception', message: 'the script result could not be read' }, console };
      }
    });
  }

  /** Disposes the runner once the calls already queued have finished (used on script updates). */
  retire(): void {
    this.retiring = true;
    if (this.running === 0) this.dispose();
  }

  /** Stops the sandbox; later calls reject. A call in progress ends with an error result. */
  dispose(): void {
    this.disposed = true;
    this.sandbox?.terminate();
    this.sandbox = undefined;
  }

  private enqueue<T>(fn: () => Promise<T>): Promise<T> {
    if (this.disposed) return Promise.reject(new Error('the script runner was disposed'));
    this.running++;
    const run = this.queue.then(() => {
      if (this.disposed) throw new Error('the script runner was disposed');
      return fn();
    });
    const done = () => {
      this.running--;
      if (this.retiring && this.running === 0) this.dispose();
    };
    this.queue = run.then(done, done);
    return run;
  }

  private ensureSandbox(): SandboxWorker {
    if (!this.sandbox || this.sandbox.dead) {
      this.sandbox = new SandboxWorker(this.compiled, this.limits, this.fetchImpl);
      this.started++;
    }
    return this.sandbox;
  }

  private dropIfDead(sandbox: SandboxWorker): void {
    if (sandbox.dead && this.sandbox === sandbox) this.sandbox = undefined;
  }
}
