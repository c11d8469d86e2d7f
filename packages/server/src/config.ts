import { dirname, resolve } from 'node:path';
import { ConfigError } from './domain/config-error.js';
import { OUTBOUND_ENV, outboundPolicy, type OutboundPolicy, type OutboundPolicyInput } from './domain/outbound-policy.js';
import { PUBLISHED_APP_LIMITS, type AppRateLimits } from './surfaces/pumble/v1/app-limits.js';
import type { ScriptsSetting } from './domain/integrations/incoming-script-result.js';
import type { SandboxLimits } from './scripts/limits.js';
import type { SmtpSettings } from './outbound/mailer.js';
import type { S3Settings } from './files-storage/s3.js';

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
  /** docs/api-keys.md §7: requests per minute per key owner (all their keys together) */
  apiKeyRequestsPerMinute: number;
  /** docs/api-keys.md §5.1: a host name on which the API addon is served at `/` (API_KEYS_HOST) */
  apiKeysHost: string | undefined;
  /** the SSRF guard's settings for every outbound connection (docs/delivery.md §9) */
  outbound: OutboundPolicy;
  /** how long SIGTERM waits for requests in flight before cutting their connections */
  shutdownTimeoutMs: number;
  /** this node's name, stable across restarts (default: the host name); names its delivery leases */
  nodeId: string | undefined;
  /** server processes on this machine (WORKERS, default 1: one process, no primary; docs/operations.md §8.2 says why not the core count yet) */
  workers: number;
  /** deadlines that keep slow clients from holding connections */
  http: HttpTimeouts;
  /** base64 of 32 bytes; else a key file in dataDir */
  secretKey: string | undefined;
  /** where generated files live (the server key); defaults to the SQLite file's folder, else ./data */
  dataDir: string;
  admin: { email?: string; password?: string; workspaceName?: string };
  /** docs/integrations.md §7–§9 */
  integrations: IntegrationSettings;
  /** where mail (the tooling login's codes) goes; unset: to the log */
  smtp: SmtpSettings | undefined;
  /** uploads: the size limit and where files are stored (docs/operations.md) */
  files: FileSettings;
  /**
   * the web client's build to serve; unset: packages/web/dist. Not read from the environment: tests
   * point it at a copy they rebuild under a running server.
   */
  webDist?: string;
}

/** FILE_MAX_BYTES, FILES_STORAGE and FILES_S3_* (docs/operations.md). */
export interface FileSettings {
  /** the largest file accepted, in bytes (FILE_MAX_BYTES, default 100 MB) */
  maxBytes: number;
  /** `disk` (under the data directory, or FILES_DIR) or `s3` (an S3-compatible store, for several nodes) */
  storage: 'disk' | 's3';
  /** the disk storage's folder (FILES_DIR); unset: `files` in the data directory */
  dir: string | undefined;
  s3: S3Settings | undefined;
}

export interface HttpTimeouts {
  /** the request line and headers must arrive within this (Node checks every second) */
  headersTimeoutMs: number;
  /** the whole request, body included */
  requestTimeoutMs: number;
  /** an idle keep-alive connection is closed after this */
  keepAliveTimeoutMs: number;
  /** a socket with no traffic at all for this long is closed */
  idleSocketTimeoutMs: number;
}

export interface IntegrationSettings {
  /** docs/integrations.md §9.4 `integrations.scripts`: enabled, frozen (no new scripts) or disabled (scripts never run) */
  scripts: ScriptsSetting;
  /** docs/integrations.md §7.2/docs/integrations.md §11: per-hook and per-IP limits of incoming webhooks; tests turn them off */
  hookRateLimits: boolean;
  /** docs/integrations.md §8.9: history records older than this are deleted (days) */
  historyRetentionDays: number;
  /** docs/integrations.md §9.2: the sandbox limits, when an operator changes them */
  sandboxLimits: Partial<SandboxLimits>;
}

function int(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0) throw new ConfigError(`${name} must be a whole number (got "${value}")`);
  return n;
}

