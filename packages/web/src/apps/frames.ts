/** The app surfaces' realtime frames (docs/pumble-api.md §4.2) as changes to the query cache. */
import type { QueryClient } from '@tanstack/react-query';
import type { Message } from '../lib/types';
import { addEphemeral, removeEphemeral } from './ephemeral';
import { homeKey, updateViews, type OpenViews } from './queries';
import type { Load, View } from './types';

/** Is a frame's view newer than the one held? Frames may arrive after a fresher read. */
const newer = (held: View | undefined | null, v: View) => !held || held.id !== v.id || v.version >= held.version;

function dropBanner(errors: OpenViews['errors'], id: string) {
  if (!errors?.[id]) return errors;
  const { [id]: _gone, ...rest } = errors;
  return rest;
}

export function applyAppFrame(qc: QueryClient, frame: { type: string; [key: string]: unknown }): void {
  switch (frame.type) {
    case 'message.ephemeral':
    case 'message.ephemeral_updated':
      addEphemeral(qc, frame.message as Message);
      break;
    case 'message.ephemeral_deleted':
      removeEphemeral(qc, frame.channelId as string, frame.messageId as string);
      break;
    case 'view.opened': {
      const view = frame.view as View;
      updateViews(qc, (s) => ({ ...s, views: [view], errors: {} }));
      break;
    }
    case 'view.pushed': {
      const view = frame.view as View;
      updateViews(qc, (s) => {
        const at = s.views.findIndex((v) => v.id === view.parentViewId);
        const below = at === -1 ? s.views : s.views.slice(0, at + 1);
        return { ...s, views: [...below.filter((v) => v.id !== view.id), view] };
      });
      break;
    }
    case 'view.updated': {
      const view = frame.view as View;
      if (view.type === 'HOME') {
        qc.setQueryData<View | null>(homeKey(view.appId), (held) => (newer(held, view) ? view : held));
        break;
      }
      updateViews(qc, (s) => ({
        ...s,
        views: s.views.map((v) => (v.id === view.id && newer(v, view) ? view : v)),
        // an update answers the submit: its banner, if any, is old news
        errors: dropBanner(s.errors, view.id),
      }));
      break;
    }
    case 'view.closed': {
      const id = frame.viewId as string;
      updateViews(qc, (s) => {
        const at = s.views.findIndex((v) => v.id === id);
        return at === -1 ? s : { ...s, views: s.views.slice(0, at), errors: dropBanner(s.errors, id) };
      });
      break;
    }
    case 'view.error':
      updateViews(qc, (s) => ({ ...s, errors: { ...s.errors, [frame.viewId as string]: String(frame.message ?? '') } }));
      break;
    case 'interaction.loading': {
      const { type: _t, workspaceId: _w, ...load } = frame;
      updateViews(qc, (s) => ({ ...s, loading: [...s.loading.filter((l) => l.triggerId !== load.triggerId), load as unknown as Load] }));
      break;
    }
    case 'interaction.completed':
      updateViews(qc, (s) => ({ ...s, loading: s.loading.filter((l) => l.triggerId !== frame.triggerId) }));
      break;
    default:
      break;
  }
}
