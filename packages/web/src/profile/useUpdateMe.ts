import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { peopleKey } from '../people/usePeople';

/**
 * `PUT /v1/workspaceUsers/me {name?, timeZone?}`: the person's own record. The answer is the new
 * record, put straight into this tab's cache; other tabs (and this one's people list) hear of it
 * through the `user.updated` frame every active person gets.
 */
export function useUpdateMe() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (patch: { name?: string; timeZone?: string }) => api.put<WorkspaceUser>('/v1/workspaceUsers/me', patch),
    onSuccess: (user) => {
      qc.setQueryData(['users', 'me', user.id], user);
      void qc.invalidateQueries({ queryKey: peopleKey });
    },
  });
}
