/**
 * What one feature's change means for the others — the one place for actions that span features
 * (docs/architecture.md §3.1). A generic module (accounts, app installs) says what happened and
 * calls here, inside its own transaction; it never calls a specific feature (integrations, the
 * API-keys addon) itself. A new feature that must react adds its line here.
 */
import { endKeysOf } from './addons/api-keys/keys.js';
import { Integrations } from './integrations/integrations.js';
import type { ChatStore } from './ports/chat-store.js';
import type { Notice } from './events.js';
import { Views } from './apps/views.js';
import { SocketMode } from './apps/socket-mode.js';
import { Pins } from './pins.js';
import type { Channel } from './model.js';

/** A person was deactivated. */
export async function userDeactivated(tx: ChatStore, workspaceId: string, userId: string, at: number): Promise<void> {
  // Nobody may post as a deactivated user: the integrations that post as them stop (docs/integrations.md §4).
  // Their API keys need nothing: a key acts as its owner, and a deactivated owner is refused at every use.
  await Integrations.postAsUserGone(tx, workspaceId, userId, at);
}

/**
 * A channel was renamed: integrations that name it `#old` in their `channel` list name it `#new`
 * (docs/integrations.md §4), as Rocket.Chat rewrites them, so that they keep posting and listening
 * there. Handed to Channels by createCore (channels.ts cannot import this module: pins and the
 * API-keys addon, which it reaches, import channels.ts).
 */
export async function channelRenamed(tx: ChatStore, e: { workspaceId: string; from: string; to: string; at: number }): Promise<void> {
  await Integrations.channelRenamed(tx, e.workspaceId, e.from, e.to, e.at);
}

/**
 * An app was uninstalled from a workspace (by the bot or an admin, or because its owner deleted it):
 * every key issued through it ends (docs/api-keys.md §2.5), its modals and home views go, open
 * modals closing on screen with `view.closed reason: uninstalled` (docs/app-platform.md §9.3), and
 * once it is installed nowhere its live sockets close on every node (§10.1). A socket serves the
 * app in all its workspaces, so an uninstall from one of several leaves it open.
 */
export async function appUninstalled(tx: ChatStore, e: { appId: string; workspaceId: string; actorId: string; at: number }, notices: Notice[]): Promise<void> {
  await endKeysOf(tx, e.appId, e.workspaceId, null, e.actorId, 'uninstall', e.at);
  await Views.appGone(tx, notices, e.appId, e.workspaceId);
  if ((await tx.installationsOfApp(e.appId)).length === 0) await SocketMode.revoke(tx, notices, { id: e.appId, workspaceId: e.workspaceId }, 'app_gone');
}

/** A person took back their authorization of an app: their keys issued through it end. */
export async function appUnauthorized(tx: ChatStore, e: { appId: string; workspaceId: string; userId: string; actorId: string; at: number }): Promise<void> {
  await endKeysOf(tx, e.appId, e.workspaceId, e.userId, e.actorId, 'unauthorize', e.at);
}

/**
 * A message was deleted (its tombstone stays): it leaves its channel's pins and every person's saved
 * messages, in the deletion's own transaction (docs/web-client.md §6.1).
 */
export async function messageDeleted(tx: ChatStore, e: { channel: Channel; messageId: string }, notices: Notice[]): Promise<void> {
  await Pins.messageDeleted(tx, notices, e.channel, e.messageId);
}
