/**
 * Submitting and closing modals (docs/pumble-api.md §5). The submit's 400 names the input it refuses
 * (`field: state.values.<blockId>.<onAction>`, `errors[]`), which the modal shows under that input,
 * so this call reads the error body itself rather than through lib/api's message-only error.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { ApiError, SESSION_LOST, api, seg, sessionEvents } from '../../lib/api';
import { updateViews } from '../queries';
import type { View, ViewState } from '../types';

export class SubmitError extends ApiError {
  constructor(
    status: number,
    code: string | undefined,
    message: string,
    /** `blockId.onAction` → message */
    readonly fields: Record<string, string>,
  ) {
    super(status, code, message);
  }
}

const FIELD = /^state\.values\.([^.]+)\.(.+)$/;

async function submit(view: View, state: ViewState): Promise<void> {
  let res: Response;
  try {
    res = await fetch(`/v1/views/${seg(view.id)}/submit`, {
      method: 'POST',
      credentials: 'same-origin',
      headers: { accept: 'application/json', 'content-type': 'application/json' },
      body: JSON.stringify({ state, version: view.version }),
    });
  } catch (err) {
    throw new ApiError(0, 'network', err instanceof Error ? err.message : String(err));
  }
  if (res.ok) return;
  if (res.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
  const body = (await res.json().catch(() => ({}))) as { code?: unknown; message?: unknown; field?: unknown; errors?: unknown };
  const fields: Record<string, string> = {};
  const add = (field: unknown, message: unknown) => {
    const m = typeof field === 'string' ? FIELD.exec(field) : null;
    if (m) fields[`${m[1]}.${m[2]}`] = typeof message === 'string' ? message : '';
  };
  if (Array.isArray(body.errors)) for (const e of body.errors) if (e && typeof e === 'object') add((e as { field?: unknown }).field, (e as { message?: unknown }).message);
  add(body.field, body.message);
  throw new SubmitError(res.status, typeof body.code === 'string' ? body.code : undefined, typeof body.message === 'string' ? body.message : res.statusText, fields);
}

export function useSubmitView() {
  return useMutation({ mutationFn: (v: { view: View; state: ViewState }) => submit(v.view, v.state) });
}

/** Closes a modal and those above it, at once on screen; the app hears of it when it asked (notifyOnClose). */
export function useCloseView() {
  const qc = useQueryClient();
  return useMutation({
    mutationFn: (view: View) => api.post<void>(`/v1/views/${seg(view.id)}/close`),
    onMutate: (view) =>
      updateViews(qc, (s) => {
        const at = s.views.findIndex((v) => v.id === view.id);
        return at === -1 ? s : { ...s, views: s.views.slice(0, at) };
      }),
    // already gone on the server (closed elsewhere, expired): the stack is read again
    onError: () => void qc.invalidateQueries({ queryKey: ['apps', 'views'] }),
  });
}
