/**
 * A token store in your SQL database. The SDK brings no driver: pass the database you already have —
 *
 * * a better-sqlite3 `Database` (or `node:sqlite`'s `DatabaseSync`): anything with `prepare(sql)`
 *   whose statements have `all(...params)` and `run(...params)`; placeholders `?`;
 * * or `{ query(sql, params) }` returning rows (or a `{rows}` result, as `pg`'s `Pool` does), with
 *   placeholders `$1, $2…` by default (`placeholders: '?'` for drivers that take `?`).
 *
 * One table (default `switchboard_tokens`), created on first use:
 * `(workspace_id, user_id, token, bot_id, updated_at)` with the key `(workspace_id, user_id)`; the
 * bot's row has `user_id = ''` and its bot user in `bot_id`. Writes are single upserts
 * (`INSERT … ON CONFLICT … DO UPDATE`: SQLite ≥ 3.24 and PostgreSQL), so several app processes may
 * share the table. Tokens are bearer credentials: keep the database as private as the app's secrets.
 */
import type { TokenStore } from './token-store.js';
import type { OAuthTokens } from './types.js';

type Row = Record<string, unknown>;

/** What better-sqlite3 and node:sqlite offer. */
export interface PreparedDatabase {
  prepare(sql: string): { all(...params: unknown[]): unknown[]; run(...params: unknown[]): unknown };
}

/** A generic driver: rows, or a result with `rows` (pg). */
export interface QueryDatabase {
  query(sql: string, params: unknown[]): Promise<Row[] | { rows: Row[] }> | Row[] | { rows: Row[] };
}

export interface SqlTokenStoreOptions {
  /** default `switchboard_tokens` (letters, digits, `_`, and one `.` for a schema) */
  table?: string;
  /** `'?'` or `'$n'`; default `?` for a `prepare` database, `$n` for a `query` one */
  placeholders?: '?' | '$n';
  /** create the table when missing (default true) */
  createTable?: boolean;
}

const BOT = '';

export class SqlTokenStore implements TokenStore {
  private readonly run: (sql: string, params: unknown[]) => Promise<Row[]>;
  private readonly table: string;
  private readonly dollar: boolean;
  private ready: Promise<void> | undefined;

  constructor(
    db: PreparedDatabase | QueryDatabase,
    private readonly opts: SqlTokenStoreOptions = {},
  ) {
    const table = opts.table ?? 'switchboard_tokens';
    if (!/^[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?$/.test(table)) throw new Error(`SqlTokenStore: "${table}" is not a plain table name`);
    this.table = table;
    if ('prepare' in db && typeof db.prepare === 'function') {
      const prepared = db as PreparedDatabase;
      this.dollar = opts.placeholders === '$n';
      this.run = async (sql, params) => {
        const stmt = prepared.prepare(sql);
        if (/^\s*select/i.test(sql)) return stmt.all(...params) as Row[];
        stmt.run(...params);
        return [];
      };
    } else if ('query' in db && typeof db.query === 'function') {
      const q = db as QueryDatabase;
      this.dollar = (opts.placeholders ?? '$n') === '$n';
      this.run = async (sql, params) => {
        const r = await q.query(sql, params);
        return Array.isArray(r) ? r : (r?.rows ?? []);
      };
    } else {
      throw new Error('SqlTokenStore: pass a better-sqlite3 / node:sqlite database (with prepare) or an object with query(sql, params)');
    }
  }

  /** `?` placeholders rewritten for the driver. */
  private sql(text: string): string {
    if (!this.dollar) return text;
    let n = 0;
    return text.replace(/\?/g, () => `$${++n}`);
  }

  private async q(text: string, params: unknown[]): Promise<Row[]> {
    await this.init();
    return this.run(this.sql(text), params);
  }

  /** Creates the table if it is missing (done by the first call otherwise). */
  init(): Promise<void> {
    if (this.opts.createTable === false) return Promise.resolve();
    this.ready ??= this.run(
      `CREATE TABLE IF NOT EXISTS ${this.table} (
        workspace_id TEXT NOT NULL,
        user_id TEXT NOT NULL,
        token TEXT NOT NULL,
        bot_id TEXT,
        updated_at BIGINT NOT NULL,
        PRIMARY KEY (workspace_id, user_id)
      )`,
      [],
    ).then(
      () => undefined,
      (err) => {
        this.ready = undefined;
        throw err;
      },
    );
    return this.ready;
  }

  private upsert(workspaceId: string, userId: string, token: string, botId: string | null): Promise<Row[]> {
    return this.q(
      `INSERT INTO ${this.table} (workspace_id, user_id, token, bot_id, updated_at) VALUES (?, ?, ?, ?, ?)
       ON CONFLICT (workspace_id, user_id) DO UPDATE SET token = excluded.token, bot_id = excluded.bot_id, updated_at = excluded.updated_at`,
      [workspaceId, userId, token, botId, Date.now()],
    );
  }

  async save(t: OAuthTokens): Promise<void> {
    if (t.botToken) await this.upsert(t.workspaceId, BOT, t.botToken, t.botId ?? null);
    if (t.accessToken && t.userId) await this.upsert(t.workspaceId, t.userId, t.accessToken, null);
  }

  private async one(workspaceId: string, userId: string): Promise<Row | undefined> {
    return (await this.q(`SELECT token, bot_id FROM ${this.table} WHERE workspace_id = ? AND user_id = ?`, [workspaceId, userId]))[0];
  }

  async getBotToken(workspaceId: string): Promise<string | undefined> {
    return ((await this.one(workspaceId, BOT))?.token as string | undefined) ?? undefined;
  }
  async getBotUserId(workspaceId: string): Promise<string | undefined> {
    return ((await this.one(workspaceId, BOT))?.bot_id as string | null | undefined) ?? undefined;
  }
  async getUserToken(workspaceId: string, userId: string): Promise<string | undefined> {
    if (userId === BOT) return undefined;
    return ((await this.one(workspaceId, userId))?.token as string | undefined) ?? undefined;
  }
  async deleteWorkspace(workspaceId: string): Promise<void> {
    await this.q(`DELETE FROM ${this.table} WHERE workspace_id = ?`, [workspaceId]);
  }
  async deleteUser(workspaceId: string, userId: string): Promise<void> {
    if (userId === BOT) return;
    await this.q(`DELETE FROM ${this.table} WHERE workspace_id = ? AND user_id = ?`, [workspaceId, userId]);
  }
}
