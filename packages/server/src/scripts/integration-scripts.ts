/**
 * The sandbox behind the integrations core's IntegrationScripts port: compileScript on save, and
 * one ScriptRunner per integration (ScriptCache), versioned by `_updatedAt` so that an edit resets
 * the `Script` instance and its `Store` (§7.7, §9.3). Scripts' fetch goes through the SSRF guard.
 */
import type { IntegrationDoc } from '../domain/integrations/document.js';
import type { ScriptsSetting } from '../domain/integrations/incoming-script-result.js';
import type { IntegrationScripts, ScriptRun } from '../domain/integrations/scripts-port.js';
import type { OutboundPolicy } from '../domain/outbound-policy.js';
import { ScriptCache } from './cache.js';
import { compileScript } from './compile.js';
import { guardedScriptFetch, type GuardedScriptFetch } from './fetch.js';
import type { SandboxLimits } from './limits.js';

export interface SandboxedScriptsOptions {
  setting?: ScriptsSetting;
  policy: OutboundPolicy;
  limits?: Partial<SandboxLimits>;
  maxRunners?: number;
}

export class SandboxedIntegrationScripts implements IntegrationScripts {
  readonly setting: ScriptsSetting;
  private readonly fetch: GuardedScriptFetch;
  private readonly cache: ScriptCache;

  constructor(opts: SandboxedScriptsOptions) {
    this.setting = opts.setting ?? 'enabled';
    this.fetch = guardedScriptFetch({ policy: opts.policy });
    this.cache = new ScriptCache({ fetch: this.fetch, ...(opts.limits && { limits: opts.limits }), ...(opts.maxRunners !== undefined && { maxRunners: opts.maxRunners }) });
  }

  async compile(source: string, opts: { skipTranspile: boolean }) {
    return compileScript(source, { skipTranspile: opts.skipTranspile });
  }

  private runner(integration: IntegrationDoc) {
    if (!integration.scriptCompiled) throw new Error(`integration ${integration._id} has no compiled script`);
    return this.cache.get(integration._id, integration.scriptCompiled, integration._updatedAt);
  }

  async hasMethod(integration: IntegrationDoc, method: string): Promise<boolean> {
    if (!integration.scriptCompiled) return false;
    return this.runner(integration).hasMethod(method);
  }

  async call(integration: IntegrationDoc, method: string, arg: unknown): Promise<ScriptRun> {
    return this.runner(integration).call(method, arg);
  }

  forget(integrationId: string): void {
    this.cache.delete(integrationId);
  }

  /** Ends every sandbox and the fetch agents (server shutdown). */
  async close(): Promise<void> {
    this.cache.clear();
    await this.fetch.close();
  }
}