function workerCount(value: string | undefined): number {
  const n = int('WORKERS', value, 1);
  if (n < 1) throw new ConfigError(`WORKERS must be at least 1 (got "${value}")`);
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
    logLevel: logLevel(env.LOG_LEVEL),
    outbound: loadOutboundPolicy(env),
    appRateLimits: PUBLISHED_APP_LIMITS,
    apiKeyRequestsPerMinute: int('API_KEY_REQUESTS_PER_MINUTE', env.API_KEY_REQUESTS_PER_MINUTE, 1000),
    apiKeysHost: hostName('API_KEYS_HOST', env.API_KEYS_HOST),
    shutdownTimeoutMs: int('SHUTDOWN_TIMEOUT_MS', env.SHUTDOWN_TIMEOUT_MS, 10_000),
    nodeId: env.SWITCHBOARD_NODE_ID || undefined,
    workers: workerCount(env.WORKERS),
    http: {
      headersTimeoutMs: int('HEADERS_TIMEOUT_MS', env.HEADERS_TIMEOUT_MS, 10_000),
      requestTimeoutMs: int('REQUEST_TIMEOUT_MS', env.REQUEST_TIMEOUT_MS, 300_000),
      keepAliveTimeoutMs: int('KEEP_ALIVE_TIMEOUT_MS', env.KEEP_ALIVE_TIMEOUT_MS, 5_000),
      idleSocketTimeoutMs: int('IDLE_SOCKET_TIMEOUT_MS', env.IDLE_SOCKET_TIMEOUT_MS, 60_000),
    },
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
    smtp: smtpSettings(env),
    files: fileSettings(env),
    admin: {
      ...(env.SWITCHBOARD_ADMIN_EMAIL && { email: env.SWITCHBOARD_ADMIN_EMAIL }),
      ...(env.SWITCHBOARD_ADMIN_PASSWORD && { password: env.SWITCHBOARD_ADMIN_PASSWORD }),
      ...(env.SWITCHBOARD_WORKSPACE && { workspaceName: env.SWITCHBOARD_WORKSPACE }),
    },
  };
}

/** A bare host name (no scheme, port or path), lower-cased. */
function hostName(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const host = value.trim().toLowerCase().replace(/\.$/, '');
  if (!/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(host)) {
    throw new ConfigError(`${name} must be a host name such as api.example.com, without scheme, port or path (got "${value}")`);
  }
  return host;
}

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

function logLevel(value: string | undefined): string {
  if (value === undefined || value === '') return 'info';
  if (LOG_LEVELS.includes(value)) return value;
  throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${value}")`);
}

function smtpSettings(env: NodeJS.ProcessEnv): SmtpSettings | undefined {
  const url = env.SMTP_URL;
  if (!url) {
    if (env.SMTP_FROM) throw new ConfigError('SMTP_FROM is set but SMTP_URL is not: set SMTP_URL (smtp://user:pass@host:587) too');
    return undefined;
  }
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ConfigError('SMTP_URL must be a URL such as smtp://user:pass@host:587 or smtps://user:pass@host:465');
  }
  if ((parsed.protocol !== 'smtp:' && parsed.protocol !== 'smtps:') || !parsed.hostname) {
    throw new ConfigError(`SMTP_URL must be smtp://… or smtps://… with a host (got scheme "${parsed.protocol}")`);
  }
  let host = 'localhost';
  try {
    if (env.PUBLIC_URL) host = new URL(env.PUBLIC_URL).hostname || host;
  } catch {
    /* PUBLIC_URL's own problems are not SMTP's */
  }
  return { url, from: env.SMTP_FROM || `Switchboard <switchboard@${host}>` };
}

