import type { Channel } from '../model.js';
import type { ChatStore } from '../ports/chat-store.js';
import { isId } from '../ids.js';

/**
 * Rocket.Chat's default room has the literal id `GENERAL`, and its clients and tests hard-code it
 * (`channels.info?roomId=GENERAL`, a hook's `channel: "GENERAL"`): here it names the workspace's
 * main channel wherever a room id is accepted.
 */
export const GENERAL_ROOM_ID = 'GENERAL';

/** A room named by its id or `GENERAL` only, never by a name (chat.sendMessage's `rid`). */
export async function roomById(store: ChatStore, workspaceId: string, ref: string): Promise<Channel | undefined> {
  if (ref === GENERAL_ROOM_ID) return store.mainChannel(workspaceId);
  return isId(ref) ? store.channel(workspaceId, ref) : undefined;
}

/** A room named the ways integrations name one: its id, `GENERAL`, or its name (without `#`). */
export async function roomByRef(store: ChatStore, workspaceId: string, ref: string): Promise<Channel | undefined> {
  return (await roomById(store, workspaceId, ref)) ?? (ref === GENERAL_ROOM_ID ? undefined : await store.channelByName(workspaceId, ref));
}
