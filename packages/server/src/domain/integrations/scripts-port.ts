/**
 * What the integrations core needs of the script sandbox (docs/integrations.md §9), as a port: the core
 * decides when a script compiles and runs; the sandbox (scripts/) does it in QuickJS workers.
 */
import type { ScriptsSetting } from './incoming-script-result.js';
import type { IntegrationDoc, ScriptErrorInfo } from './document.js';

export type ConsoleLevel = 'log' | 'info' | 'warn' | 'error' | 'debug';
export interface ScriptConsoleLine {
  level: ConsoleLevel;
  text: string;
  ts: number;
}

export type ScriptRun =
  | { ok: true; result: unknown; console: ScriptConsoleLine[] }
  | {
      ok: false;
      error: { kind: 'timeout' | 'memory' | 'exception' | 'compile' | 'missing-method'; name?: string; message: string; stack?: string };
      console: ScriptConsoleLine[];
    };

export interface IntegrationScripts {
  /** §9.4 server setting `integrations.scripts` */
  readonly setting: ScriptsSetting;
  /** Parses (and, unless `skipTranspile`, transpiles) a script; nothing of it runs. */
  compile(source: string, opts: { skipTranspile: boolean }): Promise<{ ok: true; compiled: string } | { ok: false; error: ScriptErrorInfo }>;
  /** Whether the integration's `Script` has `method` (false also when it cannot be loaded). */
  hasMethod(integration: IntegrationDoc, method: string): Promise<boolean>;
  /** Calls `Script#method(arg)` in the integration's sandbox (made on first use, kept until the script changes). */
  call(integration: IntegrationDoc, method: string, arg: unknown): Promise<ScriptRun>;
  /** Drops the integration's sandbox (removed, or its script changed). */
  forget(integrationId: string): void;
}