function fileSettings(env: NodeJS.ProcessEnv): FileSettings {
  const storage = env.FILES_STORAGE || (env.FILES_S3_BUCKET ? 's3' : 'disk');
  if (storage !== 'disk' && storage !== 's3') throw new ConfigError(`FILES_STORAGE must be disk or s3 (got "${storage}")`);
  const maxBytes = int('FILE_MAX_BYTES', env.FILE_MAX_BYTES, 100 * 1024 * 1024);
  if (maxBytes < 1) throw new ConfigError('FILE_MAX_BYTES must be at least 1');
  let s3: S3Settings | undefined;
  if (storage === 's3') {
    const missing = ['FILES_S3_BUCKET', 'FILES_S3_ACCESS_KEY', 'FILES_S3_SECRET_KEY'].filter((name) => !env[name]);
    if (missing.length > 0) throw new ConfigError(`FILES_STORAGE is s3 but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not set`);
    const endpoint = env.FILES_S3_ENDPOINT || undefined;
    if (endpoint !== undefined && !/^https?:\/\/[^/]+/.test(endpoint)) throw new ConfigError(`FILES_S3_ENDPOINT must be a URL such as http://minio:9000 (got "${endpoint}")`);
    const pathStyle = (env.FILES_S3_FORCE_PATH_STYLE ?? '').trim().toLowerCase();
    if (pathStyle !== '' && !['true', 'false', '1', '0', 'yes', 'no'].includes(pathStyle)) {
      throw new ConfigError(`FILES_S3_FORCE_PATH_STYLE must be true or false (got "${env.FILES_S3_FORCE_PATH_STYLE}")`);
    }
    s3 = {
      ...(endpoint && { endpoint }),
      region: env.FILES_S3_REGION || 'us-east-1',
      bucket: env.FILES_S3_BUCKET!,
      accessKeyId: env.FILES_S3_ACCESS_KEY!,
      secretAccessKey: env.FILES_S3_SECRET_KEY!,
      // Self-hosted stores (MinIO and the like) want path-style URLs; AWS itself does not need them.
      forcePathStyle: pathStyle === '' ? endpoint !== undefined : ['true', '1', 'yes'].includes(pathStyle),
      ...(env.FILES_S3_PREFIX && { prefix: env.FILES_S3_PREFIX.replace(/^\/+|\/+$/g, '') }),
    };
  }
  return { maxBytes, storage, dir: env.FILES_DIR || undefined, s3 };
}

function scriptsSetting(value: string | undefined): ScriptsSetting {
  if (value === undefined || value === '') return 'enabled';
  if (value === 'enabled' || value === 'frozen' || value === 'disabled') return value;
  throw new ConfigError(`INTEGRATION_SCRIPTS must be enabled, frozen or disabled (got "${value}")`);
}

function defaultDataDir(databaseUrl: string): string {
  if (databaseUrl.startsWith('sqlite:')) {
    const path = databaseUrl.slice('sqlite:'.length);
    if (path && path !== ':memory:') return dirname(resolve(path));
  }
  return resolve('data');
}

// docs/delivery.md §9.5: the outbound policy's settings; the policy itself (defaults, host lists) is the domain's.
function outboundFlag(env: NodeJS.ProcessEnv, name: string): boolean | undefined {
  const value = env[name]?.trim().toLowerCase();
  if (value === undefined || value === '') return undefined;
  if (value === 'true' || value === '1' || value === 'yes') return true;
  if (value === 'false' || value === '0' || value === 'no') return false;
  // A typo must not silently leave the guard open (or closed): refuse to start instead.
  throw new Error(`${name} must be true or false (got "${env[name]}")`);
}

const commaList = (env: NodeJS.ProcessEnv, name: string): string[] => (env[name] ?? '').split(',');

/** The policy from the SWITCHBOARD_OUTBOUND_* variables; throws, naming the variable, on values it cannot read. */
export function loadOutboundPolicy(env: NodeJS.ProcessEnv): OutboundPolicy {
  const e = OUTBOUND_ENV;
  const flags = {
    allowLoopback: outboundFlag(env, e.allowLoopback),
    allowPrivateNetworks: outboundFlag(env, e.allowPrivateNetworks),
    requireHttps: outboundFlag(env, e.requireHttps),
    allowSelfSignedCertificates: outboundFlag(env, e.allowSelfSignedCertificates),
  };
  const input: OutboundPolicyInput = { allowedHosts: commaList(env, e.allowedHosts), deniedHosts: commaList(env, e.deniedHosts) };
  for (const [key, value] of Object.entries(flags) as Array<[keyof typeof flags, boolean | undefined]>) {
    if (value !== undefined) input[key] = value;
  }
  return outboundPolicy(input, { allowedHosts: e.allowedHosts, deniedHosts: e.deniedHosts });
}
