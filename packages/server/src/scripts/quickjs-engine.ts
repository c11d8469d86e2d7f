/**
 * One script in one QuickJS runtime (docs/integrations.md §9): loads the preamble, the `s` library and
 * the compiled script, makes `new Script()` once, and runs method calls under the §9.2 limits.
 * Runs inside a sandbox worker (worker-entry.ts), never in the server's thread: QuickJS only checks
 * its interrupt handler between bytecode batches, so a slow built-in in a loop can overrun a
 * deadline, and then the server thread stops the whole worker.
 *
 * Time: an interrupt handler stops guest code once the call has used `callMs` of running time
 * (summed over all the slices in which guest code runs) or its `wallMs` wall clock has passed.
 * Memory: `setMemoryLimit`. Stack: `setMaxStackSize` (a deeper overflow inside the WebAssembly
 * surfaces as a host RangeError, which is caught and makes the sandbox be discarded).
 *
 * Async: the script's method may return a promise. `fetch` hands the request to the host and returns
 * a guest promise, settled when the host's answer arrives; meanwhile the engine waits without running
 * guest code. Only strings cross between host and guest (see guest-prelude.ts).
 *
 * Intl: QuickJS has none; guest-intl.ts offers one whose formatting is done synchronously by this
 * worker's V8 Intl (intl-host.ts). Strings and numbers in, one string out, inside a guest time slice.
 */
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSContext, type QuickJSHandle, type QuickJSRuntime } from 'quickjs-emscripten';
import { GUEST_PRELUDE_SOURCE } from './guest-prelude.js';
import { GUEST_INTL_SOURCE } from './guest-intl.js';
import { UNDERSCORE_STRING_SOURCE } from './guest-underscore-string.js';
import { INTL_LIMITS, IntlHost, type IntlValue } from './intl-host.js';
import { truncateUtf8, type ConsoleLevel, type ConsoleLine, type SandboxLimits, type ScriptError, type ScriptFetchInit } from './limits.js';
import type { EngineOutcome, FetchReply } from './protocol.js';

export interface EngineHost {
  fetch(url: string, init: Omit<ScriptFetchInit, 'signal'>): Promise<FetchReply>;
  console(line: ConsoleLine): void;
  /** the guest stopped running and now waits for a fetch */
  idle(): void;
}

/** QuickJS's own stack limit; the worker's V8 stack (worker-client.ts) is far larger. */
export const GUEST_STACK_BYTES = 1024 * 1024;
/** error names, messages and stacks are cut to this many characters */
const TEXT_MAX_CHARS = 16 * 1024;
/** budget for the preamble and the `s` library: our code, not charged to the script */
const PRELUDE_MS = 2_000;
const JOB_BATCH = 64;
const LEVELS = new Set<ConsoleLevel>(['log', 'info', 'warn', 'error', 'debug']);

interface Budget {
  kind: 'eval' | 'call';
  cpuMs: number;
  cpuUsed: number;
  wallDeadline: number;
}

interface CallState {
  fetches: number;
  inflight: number;
  /** fetch answers waiting to be handed to the guest (inside a time slice) */
  settled: Array<() => void>;
  wake: () => void;
}

interface Helpers {
  describe: QuickJSHandle;
  construct: QuickJSHandle;
  hasMethod: QuickJSHandle;
  invoke: QuickJSHandle;
}

const now = () => performance.now();

const failure = (kind: ScriptError['kind'], message: string, fatal: boolean, extra: Partial<ScriptError> = {}): EngineOutcome => ({
  ok: false,
  error: { kind, message, ...extra },
  fatal,
});

export class QuickJSEngine {
  private deadline = Infinity;
  private deadlineKind: 'cpu' | 'wall' = 'cpu';
  private interrupted: 'cpu' | 'wall' | undefined;
  private budget: Budget = { kind: 'eval', cpuMs: Infinity, cpuUsed: 0, wallDeadline: Infinity };
  private call: CallState | undefined;
  private consoleUsed = 0;
  private consoleTruncated = false;
  private helpers: Helpers | undefined;
  private instance: QuickJSHandle | undefined;
  /** set once the sandbox is unusable (a host-level failure inside the WebAssembly) */
  private broken: EngineOutcome | undefined;
  private readonly intl = new IntlHost();

  private constructor(
    private readonly runtime: QuickJSRuntime,
    private readonly context: QuickJSContext,
    private readonly limits: SandboxLimits,
    private readonly host: EngineHost,
  ) {
    runtime.setInterruptHandler(() => {
      if (now() <= this.deadline) return false;
      this.interrupted ??= this.deadlineKind;
      return true;
    });
  }

