/**
 * Who is online (web-client.md §4, §5): read from GET /v1/presence, then kept by the server's
 * `user.presence` frames. The key sits under ['users'], so a reconnect's resync (which invalidates
 * ['users']) reads it again — frames sent while the socket was down are lost.
 */
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { Frame } from '../realtime/socket';

export const presenceKey = ['users', 'presence'] as const;

interface PresenceState {
  online: string[];
}

// One set per answer, shared by every dot on screen (a long member list asks once per person).
const sets = new WeakMap<PresenceState, Set<string>>();
function onlineSet(p: PresenceState): Set<string> {
  let set = sets.get(p);
  if (!set) sets.set(p, (set = new Set(p.online)));
  return set;
}

const fetchPresence = () => api.get<PresenceState>('/v1/presence');

/** Whether this person is online (a change of anyone else's does not re-render); undefined until presence is known. */
export function useIsOnline(userId: string): boolean | undefined {
  return useQuery({ queryKey: presenceKey, queryFn: fetchPresence, select: (p) => onlineSet(p).has(userId) }).data;
}

/** A `user.presence` frame: who came online and who went offline. Before the first read, the read will tell. */
export function applyPresenceFrame(qc: QueryClient, frame: Frame): void {
  if (frame.type !== 'user.presence') return;
  const up = (frame.online as string[] | undefined) ?? [];
  const down = new Set((frame.offline as string[] | undefined) ?? []);
  qc.setQueryData<PresenceState>(presenceKey, (state) => {
    if (!state) return state;
    const online = new Set(state.online.filter((id) => !down.has(id)));
    for (const id of up) online.add(id);
    return { online: [...online] };
  });
}
