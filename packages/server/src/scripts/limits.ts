/**
 * The script sandbox's limits (docs/integrations.md §9.2) and the small types shared by the host side
 * (ScriptRunner, in the server's thread) and the guest side (the sandbox worker).
 */

export interface SandboxLimits {
  /** top-level evaluation of the script plus `new Script()`, once per sandbox (ms) */
  evalMs: number;
  /** per method call: time the guest spends running (CPU/synchronous), summed over the call (ms) */
  callMs: number;
  /** per method call: wall-clock time including awaited fetches (ms) */
  wallMs: number;
  /** QuickJS heap limit of the sandbox (bytes) */
  memoryBytes: number;
  /** fetch() calls allowed per method call */
  fetchCalls: number;
  /** each fetch, connect to last byte (ms) */
  fetchTimeoutMs: number;
  /** each fetch's response body; a longer answer makes fetch reject */
  fetchMaxBytes: number;
  /** console output kept per call, in UTF-8 bytes; the rest is replaced by one marker line */
  consoleMaxBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  evalMs: 3_000,
  callMs: 3_000,
  wallMs: 15_000,
  memoryBytes: 32 * 1024 * 1024,
  fetchCalls: 10,
  fetchTimeoutMs: 10_000,
  fetchMaxBytes: 10 * 1024 * 1024,
  consoleMaxBytes: 64 * 1024,
});

/** The defaults overlaid with `partial`; throws on a value that is not a positive finite number. */
export function resolveLimits(partial: Partial<SandboxLimits> = {}): SandboxLimits {
  const limits: SandboxLimits = { ...DEFAULT_SANDBOX_LIMITS };
  for (const key of Object.keys(DEFAULT_SANDBOX_LIMITS) as Array<keyof SandboxLimits>) {
    const value = partial[key];
    if (value === undefined) continue;
    if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) throw new Error(`sandbox limit ${key} must be a positive number`);
    limits[key] = value;
  }
  // Below this QuickJS cannot even hold the preamble; a misconfiguration, not a limit.
  if (limits.memoryBytes < 4 * 1024 * 1024) throw new Error('sandbox limit memoryBytes must be at least 4 MiB');
  return limits;
}

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';

/** One console line of a script; `ts` is the epoch ms at which it was written. */
export interface ConsoleLine {
  level: ConsoleLevel;
  text: string;
  ts: number;
}

export type ScriptErrorKind = 'timeout' | 'memory' | 'exception' | 'compile' | 'missing-method';

export interface ScriptError {
  kind: ScriptErrorKind;
  /** the guest error's name (`ReferenceError`, `InternalError`, …) when there was one */
  name?: string;
  message: string;
  /** `name: message` followed by the guest's stack frames (script.js:line:column) */
  stack?: string;
}

export type ScriptCallResult =
  | { ok: true; result: unknown; console: ConsoleLine[] }
  | { ok: false; error: ScriptError; console: ConsoleLine[] };

/** What a script's fetch() hands to the host. */
export interface ScriptFetchInit {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** the script passed `true` as fetch's third argument; the policy still has the last word */
  allowSelfSignedCertificate?: boolean;
  /** aborted when the fetch times out or the call it belongs to ends */
  signal?: AbortSignal;
}

export interface ScriptFetchResponse {
  status: number;
  statusText: string;
  /** lower-case names; repeated headers joined with ", " */
  headers: Record<string, string>;
  body: string;
}

/**
 * Performs a script's fetch on the host. Rejecting (with an Error) makes the script's fetch
 * reject with that error's message, so messages must be fit for the script author to read.
 */
export type ScriptFetch = (url: string, init: ScriptFetchInit) => Promise<ScriptFetchResponse>;

/** Truncates `text` to at most `maxBytes` UTF-8 bytes without splitting a character. */
export function truncateUtf8(text: string, maxBytes: number): string {
  if (text.length <= maxBytes / 3 || Buffer.byteLength(text, 'utf8') <= maxBytes) return text;
  const bytes = Buffer.from(text, 'utf8');
  let end = Math.max(0, Math.floor(maxBytes));
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