  /** A fresh QuickJS (own WebAssembly instance) with the preamble loaded. */
  static async create(limits: SandboxLimits, host: EngineHost): Promise<QuickJSEngine> {
    const module = await newQuickJSWASMModule(RELEASE_SYNC);
    const runtime = module.newRuntime();
    runtime.setMemoryLimit(limits.memoryBytes);
    runtime.setMaxStackSize(GUEST_STACK_BYTES);
    const engine = new QuickJSEngine(runtime, runtime.newContext(), limits, host);
    engine.installPrelude();
    return engine;
  }

  private installPrelude(): void {
    const ctx = this.context;
    this.startBudget('eval', PRELUDE_MS, PRELUDE_MS);
    const consoleFn = ctx.newFunction('console', (level, text) => this.onConsole(level, text));
    const fetchFn = ctx.newFunction('fetch', (url, init) => this.onFetch(url, init));
    const factory = ctx.unwrapResult(this.slice(() => ctx.evalCode(GUEST_PRELUDE_SOURCE, 'prelude.js')));
    const maxChars = ctx.newNumber(this.limits.consoleMaxBytes);
    const textMax = ctx.newNumber(TEXT_MAX_CHARS);
    const helpers = ctx.unwrapResult(this.slice(() => ctx.callFunction(factory, ctx.undefined, consoleFn, fetchFn, maxChars, textMax)));
    for (const h of [factory, maxChars, textMax, consoleFn, fetchFn]) h.dispose();
    this.helpers = {
      describe: ctx.getProp(helpers, 'describe'),
      construct: ctx.getProp(helpers, 'construct'),
      hasMethod: ctx.getProp(helpers, 'hasMethod'),
      invoke: ctx.getProp(helpers, 'invoke'),
    };
    helpers.dispose();
    const intlFn = ctx.newFunction('intl', (op, key, a, b) => this.onIntl(op, key, a, b));
    const intlFactory = ctx.unwrapResult(this.slice(() => ctx.evalCode(GUEST_INTL_SOURCE, 'intl.js')));
    ctx.unwrapResult(this.slice(() => ctx.callFunction(intlFactory, ctx.undefined, intlFn))).dispose();
    intlFactory.dispose();
    intlFn.dispose();
    ctx.unwrapResult(this.slice(() => ctx.evalCode(UNDERSCORE_STRING_SOURCE, 'underscore-string.js'))).dispose();
  }

  /** Evaluates the script and makes `new Script()`, within `evalMs`. */
  load(compiled: string): EngineOutcome {
    return this.guard(() => {
      const ctx = this.context;
      this.startBudget('eval', this.limits.evalMs, this.limits.evalMs);
      this.resetConsole();
      // Parse first, so that a syntax error is told apart from an exception thrown at the top level.
      const parsed = this.slice(() => ctx.evalCode(compiled, 'script.js', { type: 'global', compileOnly: true }));
      if (parsed.error) return this.fromErrorHandle(parsed.error, 'compile');
      parsed.value.dispose();
      const evaluated = this.slice(() => ctx.evalCode(compiled, 'script.js', { type: 'global' }));
      if (evaluated.error) return this.fromErrorHandle(evaluated.error, 'exception');
      evaluated.value.dispose();
      const cls = this.slice(() => ctx.evalCode('typeof Script === "undefined" ? undefined : Script', 'loader.js'));
      if (cls.error) return this.fromErrorHandle(cls.error, 'exception');
      const made = this.slice(() => ctx.callFunction(this.helpers!.construct, ctx.undefined, cls.value));
      cls.value.dispose();
      if (made.error) return this.fromErrorHandle(made.error, 'exception');
      if (ctx.typeof(made.value) === 'object') {
        this.instance = ctx.getProp(made.value, 'instance');
        made.value.dispose();
        return { ok: true, resultJson: undefined };
      }
      const tagged = ctx.typeof(made.value) === 'string' ? ctx.getString(made.value) : 'N';
      made.value.dispose();
      if (tagged === 'N') return failure('compile', 'the script does not define a class Script', false);
      return this.fromTagged(tagged, 'exception');
    });
  }

  /** Whether the Script instance has a method `method` (false when the script is not loaded). */
  hasMethod(method: string): boolean {
    this.startBudget('call', this.limits.callMs, this.limits.callMs);
    return this.checkMethod(method);
  }

