/** What the sandbox test files share: runners with small limits (disposed after the file), result checks. */
import { after } from 'node:test';
import assert from 'node:assert/strict';
import { compileScript, ScriptRunner, type SandboxLimits, type ScriptCallResult, type ScriptFetch } from '../../src/scripts/index.js';

/** Small limits keep the files fast. Tests assert how a call ended (a timeout, say), never how long it took. */
export const FAST: Partial<SandboxLimits> = { evalMs: 1000, callMs: 200, wallMs: 1500 };

const runners: ScriptRunner[] = [];
after(() => runners.forEach((r) => r.dispose()));

/** A runner of `source`, compiled as on save; disposed when the file's tests end. */
export async function runner(source: string, opts: { limits?: Partial<SandboxLimits>; fetch?: ScriptFetch; skipTranspile?: boolean } = {}): Promise<ScriptRunner> {
  const compiled = await compileScript(source, { skipTranspile: opts.skipTranspile ?? false });
  if (!compiled.ok) throw new Error(`does not compile: ${compiled.error.stack}`);
  const r = new ScriptRunner(compiled.compiled, { limits: { ...FAST, ...opts.limits }, ...(opts.fetch && { fetch: opts.fetch }) });
  runners.push(r);
  return r;
}

export function ok(r: ScriptCallResult): unknown {
  if (!r.ok) assert.fail(`expected success, got ${JSON.stringify(r.error)}`);
  return r.result;
}

export function failed(r: ScriptCallResult, kind: string): { name?: string; message: string; stack?: string } {
  if (r.ok) assert.fail(`expected a ${kind} error, got ${JSON.stringify(r.result)}`);
  assert.equal(r.error.kind, kind, JSON.stringify(r.error));
  return r.error;
}

/** Wall time of `fn` in ms. */
export async function timed<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const t = performance.now();
  const v = await fn();
  return [v, performance.now() - t];
}
