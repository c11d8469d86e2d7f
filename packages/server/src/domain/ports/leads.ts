/**
 * The storage port of the tooling login's leads (docs/app-platform.md §4.1). store/lead-store.ts implements it.
 */

export interface LeadRecord {
  idHash: string;
  email: string;
  /** null once used or ended */
  codeHash: string | null;
  attempts: number;
  expiresAt: number;
  activatedAt: number | null;
  loggedInAt: number | null;
  createdAt: number;
}

export interface ExchangeTokenRecord {
  tokenHash: string;
  leadHash: string;
  workspaceId: string;
  userId: string;
  expiresAt: number;
}

/**
 * What the domain asks of this storage; implemented in store/ (lead-store.ts).
 */
export interface LeadStorage {
  insertLead(l: {
    idHash: string;
    email: string;
    codeHash: string;
    expiresAt: number;
    createdAt: number;
  }): Promise<void>;
  lead(idHash: string): Promise<LeadRecord | undefined>;
  /** The e-mail's most recent lead, whatever its state. */
  newestLeadOf(email: string): Promise<LeadRecord | undefined>;
  /**
   * Counts one attempt at the code, if the lead still takes one: its code unused, fewer than
   * `maxAttempts` tried, not expired. False: no attempt may be made.
   */
  takeAttempt(idHash: string, maxAttempts: number, now: number): Promise<boolean>;
  /** Uses the code: true only for the one caller that found it unused. */
  activate(idHash: string, codeHash: string, now: number): Promise<boolean>;
  /** Uses an activated lead for its one login: true only for the first caller, and only if activated after `activatedAfter`. */
  logIn(idHash: string, activatedAfter: number, now: number): Promise<boolean>;
  insertExchangeTokens(tokens: ExchangeTokenRecord[]): Promise<void>;
  /**
   * Redeems an exchange token: deletes it, and every other token of its lead (one login, one
   * workspace), and returns it, to the one caller that found it. Expiry is the caller's to check.
   */
  takeExchangeToken(tokenHash: string): Promise<ExchangeTokenRecord | undefined>;
  /** Forgets leads whose code expired before `leadsBefore` and exchange tokens expired before `tokensBefore`. */
  deleteExpired(leadsBefore: number, tokensBefore: number): Promise<void>;
}