  private checkMethod(method: string): boolean {
    if (this.broken || !this.instance || !this.helpers) return false;
    const ctx = this.context;
    try {
      const name = ctx.newString(method);
      const r = this.slice(() => ctx.callFunction(this.helpers!.hasMethod, ctx.undefined, this.instance!, name));
      name.dispose();
      if (r.error) {
        r.error.dispose();
        return false;
      }
      const has = ctx.typeof(r.value) === 'boolean' && ctx.dump(r.value) === true;
      r.value.dispose();
      return has;
    } catch {
      return false;
    }
  }

  /** Calls `instance[method](JSON.parse(argJson))`, awaiting a returned promise, within the call limits. */
  async invoke(method: string, argJson: string | undefined): Promise<EngineOutcome> {
    if (this.broken) return this.broken;
    if (!this.instance) return failure('compile', 'the script is not loaded', false);
    const ctx = this.context;
    const call: CallState = { fetches: 0, inflight: 0, settled: [], wake: () => {} };
    this.startBudget('call', this.limits.callMs, this.limits.wallMs);
    this.resetConsole();
    if (!this.checkMethod(method)) {
      return this.interrupted ? this.timeout() : failure('missing-method', `the script's class Script has no method ${method}`, false);
    }
    this.call = call;
    try {
      return await this.guardAsync(async () => {
        const name = ctx.newString(method);
        const arg = argJson === undefined ? ctx.undefined : ctx.newString(argJson);
        const started = this.slice(() => ctx.callFunction(this.helpers!.invoke, ctx.undefined, this.instance!, name, arg));
        name.dispose();
        arg.dispose();
        if (started.error) return this.fromErrorHandle(started.error, 'exception');
        const promise = started.value;
        try {
          return await this.settle(promise, call);
        } finally {
          promise.dispose();
        }
      });
    } finally {
      this.call = undefined;
    }
  }

