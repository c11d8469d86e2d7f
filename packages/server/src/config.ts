import { dirname, resolve } from 'node:path';
import { loadOutboundPolicy, type OutboundPolicy } from './delivery/outbound-policy.js';
import { PUBLISHED_APP_LIMITS, type AppRateLimits } from './http/v1/app-limits.js';
import type { ScriptsSetting } from './core/integrations/incoming-script-result.js';
import type { SandboxLimits } from './scripts/limits.js';

/** Every setting comes from the environment; this is the one place that reads it. */
export interface Config {
  port: number;
  host: string;
  databaseUrl: string;
  redisUrl: string | undefined;
  /** the base URL clients use, when the operator set one (behind a proxy, say) */
  publicUrl: string | undefined;
  bodyLimitBytes: number;
  logLevel: string;
  /** the `/v1` limits for apps; the published ones unless a test or an operator changes them */
  appRateLimits: AppRateLimits;
  /** api-keys-addon.md §7: requests per minute per key owner (all their keys together) */
  apiKeyRequestsPerMinute: number;
  /** the SSRF guard's settings for every outbound connection (delivery.md §9) */
  outbound: OutboundPolicy;
  /** how long SIGTERM waits for requests in flight before cutting their connections */
  shutdownTimeoutMs: number;
  /** base64 of 32 bytes; else a key file in dataDir */
  secretKey: string | undefined;
  /** where generated files live (the server key); defaults to the SQLite file's folder, else ./data */
  dataDir: string;
  admin: { email?: string; password?: string; workspaceName?: string };
  /** integrations.md §7–§9 */
  integrations: IntegrationSettings;
}

export interface IntegrationSettings {
  /** §9.4 `integrations.scripts`: enabled, frozen (no new scripts) or disabled (scripts never run) */
  scripts: ScriptsSetting;
  /** §7.2/§11: per-hook and per-IP limits of incoming webhooks; tests turn them off */
  hookRateLimits: boolean;
  /** §8.9: history records older than this are deleted (days) */
  historyRetentionDays: number;
  /** §9.2: the sandbox limits, when an operator changes them */
  sandboxLimits: Partial<SandboxLimits>;
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new Error(`${name} must be a whole number (got "${value}")`);
  return n;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int('PORT', env.PORT, 3000);
  const host = env.HOST || '127.0.0.1';
  return {
    port,
    host,
    databaseUrl: env.DATABASE_URL || 'sqlite:./data/switchboard.db',
    redisUrl: env.REDIS_URL || undefined,
    publicUrl: env.PUBLIC_URL ? env.PUBLIC_URL.replace(/\/$/, '') : undefined,
    bodyLimitBytes: int('BODY_LIMIT_BYTES', env.BODY_LIMIT_BYTES, 1024 * 1024),
    logLevel: env.LOG_LEVEL || 'info',
    outbound: loadOutboundPolicy(env),
    appRateLimits: PUBLISHED_APP_LIMITS,
    apiKeyRequestsPerMinute: int('API_KEY_REQUESTS_PER_MINUTE', env.API_KEY_REQUESTS_PER_MINUTE, 1000),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', env.SHUTDOWN_TIMEOUT_MS, 10_000),
    secretKey: env.SWITCHBOARD_SECRET_KEY || undefined,
    dataDir: env.SWITCHBOARD_DATA_DIR || defaultDataDir(env.DATABASE_URL || 'sqlite:./data/switchboard.db'),
    integrations: {
      scripts: scriptsSetting(env.INTEGRATION_SCRIPTS),
      hookRateLimits: env.HOOK_RATE_LIMITS !== 'off',
      historyRetentionDays: int('INTEGRATION_HISTORY_RETENTION_DAYS', env.INTEGRATION_HISTORY_RETENTION_DAYS, 30),
      sandboxLimits: {
        ...(env.SCRIPT_MEMORY_MB && { memoryBytes: int('SCRIPT_MEMORY_MB', env.SCRIPT_MEMORY_MB, 32) * 1024 * 1024 }),
        ...(env.SCRIPT_CALL_MS && { callMs: int('SCRIPT_CALL_MS', env.SCRIPT_CALL_MS, 3000) }),
      },
    },
    admin: {
      ...(env.SWITCHBOARD_ADMIN_EMAIL && { email: env.SWITCHBOARD_ADMIN_EMAIL }),
      ...(env.SWITCHBOARD_ADMIN_PASSWORD && { password: env.SWITCHBOARD_ADMIN_PASSWORD }),
      ...(env.SWITCHBOARD_WORKSPACE && { workspaceName: env.SWITCHBOARD_WORKSPACE }),
    },
  };
}

function scriptsSetting(value: string | undefined): ScriptsSetting {
  if (value === undefined || value === '') return 'enabled';
  if (value === 'enabled' || value === 'frozen' || value === 'disabled') return value;
  throw new Error(`INTEGRATION_SCRIPTS must be enabled, frozen or disabled (got "${value}")`);
}

function defaultDataDir(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path && path !== ':memory:') return dirname(resolve(path));
  }
  return resolve('data');
}
