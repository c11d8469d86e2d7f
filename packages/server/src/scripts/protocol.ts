/**
 * Messages between a ScriptRunner (server thread) and its sandbox worker. Only plain data crosses:
 * the script's argument and result travel as JSON text, errors as strings.
 */
import type { ConsoleLine, SandboxLimits, ScriptError, ScriptFetchInit, ScriptFetchResponse } from './limits.js';

/** The worker's startup data (workerData). */
export interface WorkerStart {
  compiled: string;
  limits: SandboxLimits;
}

/** How one operation in the sandbox ended. `fatal`: the sandbox must be thrown away (§9.2). */
export type EngineOutcome =
  | { ok: true; resultJson: string | undefined }
  | { ok: false; error: ScriptError; fatal: boolean };

export type FetchReply = { ok: true; response: ScriptFetchResponse } | { ok: false; message: string };

export type ToWorker =
  | { t: 'call'; id: number; method: string; argJson: string | undefined }
  | { t: 'has'; id: number; method: string }
  | { t: 'fetch-reply'; fetchId: number; reply: FetchReply };

export type FromWorker =
  /** QuickJS is up; the script's top-level evaluation starts now */
  | { t: 'ready' }
  /** the script was evaluated and `new Script()` made (or failed: then `outcome` says why) */
  | { t: 'loaded'; outcome: EngineOutcome }
  | { t: 'console'; lines: ConsoleLine[] }
  | { t: 'fetch'; fetchId: number; url: string; init: Omit<ScriptFetchInit, 'signal'> }
  /** the guest stopped running and waits for a fetch to answer */
  | { t: 'idle' }
  | { t: 'result'; id: number; outcome: EngineOutcome }
  | { t: 'has-result'; id: number; has: boolean };