  /** Runs jobs and waits for fetches until `promise` settles or a limit is reached. */
  private async settle(promise: QuickJSHandle, call: CallState): Promise<EngineOutcome> {
    const ctx = this.context;
    for (;;) {
      const over = this.overBudget();
      if (over) return over;
      while (call.settled.length > 0) this.slice(call.settled.shift()!);
      if (this.runtime.hasPendingJob()) {
        const r = this.slice(() => this.runtime.executePendingJobs(JOB_BATCH));
        if (r.error) r.error.dispose();
        continue;
      }
      const state = ctx.getPromiseState(promise);
      if (state.type === 'fulfilled') {
        if (state.notAPromise) return failure('exception', 'the sandbox helper did not return a promise', true);
        const text = ctx.typeof(state.value) === 'string' ? ctx.getString(state.value) : undefined;
        state.value.dispose();
        if (this.interrupted) return this.timeout();
        if (text === undefined) return failure('exception', 'the script result could not be read', true);
        return this.fromTagged(text, 'exception');
      }
      if (state.type === 'rejected') {
        state.error.dispose();
        if (this.interrupted) return this.timeout();
        // describeError itself failed: almost certainly out of memory
        return failure('memory', 'the script ran out of memory', true, { name: 'InternalError' });
      }
      if (call.inflight === 0 && call.settled.length === 0) {
        return failure('timeout', 'the promise returned by the script never settles (nothing left to wait for)', false);
      }
      this.host.idle();
      const waitMs = this.budget.wallDeadline - now();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, Math.max(0, waitMs));
        call.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      call.wake = () => {};
    }
  }

  // ---- host functions -------------------------------------------------------------------------

  private onConsole(levelHandle: QuickJSHandle, textHandle: QuickJSHandle): void {
    const ctx = this.context;
    if (ctx.typeof(levelHandle) !== 'string' || ctx.typeof(textHandle) !== 'string') return;
    const level = ctx.getString(levelHandle) as ConsoleLevel;
    if (!LEVELS.has(level) || this.consoleTruncated) return;
    const max = this.limits.consoleMaxBytes;
    let text = ctx.getString(textHandle);
    const bytes = Buffer.byteLength(text, 'utf8') + 1;
    if (this.consoleUsed + bytes > max) {
      text = truncateUtf8(text, Math.max(0, max - this.consoleUsed - 1));
      this.consoleTruncated = true;
    }
    this.consoleUsed += bytes;
    const ts = Date.now();
    if (text !== '' || !this.consoleTruncated) this.host.console({ level, text, ts });
    if (this.consoleTruncated) this.host.console({ level: 'warn', text: `[console output truncated: more than ${max} bytes in one call]`, ts });
  }

  private onFetch(urlHandle: QuickJSHandle, initHandle: QuickJSHandle): QuickJSHandle {
    const ctx = this.context;
    const call = this.call;
    if (!call) throw new Error('fetch can only be used while the script handles a call, not at the top level');
    if (call.fetches >= this.limits.fetchCalls) throw new Error(`fetch: at most ${this.limits.fetchCalls} calls per script run`);
    if (ctx.typeof(urlHandle) !== 'string' || ctx.typeof(initHandle) !== 'string') throw new TypeError('fetch: bad arguments');
    const url = ctx.getString(urlHandle);
    const init = sanitizeInit(ctx.getString(initHandle));
    call.fetches++;
    call.inflight++;
    const deferred = ctx.newPromise();
    this.host.fetch(url, init).then(
      (reply) => this.onFetchReply(call, deferred, reply),
      (err: unknown) => this.onFetchReply(call, deferred, { ok: false, message: err instanceof Error ? err.message : String(err) }),
    );
    return deferred.handle;
  }

  private onFetchReply(call: CallState, deferred: ReturnType<QuickJSContext['newPromise']>, reply: FetchReply): void {
    call.inflight--;
    if (this.call !== call || this.broken) {
      deferred.dispose(); // the call is over (the script did not await it): nothing to hand over
      return;
    }
    call.settled.push(() => {
      const ctx = this.context;
      if (reply.ok) {
        const json = ctx.newString(JSON.stringify(reply.response));
        deferred.resolve(json);
        json.dispose();
      } else {
        const error = ctx.newError({ name: 'FetchError', message: reply.message });
        deferred.reject(error);
        error.dispose();
      }
    });
    call.wake();
  }

  /** Intl formatting for the guest (guest-intl.ts → intl-host.ts): primitives in, one tagged string out. */
  private onIntl(opHandle: QuickJSHandle, keyHandle: QuickJSHandle, aHandle: QuickJSHandle, bHandle: QuickJSHandle): QuickJSHandle {
    const ctx = this.context;
    const op = this.readString(opHandle, 16);
    const key = this.readString(keyHandle, INTL_LIMITS.MAX_KEY);
    if (op === undefined || key === undefined) return ctx.newString('EIntl: bad arguments');
    return ctx.newString(this.intl.call(op, key, this.readIntlValue(aHandle), this.readIntlValue(bHandle)));
  }

  /** A guest string of at most `max` characters (its length is checked before it is copied out). */
  private readString(handle: QuickJSHandle | undefined, max: number): string | undefined {
    const ctx = this.context;
    if (handle === undefined || ctx.typeof(handle) !== 'string') return undefined;
    const length = ctx.getProp(handle, 'length');
    const n = ctx.typeof(length) === 'number' ? ctx.getNumber(length) : Infinity;
    length.dispose();
    return n <= max ? ctx.getString(handle) : undefined;
  }

  private readIntlValue(handle: QuickJSHandle | undefined): IntlValue {
    if (handle === undefined) return undefined;
    if (this.context.typeof(handle) === 'number') return this.context.getNumber(handle);
    return this.readString(handle, INTL_LIMITS.MAX_DECIMAL);
  }

  // ---- time slices and limits -----------------------------------------------------------------

  private startBudget(kind: Budget['kind'], cpuMs: number, wallMs: number): void {
    this.budget = { kind, cpuMs, cpuUsed: 0, wallDeadline: now() + wallMs };
    this.interrupted = undefined;
  }

  /** Runs guest code with the interrupt deadline armed. */
  private slice<T>(fn: () => T): T {
    const start = now();
    const cpuDeadline = start + (this.budget.cpuMs - this.budget.cpuUsed);
    this.deadlineKind = cpuDeadline <= this.budget.wallDeadline ? 'cpu' : 'wall';
    this.deadline = Math.min(cpuDeadline, this.budget.wallDeadline);
    try {
      return fn();
    } finally {
      this.budget.cpuUsed += now() - start;
      this.deadline = Infinity;
    }
  }

  private overBudget(): EngineOutcome | undefined {
    if (this.interrupted) return this.timeout();
    if (this.budget.cpuUsed > this.budget.cpuMs) {
      this.interrupted = 'cpu';
      return this.timeout();
    }
    if (now() > this.budget.wallDeadline) {
      this.interrupted = 'wall';
      return this.timeout();
    }
    return undefined;
  }

  private timeout(): EngineOutcome {
    const { kind, cpuMs } = this.budget;
    const message =
      kind === 'eval'
        ? `evaluating the script took longer than ${this.limits.evalMs} ms`
        : this.interrupted === 'wall'
          ? `the script did not finish within ${this.limits.wallMs} ms`
          : `the script ran for longer than ${cpuMs} ms`;
    return failure('timeout', message, true, { name: 'InternalError' });
  }

  private resetConsole(): void {
    this.consoleUsed = 0;
    this.consoleTruncated = false;
  }

  // ---- errors ---------------------------------------------------------------------------------

  /** Describes a guest error value (inside the guest, under the current deadline) and disposes it. */
  private fromErrorHandle(handle: QuickJSHandle, kind: ScriptError['kind']): EngineOutcome {
    const ctx = this.context;
    try {
      if (this.interrupted) return this.timeout();
      const described = this.slice(() => ctx.callFunction(this.helpers!.describe, ctx.undefined, handle));
      if (described.error) {
        described.error.dispose();
        return this.interrupted ? this.timeout() : failure('memory', 'the script ran out of memory', true, { name: 'InternalError' });
      }
      const text = ctx.typeof(described.value) === 'string' ? ctx.getString(described.value) : 'E{}';
      described.value.dispose();
      return this.interrupted ? this.timeout() : this.fromTagged(text, kind);
    } finally {
      handle.dispose();
    }
  }

  /** Decodes a helper's tagged string ("U", "J…", "E…"). */
  private fromTagged(text: string, kind: ScriptError['kind']): EngineOutcome {
    if (text === 'U') return { ok: true, resultJson: undefined };
    if (text.startsWith('J')) return { ok: true, resultJson: text.slice(1) };
    let d: { name?: unknown; message?: unknown; stack?: unknown } = {};
    try {
      d = JSON.parse(text.slice(1)) as typeof d;
    } catch {
      // keep the defaults
    }
    const name = typeof d.name === 'string' ? d.name : 'Error';
    const message = typeof d.message === 'string' ? d.message : '';
    const frames = typeof d.stack === 'string' ? d.stack : '';
    const stack = `${name}: ${message}${frames ? `\n${frames.replace(/\n$/, '')}` : ''}`;
    if (name === 'InternalError' && message === 'out of memory') return failure('memory', 'the script ran out of memory', true, { name, stack });
    return failure(kind, message, false, { name, stack });
  }

  /** Host-level failures inside the WebAssembly (V8 stack overflow, a trap) break the sandbox for good. */
  private guard(fn: () => EngineOutcome): EngineOutcome {
    if (this.broken) return this.broken;
    try {
      return fn();
    } catch (err) {
      return this.breakDown(err);
    }
  }

  private async guardAsync(fn: () => Promise<EngineOutcome>): Promise<EngineOutcome> {
    if (this.broken) return this.broken;
    try {
      return await fn();
    } catch (err) {
      return this.breakDown(err);
    }
  }

  private breakDown(err: unknown): EngineOutcome {
    const overflow = err instanceof RangeError && /call stack/i.test(err.message);
    this.broken = overflow
      ? failure('exception', 'stack overflow', true, { name: 'InternalError', stack: 'InternalError: stack overflow' })
      : this.interrupted
        ? this.timeout()
        : failure('exception', `the sandbox failed: ${err instanceof Error ? err.message : String(err)}`, true);
    return this.broken;
  }
}

/** The fetch init the preamble built, re-validated field by field. */
function sanitizeInit(json: string): Omit<ScriptFetchInit, 'signal'> {
  let raw: Record<string, unknown>;
  try {
    raw = JSON.parse(json) as Record<string, unknown>;
  } catch {
    throw new TypeError('fetch: bad options');
  }
  const init: Omit<ScriptFetchInit, 'signal'> = {};
  if (typeof raw.method === 'string') init.method = raw.method;
  if (typeof raw.body === 'string') init.body = raw.body;
  if (raw.allowSelfSignedCertificate === true) init.allowSelfSignedCertificate = true;
  if (raw.headers !== null && typeof raw.headers === 'object') {
    const headers: Record<string, string> = Object.create(null) as Record<string, string>;
    for (const [k, v] of Object.entries(raw.headers as Record<string, unknown>)) if (typeof v === 'string') headers[k] = v;
    init.headers = headers;
  }
  return init;
}
