/**
 * compileScript (docs/integrations.md §9.4): on create/update, turn the stored script into the form the
 * sandbox runs — class syntax rewritten so method bodies run sloppy, unless `skipTranspile` — and
 * check that it parses. Parsing only: nothing of the script runs here.
 *
 * The parse check uses QuickJS in the server thread (parsing has no loops a script could exploit);
 * a parser recursion deep enough to overflow the host stack is caught and reported as an error,
 * and the WebAssembly instance it happened in is replaced.
 */
import { newQuickJSWASMModule, RELEASE_SYNC, type QuickJSWASMModule } from 'quickjs-emscripten';
import { transpileClasses } from './transpile-classes.js';

export interface ScriptCompileError {
  name: string;
  message: string;
  stack: string;
}

export type CompileResult = { ok: true; compiled: string } | { ok: false; error: ScriptCompileError };

export interface CompileOptions {
  /** run the class syntax natively (strict class bodies), for new scripts (§9.4) */
  skipTranspile?: boolean;
}

const PARSE_MEMORY_BYTES = 64 * 1024 * 1024;
// Small: the server thread's own stack is ~1 MB and already partly used by the caller.
const PARSE_STACK_BYTES = 192 * 1024;

let parserModule: Promise<QuickJSWASMModule> | undefined;

/** The compiled form of `source`, or the syntax error {name, message, stack} to store as scriptError. */
export async function compileScript(source: string, opts: CompileOptions = {}): Promise<CompileResult> {
  if (opts.skipTranspile) {
    const error = await parseError(source);
    return error ? { ok: false, error } : { ok: true, compiled: source };
  }
  const transpiled = transpileClasses(source);
  const error = await parseError(transpiled);
  if (!error) return { ok: true, compiled: transpiled };
  if (transpiled === source) return { ok: false, error };
  // Report errors against the original text; should only the rewrite fail to parse (a transpiler
  // gap), run the original natively rather than refuse a valid script.
  const original = await parseError(source);
  return original ? { ok: false, error: original } : { ok: true, compiled: source };
}

/** The syntax error of `code` as global (script) code, or undefined if it parses. */
async function parseError(code: string): Promise<ScriptCompileError | undefined> {
  parserModule ??= newQuickJSWASMModule(RELEASE_SYNC);
  const module = await parserModule;
  let runtime;
  let context;
  try {
    runtime = module.newRuntime();
    runtime.setMemoryLimit(PARSE_MEMORY_BYTES);
    runtime.setMaxStackSize(PARSE_STACK_BYTES);
    context = runtime.newContext();
    const result = context.evalCode(code, 'script.js', { type: 'global', compileOnly: true });
    if (!result.error) {
      result.value.dispose();
      return undefined;
    }
    // A fresh context in which no script code ran: reading the error's properties runs nothing.
    const err = result.error;
    const read = (key: string) => {
      const h = context!.getProp(err, key);
      const v = context!.typeof(h) === 'string' ? context!.getString(h) : undefined;
      h.dispose();
      return v;
    };
    const name = read('name') ?? 'SyntaxError';
    const message = read('message') ?? 'the script could not be parsed';
    const frames = read('stack') ?? '';
    err.dispose();
    return { name, message, stack: `${name}: ${message}${frames ? `\n${frames.replace(/\n$/, '')}` : ''}` };
  } catch (err) {
    // A host-level failure inside the WebAssembly (typically a V8 stack overflow on deeply nested
    // source) leaves that instance unusable: make a new one next time.
    parserModule = undefined;
    runtime = undefined;
    context = undefined;
    const overflow = err instanceof RangeError;
    return {
      name: 'SyntaxError',
      message: overflow ? 'the script is nested too deeply to be parsed' : `the script could not be parsed: ${String(err)}`,
      stack: '',
    };
  } finally {
    context?.dispose();
    runtime?.dispose();
  }
}
