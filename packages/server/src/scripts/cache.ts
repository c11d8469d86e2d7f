/**
 * ScriptCache: one ScriptRunner per integration, kept while the script is unchanged (§7.7: `Script`
 * is instantiated once and reused until the script changes; §9.3: `Store` lives per integration,
 * per process, and is lost on edit).
 *
 *   const runner = cache.get(integration._id, integration.scriptCompiled, integration._updatedAt);
 *   cache.delete(integration._id);   // on removal, or when scripts get disabled
 *
 * Each runner holds a worker thread (~10 MB) once used, so the cache keeps at most `maxRunners`,
 * dropping the least recently used idle one beyond that (its Store is lost, as on a restart).
 */
import type { SandboxLimits, ScriptFetch } from './limits.js';
import { ScriptRunner } from './runner.js';

export interface ScriptCacheOptions {
  limits?: Partial<SandboxLimits>;
  fetch?: ScriptFetch;
  /** default 100 */
  maxRunners?: number;
}

interface Entry {
  version: string | undefined;
  compiled: string;
  runner: ScriptRunner;
}

export class ScriptCache {
  private readonly entries = new Map<string, Entry>();
  private readonly maxRunners: number;

  constructor(private readonly opts: ScriptCacheOptions = {}) {
    this.maxRunners = opts.maxRunners ?? 100;
  }

  /**
   * The runner for `integrationId`, made if missing or if `compiled` or `version` changed (the old
   * one is retired: calls already running finish, then it is disposed). Pass as `version` something
   * that changes on every edit (e.g. `_updatedAt`) so that an edit resets `Store` even when the
   * script text stays the same.
   */
  get(integrationId: string, compiled: string, version?: string): ScriptRunner {
    const existing = this.entries.get(integrationId);
    if (existing && existing.version === version && existing.compiled === compiled) {
      this.entries.delete(integrationId); // re-insert: most recently used last
      this.entries.set(integrationId, existing);
      return existing.runner;
    }
    existing?.runner.retire(); // calls already running on the old script finish first
    const runner = new ScriptRunner(compiled, { ...(this.opts.limits && { limits: this.opts.limits }), ...(this.opts.fetch && { fetch: this.opts.fetch }) });
    this.entries.delete(integrationId);
    this.entries.set(integrationId, { version, compiled, runner });
    this.evict(integrationId);
    return runner;
  }

  /** Retires the integration's runner, if any (integration removed, script disabled). */
  delete(integrationId: string): void {
    this.entries.get(integrationId)?.runner.retire();
    this.entries.delete(integrationId);
  }

  /** Disposes every runner (server shutdown). */
  clear(): void {
    for (const { runner } of this.entries.values()) runner.dispose();
    this.entries.clear();
  }

  get size(): number {
    return this.entries.size;
  }

  private evict(keep: string): void {
    if (this.entries.size <= this.maxRunners) return;
    for (const [id, entry] of this.entries) {
      if (this.entries.size <= this.maxRunners) return;
      if (id === keep || entry.runner.busy) continue;
      entry.runner.dispose();
      this.entries.delete(id);
    }
  }
}
