import { randomInt } from 'node:crypto';
import { commit, type CoreContext } from '../context.js';
import { DomainError, invalid, notFound, unauthenticated } from '../errors.js';
import { isId } from '../ids.js';
import type { User } from '../model.js';
import type { Mailer } from '../mailer.js';
import { constantTimeEqual, hashToken, newToken } from '../secrets.js';
import type { DeveloperTokenPair, DeveloperTokens } from './developer-tokens.js';

/** A code works for 10 minutes … */
export const LOGIN_CODE_LIFETIME_MS = 10 * 60_000;
/** … and for 5 tries at most, right or wrong: the fifth wrong one ends the lead. */
export const LOGIN_CODE_ATTEMPTS = 5;
/** After the right code, `POST /lead/login` must follow within this. */
export const LEAD_LOGIN_WINDOW_MS = 10 * 60_000;
/** An exchange token works once, for 5 minutes. */
export const EXCHANGE_TOKEN_LIFETIME_MS = 5 * 60_000;
/** `POST /lead`: at most 5 codes per e-mail and client address in 15 minutes … */
export const LEAD_REQUESTS = 5;
/** … and 20 per e-mail from all addresses together (each lead is 5 guesses at a 6-digit code). */
export const LEAD_REQUESTS_PER_EMAIL = 20;
export const LEAD_WINDOW_MS = 15 * 60_000;

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const normalize = (email: string) => email.trim().toLowerCase();
/** The code is bound to its lead: the same digits hash differently for every lead. */
const codeHash = (leadHash: string, code: string) => hashToken(`lead-code:${leadHash}:${code}`);
const newCode = () => String(randomInt(0, 1_000_000)).padStart(6, '0');

export interface LeadLoginItem {
  workspace: { id: string; name: string };
  workspaceUser: { id: string };
  exchangeToken: string;
}

/**
 * The login of developer tooling (docs/app-platform.md §4.1, as `pumble-cli login` drives it):
 * an e-mail address gets a one-time code by mail (`start`), the code proves the mailbox
 * (`activate`), the proven lead lists the person's workspaces with one exchange token each
 * (`login`), and one exchange token becomes developer tokens (`exchange`).
 *
 * An address with no account is answered exactly like a known one (a lead id, the same work, the
 * same errors later), but no mail goes out: the code exists only as a hash nobody can match. Only
 * hashes of lead ids, codes and exchange tokens are stored.
 */
export class ToolingLogin {
  constructor(
    private readonly ctx: CoreContext,
    private readonly developerTokens: DeveloperTokens,
    private readonly mailer: Mailer,
    private readonly publicUrl: () => string,
  ) {}

  /** `POST /lead`: a lead id, and (for an address with an account) a code on its way by mail. */
  async start(emailInput: string, clientAddress = 'unknown'): Promise<{ id: string }> {
    const email = normalize(emailInput);
    if (!EMAIL.test(email)) throw invalid('email', 'must be an e-mail address');
    // The address-wide count only sees requests the per-client one let through: one client
    // alone cannot use up an address's codes for everyone.
    await this.limit(`lead:${email}:${clientAddress}`, LEAD_REQUESTS);
    await this.limit(`lead:${email}`, LEAD_REQUESTS_PER_EMAIL);
    const { store } = this.ctx;
    const t = this.ctx.now();
    await store.leads.deleteExpired(t - LEAD_LOGIN_WINDOW_MS, t);
    const id = newToken();
    const idHash = hashToken(id);
    const code = newCode();
    await store.leads.insertLead({ idHash, email, codeHash: codeHash(idHash, code), expiresAt: t + LOGIN_CODE_LIFETIME_MS, createdAt: t });
    const accounts = await this.accountsOf(email);
    // Not awaited: how long a mail takes must not tell a known address from an unknown one.
    // The mailer logs its own failures.
    if (accounts.length > 0) this.mailer.send(this.codeMail(email, code)).catch(() => {});
    return { id };
  }

