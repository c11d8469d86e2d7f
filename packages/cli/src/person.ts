/**
 * The calls made as the person rather than with the developer token: `/v1` people-only routes
 * (API keys, `appActions`) with `Authorization: Bearer <session>`, and the Rocket.Chat API
 * (`integrations.*`) with `X-Auth-Token` / `X-User-Id` — the same session token (docs/integrations.md
 * §2.2). `login` with a password keeps that session in the config; otherwise the first command that
 * needs it asks for the password (or reads SWITCHBOARD_PASSWORD) and keeps it then.
 */
import { createInterface } from 'node:readline/promises';
import { CliError, configPath, readConfig, request, writeConfig, type Answer } from './config.js';

export interface PersonSession {
  url: string;
  token: string;
  userId: string;
  workspaceId: string;
}

/** The stored session for the logged-in server and workspace, if any. */
export function storedPersonSession(): PersonSession | undefined {
  const c = readConfig();
  const url = (process.env.SWITCHBOARD_URL || c.url)?.replace(/\/+$/, '');
  if (!url || !c.session || (c.workspaceId && c.session.workspaceId !== c.workspaceId) || (process.env.SWITCHBOARD_URL && c.url !== url)) return undefined;
  return { url, ...c.session };
}

export async function ask(question: string): Promise<string> {
  const rl = createInterface({ input: process.stdin, output: process.stdout, terminal: process.stdin.isTTY === true });
  try {
    return (await rl.question(question)).trim();
  } finally {
    rl.close();
  }
}

/** A session by e-mail and password, kept in the config. */
export async function passwordLogin(url: string, email: string, password: string, workspaceId?: string): Promise<PersonSession> {
  const s = await request(url, 'POST', '/auth/login', { body: { email, password, ...(workspaceId && { workspaceId }) } });
  if (s.status !== 200) {
    throw new CliError(`Login failed: ${s.status} ${s.body?.message ?? s.text}`, s.status === 429 ? 'too many attempts: wait a few minutes' : 'check the e-mail and password (and --url)');
  }
  return { url, token: s.body.token, userId: s.body.workspaceUserId, workspaceId: s.body.workspaceId };
}

export function saveSession(p: PersonSession): void {
  const c = readConfig();
  writeConfig({ ...c, session: { token: p.token, userId: p.userId, workspaceId: p.workspaceId } });
}

/** The stored session, else a new one from the password (SWITCHBOARD_PASSWORD, or asked on a terminal). */
export async function personSession(why: string): Promise<PersonSession> {
  const stored = storedPersonSession();
  if (stored) return stored;
  const c = readConfig();
  const url = (process.env.SWITCHBOARD_URL || c.url)?.replace(/\/+$/, '');
  if (!url || !c.email) throw new CliError('Not logged in', 'run `switchboard login --url http://localhost:3000 --email you@example.com --ask-password`');
  let password = process.env.SWITCHBOARD_PASSWORD;
  if (!password) {
    if (!process.stdin.isTTY) {
      throw new CliError(`${why} needs your password once (developer tokens do not reach it)`, `set SWITCHBOARD_PASSWORD, or run \`switchboard login --email ${c.email} --ask-password\` (the session is kept in ${configPath()})`);
    }
    process.stdout.write(`${why} acts as you: your password for ${c.email} (asked once; the session is kept in ${configPath()}).\n`);
    password = await ask('Password: ');
  }
  const p = await passwordLogin(url, c.email, password, c.workspaceId);
  saveSession(p);
  return p;
}

/** `/v1` and `/api/v1` as the person; a refused (ended) session is dropped and asked for once more. */
export class PersonApi {
  private constructor(
    public p: PersonSession,
    private readonly why: string,
  ) {}

  static async open(why: string): Promise<PersonApi> {
    return new PersonApi(await personSession(why), why);
  }

  private async retrying<T>(call: (p: PersonSession) => Promise<Answer<T>>): Promise<Answer<T>> {
    const a = await call(this.p);
    if (a.status !== 401) return a;
    // The session ended (logout elsewhere, 90 days, a password change): forget it and log in again.
    const c = readConfig();
    if (c.session?.token === this.p.token) {
      delete c.session;
      writeConfig(c);
    }
    try {
      this.p = await personSession(this.why);
    } catch (err) {
      if (err instanceof CliError) throw new CliError('Your session ended', err.hint);
      throw err;
    }
    return call(this.p);
  }

  v1<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    return this.retrying((p) => request<T>(p.url, method, path, { headers: { authorization: `Bearer ${p.token}` }, ...(body !== undefined && { body }) }));
  }

  rc<T = any>(method: string, path: string, body?: unknown): Promise<Answer<T>> {
    return this.retrying((p) => request<T>(p.url, method, `/api/v1/${path}`, { headers: { 'x-auth-token': p.token, 'x-user-id': p.userId }, ...(body !== undefined && { body }) }));
  }
}
