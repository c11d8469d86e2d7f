/**
 * The script sandbox for Rocket.Chat-compatible integration scripts (docs/integrations.md §7.7, §8.8, §9).
 *
 * Scripts run in QuickJS (WebAssembly), one sandbox per integration, each in its own worker thread,
 * so that nothing of the server's realm is reachable and a runaway script can always be stopped.
 *
 * Incoming webhook, in short:
 *
 *   const compiled = await compileScript(integration.script);        // on create/update; store it
 *   const runner = cache.get(integration._id, compiledText, String(integration._updatedAt));
 *   const r = await runner.call('process_incoming_request', { request });
 *   if (!r.ok) → 400 error-running-script (record r.error, r.console)
 *   else applyIncomingScriptResult(ctx, r.result)   // domain/integrations/incoming-script-result.ts
 *
 * What a script's result means is the core's (domain/integrations: incoming-script-result.ts,
 * outgoing-request.ts, outgoing-reply.ts); this module only runs scripts and copies values out.
 */
export { DEFAULT_SANDBOX_LIMITS, resolveLimits } from './limits.js';
export type { ConsoleLevel, ConsoleLine, SandboxLimits, ScriptCallResult, ScriptError, ScriptErrorKind, ScriptFetch, ScriptFetchInit, ScriptFetchResponse } from './limits.js';
export { compileScript } from './compile.js';
export type { CompileOptions, CompileResult, ScriptCompileError } from './compile.js';
export { transpileClasses } from './transpile-classes.js';
export { ScriptRunner } from './runner.js';
export type { ScriptRunnerOptions } from './runner.js';
export { ScriptCache } from './cache.js';
export type { ScriptCacheOptions } from './cache.js';
export { guardedScriptFetch } from './fetch.js';
export type { GuardedScriptFetch, GuardedScriptFetchOptions } from './fetch.js';
