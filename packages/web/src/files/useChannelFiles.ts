import { useInfiniteQuery } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { FileRef, MessagePage } from '../lib/types';

/** Messages read per page while collecting files (the route's maximum). */
const SCAN = 100;
/** Pages read per "load more" at most, so one click stays bounded. */
const PAGES_PER_STEP = 5;
/** Files wanted per step before stopping early. */
const WANT = 24;

export interface ChannelFile {
  file: FileRef;
  messageId: string;
  author: string;
  at: number;
}

interface FilesPage {
  files: ChannelFile[];
  cursor: string | undefined;
}

/**
 * A channel's files, newest first. The server has no file listing route, so this pages through the
 * channel's history (BEFORE cursors, 100 messages a request) and collects the files of its messages.
 */
export function useChannelFiles(channelId: string) {
  return useInfiniteQuery({
    queryKey: ['channel-files', channelId],
    initialPageParam: undefined as string | undefined,
    staleTime: 30_000,
    queryFn: async ({ pageParam }): Promise<FilesPage> => {
      const files: ChannelFile[] = [];
      let cursor = pageParam;
      for (let i = 0; i < PAGES_PER_STEP; i++) {
        const q = new URLSearchParams({ limit: String(SCAN) });
        if (cursor) {
          q.set('cursor', cursor);
          q.set('strategy', 'BEFORE');
        }
        const page = await api.get<MessagePage>(`/v1/channels/${seg(channelId)}/messages?${q}`);
        for (const m of page.messages) if (!m.deleted) for (const file of m.files) files.push({ file, messageId: m.id, author: m.author, at: m.timestampMilli });
        cursor = page.hasMoreBefore ? page.messages[page.messages.length - 1]?.id : undefined;
        if (!cursor || files.length >= WANT) break;
      }
      return { files, cursor };
    },
    getNextPageParam: (last) => last.cursor,
  });
}
