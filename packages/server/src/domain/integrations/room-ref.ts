import type { Channel } from '../model.js';
import type { ChatStore } from '../ports/chat-store.js';
import { isId } from '../ids.js';

/**
 * Rocket.Chat's default room has the literal id `GENERAL`, and its clients and tests hard-code it
 * (`channels.info?roomId=GENERAL`, a hook's `channel: "GENERAL"`): here it names the workspace's
 * main channel wherever a room id is accepted.
 */
export const GENERAL_ROOM_ID = 'GENERAL';

/** A room named the ways integrations name one: its id, `GENERAL`, or its name (without `#`). */
export async function roomByRef(store: ChatStore, workspaceId: string, ref: string): Promise<Channel | undefined> {
  if (ref === GENERAL_ROOM_ID) return store.mainChannel(workspaceId);
  const byId = isId(ref) ? await store.channel(workspaceId, ref) : undefined;
  return byId ?? (await store.channelByName(workspaceId, ref));
}
