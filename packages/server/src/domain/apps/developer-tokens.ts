import type { CoreContext } from '../context.js';
import { unauthenticated } from '../errors.js';
import type { Keyring } from '../keyring.js';
import type { User } from '../model.js';

const ACCESS_SECONDS = 3600; // 1 h (docs/app-platform.md §4.1)
const REFRESH_SECONDS = 30 * 24 * 3600; // 30 days

export interface DeveloperTokenPair {
  token: string;
  refreshToken: string;
}

/**
 * Developer tokens for the app-management API (`Authtoken` header): JWT-shaped, because
 * developer tooling reads `exp` to decide when to log in again. They are checked against the
 * user's current status on every use, so deactivation ends them at once.
 */
export class DeveloperTokens {
  constructor(
    private readonly ctx: CoreContext,
    private readonly keyring: Keyring,
  ) {}

  issue(user: User): DeveloperTokenPair {
    const now = Math.floor(this.ctx.now() / 1000);
    const base = { sub: user.id, ws: user.workspaceId, iat: now };
    return {
      token: this.keyring.signJwt({ ...base, typ: 'access', exp: now + ACCESS_SECONDS }),
      refreshToken: this.keyring.signJwt({ ...base, typ: 'refresh', exp: now + REFRESH_SECONDS }),
    };
  }

  async authenticate(token: string): Promise<User | undefined> {
    return this.userOf(token, 'access');
  }

  async refresh(workspaceId: string, refreshToken: string): Promise<DeveloperTokenPair> {
    const user = await this.userOf(refreshToken, 'refresh');
    if (!user || user.workspaceId !== workspaceId) throw unauthenticated('Invalid or expired refresh token');
    return this.issue(user);
  }

  private async userOf(token: string, typ: 'access' | 'refresh'): Promise<User | undefined> {
    const claims = this.keyring.verifyJwt(token, this.ctx.now());
    if (!claims || claims.typ !== typ || typeof claims.sub !== 'string' || typeof claims.ws !== 'string') return undefined;
    const user = await this.ctx.store.user(claims.ws, claims.sub);
    return user && user.status === 'ACTIVATED' ? user : undefined;
  }
}
