import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { ApiError, api, request } from '../lib/api';
import type { Session } from '../lib/types';
import { forgetShown } from '../apps/shownViews';

export const sessionKey = ['session'] as const;

/** Who is signed in, or null. A 401 here is the answer "nobody", not an error. */
export function useSession() {
  return useQuery({
    queryKey: sessionKey,
    queryFn: async (): Promise<Session | null> => {
      try {
        return await request<Session>('GET', '/auth/session', undefined, { quiet401: true });
      } catch (err) {
        if (err instanceof ApiError && err.status === 401) return null;
        throw err;
      }
    },
    staleTime: Infinity,
  });
}

export function useSignIn() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (body: { email: string; password: string }) => request<Session>('POST', '/auth/session', body, { quiet401: true }),
    onSuccess: (session) => {
      forgetShown();
      qc.removeQueries({ predicate: (q) => q.queryKey[0] !== 'session' });
      qc.setQueryData(sessionKey, session);
    },
  });
}

export function useSignOut() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: () => api.delete<void>('/auth/session'),
    onSettled: () => {
      qc.clear();
      qc.setQueryData(sessionKey, null);
    },
  });
}
