/**
 * SQL for the tooling login (docs/app-platform.md §4.1). Like Store, a transaction's LeadStore
 * is bound to the transaction's connection (Store.leads hands out the right one). Every change
 * that must happen once (an attempt counted, a code used, a lead logged in with, an exchange
 * token redeemed) is one conditional statement, so concurrent requests cannot both win.
 */
import type { Kysely, Selectable, Transaction } from 'kysely';
import type { LeadDatabase, ToolingLeadTable } from './lead-tables.js';
import type { ExchangeTokenRecord, LeadRecord, LeadStorage } from '../domain/ports/leads.js';

type Db = Kysely<LeadDatabase> | Transaction<LeadDatabase>;

const num = (v: number | string) => Number(v);
const optNum = (v: number | string | null) => (v === null ? null : Number(v));

function toLead(r: Selectable<ToolingLeadTable>): LeadRecord {
  return {
    idHash: r.id_hash,
    email: r.email,
    codeHash: r.code_hash,
    attempts: num(r.attempts),
    expiresAt: num(r.expires_at),
    activatedAt: optNum(r.activated_at),
    loggedInAt: optNum(r.logged_in_at),
    createdAt: num(r.created_at),
  };
}

export class LeadStore implements LeadStorage {
  constructor(private readonly db: Db) {}

  async insertLead(l: { idHash: string; email: string; codeHash: string; expiresAt: number; createdAt: number }): Promise<void> {
    await this.db
      .insertInto('tooling_leads')
      .values({
        id_hash: l.idHash,
        email: l.email,
        code_hash: l.codeHash,
        attempts: 0,
        expires_at: l.expiresAt,
        activated_at: null,
        logged_in_at: null,
        created_at: l.createdAt,
      })
      .execute();
  }

  async lead(idHash: string): Promise<LeadRecord | undefined> {
    const r = await this.db.selectFrom('tooling_leads').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && toLead(r);
  }

  /** The e-mail's most recent lead, whatever its state. */
  async newestLeadOf(email: string): Promise<LeadRecord | undefined> {
    const r = await this.db.selectFrom('tooling_leads').selectAll().where('email', '=', email).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
    return r && toLead(r);
  }

  /**
   * Counts one attempt at the code, if the lead still takes one: its code unused, fewer than
   * `maxAttempts` tried, not expired. False: no attempt may be made.
   */
  async takeAttempt(idHash: string, maxAttempts: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tooling_leads')
      .set((eb) => ({ attempts: eb('attempts', '+', 1) }))
      .where('id_hash', '=', idHash)
      .where('code_hash', 'is not', null)
      .where('attempts', '<', maxAttempts)
      .where('expires_at', '>', now)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Uses the code: true only for the one caller that found it unused. */
  async activate(idHash: string, codeHash: string, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tooling_leads')
      .set({ code_hash: null, activated_at: now })
      .where('id_hash', '=', idHash)
      .where('code_hash', '=', codeHash)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  /** Uses an activated lead for its one login: true only for the first caller, and only if activated after `activatedAfter`. */
  async logIn(idHash: string, activatedAfter: number, now: number): Promise<boolean> {
    const r = await this.db
      .updateTable('tooling_leads')
      .set({ logged_in_at: now })
      .where('id_hash', '=', idHash)
      .where('activated_at', 'is not', null)
      .where('activated_at', '>', activatedAfter)
      .where('logged_in_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async insertExchangeTokens(tokens: ExchangeTokenRecord[]): Promise<void> {
    if (tokens.length === 0) return;
    await this.db
      .insertInto('tooling_exchange_tokens')
      .values(tokens.map((t) => ({ token_hash: t.tokenHash, lead_hash: t.leadHash, workspace_id: t.workspaceId, user_id: t.userId, expires_at: t.expiresAt })))
      .execute();
  }

  /**
   * Redeems an exchange token: deletes it, and every other token of its lead (one login, one
   * workspace), and returns it, to the one caller that found it. Expiry is the caller's to check.
   */
  async takeExchangeToken(tokenHash: string): Promise<ExchangeTokenRecord | undefined> {
    const r = await this.db.deleteFrom('tooling_exchange_tokens').where('token_hash', '=', tokenHash).returningAll().executeTakeFirst();
    if (!r) return undefined;
    await this.db.deleteFrom('tooling_exchange_tokens').where('lead_hash', '=', r.lead_hash).execute();
    return { tokenHash: r.token_hash, leadHash: r.lead_hash, workspaceId: r.workspace_id, userId: r.user_id, expiresAt: num(r.expires_at) };
  }

  /** Forgets leads whose code expired before `leadsBefore` and exchange tokens expired before `tokensBefore`. */
  async deleteExpired(leadsBefore: number, tokensBefore: number): Promise<void> {
    await this.db.deleteFrom('tooling_leads').where('expires_at', '<', leadsBefore).execute();
    await this.db.deleteFrom('tooling_exchange_tokens').where('expires_at', '<', tokensBefore).execute();
  }
}
