import { useQuery } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { Workspace, WorkspaceUser } from '../lib/types';
import { useSession } from '../auth/session';

export const peopleKey = ['users'] as const;
export const workspaceKey = ['workspace'] as const;

const byId = (list: WorkspaceUser[]) => new Map(list.map((u) => [u.id, u]));

/** Everyone in the workspace, by id: authors, DM names, member lists. */
export function usePeople() {
  return useQuery({
    queryKey: peopleKey,
    queryFn: () => api.get<WorkspaceUser[]>('/v1/workspaceUsers'),
    select: byId,
  });
}

/** The signed-in person. */
export function useMe() {
  const session = useSession().data;
  const id = session?.workspaceUserId;
  return useQuery({
    queryKey: ['users', 'me', id],
    queryFn: () => api.get<WorkspaceUser>(`/v1/workspaceUsers/${seg(id!)}`),
    enabled: id !== undefined,
  });
}

export function useWorkspace() {
  return useQuery({ queryKey: workspaceKey, queryFn: () => api.get<Workspace>('/v1/workspace') });
}
