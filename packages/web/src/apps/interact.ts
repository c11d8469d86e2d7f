/** Acting on an app's element as the person (docs/pumble-api.md §5): block interactions, loading states, shortcuts. */
import { useEffect, useState } from 'react';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import { updateViews, useOpenViews } from './queries';
import type { Load, Source, ViewState } from './types';

export interface InteractionVars {
  source: Source;
  blockId?: string | undefined;
  onAction: string;
  payload?: { value?: unknown; values?: string[] };
  /** a view's current inputs, sent along when the element is in a view */
  state?: ViewState | undefined;
}

export function useBlockInteraction() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (v: InteractionVars) =>
      api.post<{ triggerId: string; loadingTimeout: number }>('/v1/blockInteractions', {
        ...v.source,
        ...(v.blockId && { blockId: v.blockId }),
        onAction: v.onAction,
        ...(v.payload && { payload: v.payload }),
        ...(v.state && { state: v.state }),
      }),
    onSuccess: (r, v) => {
      // The frame says the same; the answer may come first, so the spinner starts at once.
      if (r.loadingTimeout > 0) {
        const load: Load = { triggerId: r.triggerId, appId: '', sourceType: v.source.sourceType, sourceId: v.source.sourceId, onAction: v.onAction, endsAt: Date.now() + r.loadingTimeout, ...(v.blockId && { blockId: v.blockId }) };
        updateViews(qc, (s) => (s.loading.some((l) => l.triggerId === r.triggerId) ? s : { ...s, loading: [...s.loading, load] }));
      }
    },
  });
}

/** Whether an element shows its spinner: a running loading state names it, until the app completes it or `endsAt`. */
export function useLoading(source: Source, onAction: string | undefined, blockId: string | undefined): boolean {
  const loads = useOpenViews().data?.loading;
  const [now, setNow] = useState(() => Date.now());
  const load = onAction ? loads?.find((l) => l.sourceId === source.sourceId && l.onAction === onAction && (!l.blockId || !blockId || l.blockId === blockId) && l.endsAt > now) : undefined;
  useEffect(() => {
    if (!load) return;
    const timer = setTimeout(() => setNow(Date.now()), Math.max(0, load.endsAt - Date.now()) + 20);
    return () => clearTimeout(timer);
  }, [load]);
  return !!load;
}

export function useRunShortcut() {
  return useMutation({
    mutationFn: (v: { appId: string; name: string; channelId: string; messageId?: string; threadRootId?: string }) => api.post<{ triggerId: string }>('/v1/shortcuts', v),
  });
}
