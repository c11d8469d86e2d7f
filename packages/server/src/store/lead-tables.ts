/**
 * The tooling login (docs/app-platform.md §4.1) as tables. Same conventions as schema.ts: times
 * are epoch milliseconds. Nothing here is a usable secret: a lead is kept by the hash of its id,
 * its one-time code and the exchange tokens only as hashes. The tables are made by migration
 * 0012_tooling_login (migrations.ts).
 */
/** One `POST /lead`: an e-mail address on its way to proving it holds that mailbox. */
export interface ToolingLeadTable {
  /** SHA-256 of the lead id the requester was given (the id is the bearer of `POST /lead/login`) */
  id_hash: string;
  /** normalised (trimmed, lower-case); kept for unknown addresses too, which no mail ever reaches */
  email: string;
  /** hash of the code, bound to the lead; null once used or once the lead ended */
  code_hash: string | null;
  /** codes tried, right or wrong; at the limit the lead is over */
  attempts: number;
  /** the code works until then */
  expires_at: number;
  /** when the right code came in */
  activated_at: number | null;
  /** when `POST /lead/login` used the lead (once) */
  logged_in_at: number | null;
  created_at: number;
}

/** One workspace offered by `POST /lead/login`, redeemable once for developer tokens. */
export interface ToolingExchangeTokenTable {
  token_hash: string;
  /** the lead that produced it: redeeming one ends its siblings */
  lead_hash: string;
  workspace_id: string;
  user_id: string;
  expires_at: number;
}

export interface LeadDatabase {
  tooling_leads: ToolingLeadTable;
  tooling_exchange_tokens: ToolingExchangeTokenTable;
}
