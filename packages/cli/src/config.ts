/**
 * The CLI's configuration (`~/.switchboardrc`, JSON, mode 0600; `SWITCHBOARD_CONFIG` names another
 * file) and the environment (`SWITCHBOARD_URL`, `SWITCHBOARD_TOKEN`), and the HTTP calls it makes.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';

export class CliError extends Error {
  constructor(
    message: string,
    readonly hint?: string,
  ) {
    super(message);
  }
}

export interface Config {
  url?: string;
  token?: string;
  refreshToken?: string;
  workspaceId?: string;
  workspaceUserId?: string;
  email?: string;
  /**
   * A person's session (from `login` with a password, or asked for by a command that needs one):
   * the `/v1` people-only routes (API keys, appActions) and the Rocket.Chat API (integrations) take
   * it; developer tokens do not reach them.
   */
  session?: { token: string; userId: string; workspaceId: string };
}

export const configPath = (): string => process.env.SWITCHBOARD_CONFIG || join(homedir(), '.switchboardrc');

export function readConfig(): Config {
  const path = configPath();
  if (!existsSync(path)) return {};
  try {
    return JSON.parse(readFileSync(path, 'utf8')) as Config;
  } catch {
    throw new CliError(`${path} is not valid JSON`, 'fix or delete it, then run `switchboard login` again');
  }
}

export function writeJsonPrivate(path: string, data: unknown): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}

export function writeConfig(c: Config): void {
  writeJsonPrivate(configPath(), c);
}

/** `{sub, ws, exp}` of a developer token (JWT-shaped, app-platform.md §4.1). */
export function jwtClaims(token: string): { sub?: string; ws?: string; exp?: number } {
  const part = token.split('.')[1];
  if (!part) return {};
  try {
    return JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as { sub?: string; ws?: string; exp?: number };
  } catch {
    return {};
  }
}

const DEFAULT_URL = 'http://localhost:3000';

export interface Session {
  url: string;
  token: string;
  workspaceId: string;
  workspaceUserId: string;
  /** whether the token came from the config file (and may be refreshed into it) */
  fromConfig: boolean;
}

export function session(): Session {
  const c = readConfig();
  const url = (process.env.SWITCHBOARD_URL || c.url)?.replace(/\/+$/, '');
  const token = process.env.SWITCHBOARD_TOKEN || c.token;
  if (!url || !token) throw new CliError('Not logged in', `run \`switchboard login --url ${url ?? DEFAULT_URL}\``);
  const claims = jwtClaims(token);
  const workspaceId = claims.ws ?? c.workspaceId;
  const workspaceUserId = claims.sub ?? c.workspaceUserId;
  if (!workspaceId || !workspaceUserId) throw new CliError('The token is not a developer token', 'get one with `switchboard login` (or from the web app: Developer token)');
  return { url, token, workspaceId, workspaceUserId, fromConfig: !process.env.SWITCHBOARD_TOKEN };
}

export function defaultUrl(): string {
  return (process.env.SWITCHBOARD_URL || readConfig().url || DEFAULT_URL).replace(/\/+$/, '');
}

// ---- HTTP ----------------------------------------------------------------------------------------------

export interface Answer<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export async function request<T = any>(url: string, method: string, path: string, opts: { body?: unknown; headers?: Record<string, string>; form?: FormData } = {}): Promise<Answer<T>> {
  const headers: Record<string, string> = { 'user-agent': 'switchboard-cli/0.1', ...opts.headers };
  let body: string | FormData | undefined;
  if (opts.form) body = opts.form;
  else if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    headers['content-type'] = 'application/json';
  }
  let res: Response;
  try {
    res = await fetch(url + path, { method, headers, ...(body !== undefined && { body }) });
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new CliError(`Cannot reach ${url} (${cause ?? (err as Error).message})`, 'is the server running? Start it with `npm start`, or pass --url');
  }
  const text = await res.text();
  let parsed: unknown;
  try {
    parsed = text ? JSON.parse(text) : undefined;
  } catch {
    parsed = text;
  }
  return { status: res.status, body: parsed as T, text, headers: res.headers };
}

/** An error answer as one message, validation errors listed. */
export function explain(a: Answer, what: string): CliError {
  const b = (typeof a.body === 'object' && a.body) || {};
  const lines = [`${what} failed: ${a.status} ${b.message ?? a.text.slice(0, 200)}`];
  for (const e of (b.errors as Array<{ field: string; message: string }> | undefined) ?? []) lines.push(`  - ${e.field}: ${e.message}`);
  const hint =
    a.status === 401
      ? 'your developer token was refused (expired?): run `switchboard login`'
      : a.status === 404
        ? 'check the id (`switchboard apps list` shows your apps)'
        : a.status === 400
          ? 'fix the fields above and try again'
          : undefined;
  return new CliError(lines.join('\n'), hint);
}

/** The app-management API as the logged-in developer, refreshing an expired token once. */
export class DevApi {
  constructor(public s: Session) {}

  get base(): string {
    return `/workspaces/${this.s.workspaceId}/workspaceUsers/${this.s.workspaceUserId}`;
  }

  async call<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    let a = await request<T>(this.s.url, method, this.base + path, { headers: { authtoken: this.s.token }, ...(body !== undefined && { body }) });
    if (a.status === 401 && (await this.refresh())) {
      a = await request<T>(this.s.url, method, this.base + path, { headers: { authtoken: this.s.token }, ...(body !== undefined && { body }) });
    }
    return a;
  }

  /** Calls and insists on 2xx. */
  async ok<T = any>(method: string, path: string, body: unknown, what: string): Promise<T> {
    const a = await this.call<T>(method, path, body);
    if (a.status < 200 || a.status >= 300) throw explain(a, what);
    return a.body;
  }

  private async refresh(): Promise<boolean> {
    if (!this.s.fromConfig) return false;
    const c = readConfig();
    if (!c.refreshToken) return false;
    const a = await request(this.s.url, 'POST', `/workspaces/${this.s.workspaceId}/refresh`, { body: { refreshToken: c.refreshToken } });
    if (a.status !== 200) return false;
    writeConfig({ ...c, token: a.body.token, refreshToken: a.body.refreshToken });
    this.s = { ...this.s, token: a.body.token };
    return true;
  }
}