  /**
   * `POST /lead/activate`: the code proves the mailbox. `leadId` is what current tooling sends;
   * without it (older tooling) the e-mail's newest lead is meant.
   */
  async activate(input: { email: string; code: string; leadId?: string | undefined }): Promise<void> {
    const { leads } = this.ctx.store;
    const email = normalize(input.email);
    const lead = input.leadId ? await leads.lead(hashToken(input.leadId)) : await leads.newestLeadOf(email);
    const t = this.ctx.now();
    if (!lead) throw invalid('code', 'is wrong or has expired; ask for a new one');
    if (!(await leads.takeAttempt(lead.idHash, LOGIN_CODE_ATTEMPTS, t))) {
      if (lead.codeHash === null && lead.activatedAt !== null) throw invalid('code', 'was already used; ask for a new one');
      if (lead.expiresAt <= t) throw invalid('code', 'has expired; ask for a new one');
      throw invalid('code', 'was tried too often; ask for a new one');
    }
    const expected = codeHash(lead.idHash, input.code.replace(/\s+/g, ''));
    if (lead.email !== email || lead.codeHash === null || !constantTimeEqual(lead.codeHash, expected)) {
      const left = LOGIN_CODE_ATTEMPTS - lead.attempts - 1;
      throw invalid('code', left > 0 ? `is wrong; ${left} ${left === 1 ? 'try' : 'tries'} left` : 'is wrong, and was tried too often; ask for a new one');
    }
    // Compare-and-set on the code: of two requests with the right code, one wins.
    if (!(await leads.activate(lead.idHash, expected, t))) throw invalid('code', 'was already used; ask for a new one');
  }

  /**
   * `POST /lead/login`: once per activated lead, every workspace where the address has an active
   * person (no bots), each with a single-use exchange token.
   */
  async login(leadId: string): Promise<{ items: LeadLoginItem[] }> {
    const idHash = hashToken(leadId);
    return commit(this.ctx, async (tx) => {
      const t = this.ctx.now();
      if (!(await tx.leads.logIn(idHash, t - LEAD_LOGIN_WINDOW_MS, t))) {
        throw invalid('leadId', 'is not verified by its code, was already used, or has expired; start again');
      }
      const lead = (await tx.leads.lead(idHash))!;
      const items: LeadLoginItem[] = [];
      const tokens = [];
      for (const user of await this.accountsOf(lead.email, tx)) {
        const workspace = await tx.workspace(user.workspaceId);
        if (!workspace) continue;
        const exchangeToken = newToken();
        tokens.push({ tokenHash: hashToken(exchangeToken), leadHash: idHash, workspaceId: workspace.id, userId: user.id, expiresAt: t + EXCHANGE_TOKEN_LIFETIME_MS });
        items.push({ workspace: { id: workspace.id, name: workspace.name }, workspaceUser: { id: user.id }, exchangeToken });
      }
      await tx.leads.insertExchangeTokens(tokens);
      return { items };
    });
  }

  /**
   * `POST /workspaces/{ws}/exchange`: an exchange token of that workspace, once, for the same
   * developer tokens `POST /auth/developer-token` gives. Redeeming one ends the other workspaces'
   * tokens of the same login.
   */
  async exchange(workspaceId: string, exchangeToken: string): Promise<DeveloperTokenPair> {
    const taken = await commit(this.ctx, (tx) => tx.leads.takeExchangeToken(hashToken(exchangeToken)));
    const refused = unauthenticated('Invalid, used or expired exchange token; log in again');
    if (!taken || taken.expiresAt <= this.ctx.now() || taken.workspaceId !== workspaceId) throw refused;
    const user = await this.ctx.store.user(taken.workspaceId, taken.userId);
    if (!user || user.status !== 'ACTIVATED' || user.isBot) throw refused;
    return this.developerTokens.issue(user);
  }

  /** `GET /workspaces/{ws}/info` as tooling calls it, without a token: the id and the name, nothing else. */
  async workspaceInfo(workspaceId: string): Promise<{ id: string; name: string }> {
    const ws = isId(workspaceId) ? await this.ctx.store.workspace(workspaceId) : undefined;
    if (!ws) throw notFound('Workspace');
    return { id: ws.id, name: ws.name };
  }

  private async limit(key: string, max: number): Promise<void> {
    const window = await this.ctx.limiter.hit(key, LEAD_WINDOW_MS);
    if (window.count > max) {
      const seconds = Math.max(1, Math.ceil(window.resetMs / 1000));
      throw new DomainError('rate_limited', `Too many login codes asked for; try again in ${seconds} s`, [], seconds);
    }
  }

  private async accountsOf(email: string, store = this.ctx.store): Promise<User[]> {
    return (await store.credentialsByEmail(email)).map((c) => c.user).filter((u) => u.status === 'ACTIVATED' && !u.isBot);
  }

  private codeMail(to: string, code: string) {
    const minutes = LOGIN_CODE_LIFETIME_MS / 60_000;
    return {
      to,
      subject: 'Your Switchboard login code',
      text:
        `Your code to log in to Switchboard (${this.publicUrl()}) from developer tooling such as pumble-cli is:\n\n` +
        `    ${code}\n\n` +
        `It works once, for ${minutes} minutes. If you did not ask for it, ignore this mail: nobody can log in without the code.\n`,
    };
  }
}
