/** The apps' server state, in the query cache: the routes of docs/pumble-api.md §5 and what frames change. */
import { useQuery, useMutation, useQueryClient, type QueryClient } from '@tanstack/react-query';
import { ApiError, api, seg } from '../lib/api';
import type { AppActions, DirectoryEntry, Load, View } from './types';
import { restorableHere } from './shownViews';

export const appActionsKey = ['apps', 'actions'] as const;
export const directoryKey = ['apps', 'directory'] as const;
export const viewsKey = ['apps', 'views'] as const;
export const homeKey = (appId: string) => ['apps', 'home', appId] as const;

export interface OpenViews {
  /** the modal stack, bottom first */
  views: View[];
  loading: Load[];
  /** the nack banner of a modal (view.error), by view id: client-side, from frames only */
  errors?: Record<string, string>;
}

export function useAppActions() {
  return useQuery({ queryKey: appActionsKey, queryFn: () => api.get<AppActions>('/v1/appActions'), staleTime: 5 * 60_000 });
}

export function useDirectory() {
  return useQuery({ queryKey: directoryKey, queryFn: () => api.get<DirectoryEntry[]>('/v1/appDirectory') });
}

/**
 * The person's open modals and running loading states (`GET /v1/views`), kept live by frames; the
 * modals only when this tab showed them before (a reload, a reconnect: apps/shownViews.ts).
 */
export function useOpenViews() {
  return useQuery({
    queryKey: viewsKey,
    queryFn: async (): Promise<OpenViews> => {
      const open = await api.get<OpenViews>('/v1/views');
      return { ...open, views: restorableHere(open.views), errors: {} };
    },
    staleTime: Infinity,
  });
}

export function useHomeView(appId: string) {
  return useQuery({
    queryKey: homeKey(appId),
    queryFn: async () => {
      try {
        return await api.get<View>(`/v1/apps/${seg(appId)}/homeView`);
      } catch (err) {
        // no home view (neither published nor a default): an answer, not a failure
        if (err instanceof ApiError && err.status === 404) return null;
        throw err;
      }
    },
  });
}

export function useInstallApp() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (appId: string) => api.post<{ installed: boolean; authorized: boolean }>(`/v1/appDirectory/${seg(appId)}/install`),
    onSuccess: (_r, appId) => {
      void qc.invalidateQueries({ queryKey: directoryKey });
      void qc.invalidateQueries({ queryKey: appActionsKey });
      void qc.invalidateQueries({ queryKey: homeKey(appId) });
      void qc.invalidateQueries({ queryKey: ['users'] });
    },
  });
}

/** Changes the cached stack (frames and the person's own closes). */
export function updateViews(qc: QueryClient, fn: (v: OpenViews) => OpenViews): void {
  qc.setQueryData<OpenViews>(viewsKey, (old) => fn(old ?? { views: [], loading: [], errors: {} }));
}
