import { UniqueViolation } from '../errors.js';
import type { CoreContext } from '../context.js';
import { newId } from '../ids.js';
import type { User } from '../model.js';

/**
 * The Switchboard system bot: one bot user per workspace that speaks for the server itself (owner
 * notices about failing or disabled deliveries, docs/delivery.md §7). Made like an app's bot (a bot user
 * with an address no mailbox has, no password, no tokens: it cannot sign in), but belongs to no app,
 * so uninstalling or deleting apps never touches it. Created the first time it has something to say,
 * so workspaces that never need it never list it.
 */
export const SYSTEM_BOT_EMAIL = 'switchboard@system.switchboard.invalid';
export const SYSTEM_BOT_NAME = 'Switchboard';

export async function systemBot(ctx: CoreContext, workspaceId: string): Promise<User> {
  const find = async () => (await ctx.store.credentialsByEmail(SYSTEM_BOT_EMAIL)).find((c) => c.user.workspaceId === workspaceId && c.user.isBot)?.user;
  for (let attempt = 0; ; attempt++) {
    const existing = await find();
    if (existing) return existing;
    const t = ctx.now();
    try {
      await ctx.store.insertUser({
        id: newId(t),
        workspaceId,
        email: SYSTEM_BOT_EMAIL,
        name: SYSTEM_BOT_NAME,
        role: 'MEMBER',
        passwordHash: null,
        isBot: true,
        title: 'Notices from this server',
        now: t,
      });
    } catch (e) {
      // Another node (or notice) made it first — or took the username we picked: look again.
      if (!(e instanceof UniqueViolation) || attempt >= 2) throw e;
    }
  }
}
