/**
 * Where an app keeps the tokens its installations and authorizations gave it (§5.2). Tokens do not
 * expire; they end with an uninstall or unauthorise, which the App applies here by itself.
 */
import { chmodSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { OAuthTokens } from './types.js';

export interface TokenStore {
  /** Stores what `/oauth2/access` answered (a user token and, when the app has a bot, the bot's). */
  save(tokens: OAuthTokens): Promise<void>;
  getBotToken(workspaceId: string): Promise<string | undefined>;
  getBotUserId(workspaceId: string): Promise<string | undefined>;
  getUserToken(workspaceId: string, userId: string): Promise<string | undefined>;
  /** APP_UNINSTALLED: every token of the workspace. */
  deleteWorkspace(workspaceId: string): Promise<void>;
  /** APP_UNAUTHORIZED: that person's token. */
  deleteUser(workspaceId: string, userId: string): Promise<void>;
}

/** The JSON the file store writes (the CLI writes the same file for `switchboard dev`). */
export interface TokenFile {
  version: 1;
  workspaces: Record<string, { botId?: string; botToken?: string; users: Record<string, string> }>;
}

const empty = (): TokenFile => ({ version: 1, workspaces: {} });

export class MemoryTokenStore implements TokenStore {
  protected data: TokenFile = empty();

  protected async load(): Promise<TokenFile> {
    return this.data;
  }
  protected async persist(): Promise<void> {}

  async save(t: OAuthTokens): Promise<void> {
    const data = await this.load();
    const ws = (data.workspaces[t.workspaceId] ??= { users: {} });
    if (t.botToken) ws.botToken = t.botToken;
    if (t.botId) ws.botId = t.botId;
    if (t.accessToken && t.userId) ws.users[t.userId] = t.accessToken;
    await this.persist();
  }
  async getBotToken(workspaceId: string): Promise<string | undefined> {
    return (await this.load()).workspaces[workspaceId]?.botToken;
  }
  async getBotUserId(workspaceId: string): Promise<string | undefined> {
    return (await this.load()).workspaces[workspaceId]?.botId;
  }
  async getUserToken(workspaceId: string, userId: string): Promise<string | undefined> {
    return (await this.load()).workspaces[workspaceId]?.users[userId];
  }
  async deleteWorkspace(workspaceId: string): Promise<void> {
    delete (await this.load()).workspaces[workspaceId];
    await this.persist();
  }
  async deleteUser(workspaceId: string, userId: string): Promise<void> {
    const ws = (await this.load()).workspaces[workspaceId];
    if (ws) delete ws.users[userId];
    await this.persist();
  }
}

/**
 * A JSON file, written atomically with mode 0600. Re-read when it changed on disk (the CLI may
 * rewrite it while the app runs). One process per file.
 */
export class FileTokenStore extends MemoryTokenStore {
  private mtime = -1;

  constructor(readonly path: string) {
    super();
  }

  protected override async load(): Promise<TokenFile> {
    try {
      const st = statSync(this.path);
      if (st.mtimeMs !== this.mtime) {
        const parsed = JSON.parse(readFileSync(this.path, 'utf8')) as Partial<TokenFile>;
        this.data = { version: 1, workspaces: parsed.workspaces ?? {} };
        this.mtime = st.mtimeMs;
      }
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    return this.data;
  }

  protected override async persist(): Promise<void> {
    writeTokenFile(this.path, this.data);
    this.mtime = statSync(this.path).mtimeMs;
  }
}

/** Writes a token file atomically, readable by its owner only. */
export function writeTokenFile(path: string, data: TokenFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
  chmodSync(tmp, 0o600);
  renameSync(tmp, path);
}
