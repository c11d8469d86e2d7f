import { useInfiniteQuery } from '@tanstack/react-query';
import { api, seg } from '../lib/api';
import type { FileRef } from '../lib/types';

/** Files per page (the route allows up to 100). */
const PAGE = 30;

export interface ChannelFile {
  file: FileRef;
  messageId: string;
  author: string;
  at: number;
}

/** `GET /v1/channels/{id}/files`: a page of the channel's files, newest first. */
interface FilesAnswer {
  files: Array<{ file: FileRef; messageId: string; author: string; timestampMilli: number; threadRootId?: string }>;
  nextCursor?: string;
}

interface FilesPage {
  files: ChannelFile[];
  cursor: string | undefined;
}

/**
 * A channel's files, newest first, from the server's listing (thread replies' files included), one
 * cursor page per "load more". Fresh each time the gallery opens: files may have been shared since.
 */
export function useChannelFiles(channelId: string) {
  return useInfiniteQuery({
    queryKey: ['channel-files', channelId],
    initialPageParam: undefined as string | undefined,
    staleTime: 0,
    queryFn: async ({ pageParam }): Promise<FilesPage> => {
      const q = new URLSearchParams({ limit: String(PAGE) });
      if (pageParam) q.set('cursor', pageParam);
      const page = await api.get<FilesAnswer>(`/v1/channels/${seg(channelId)}/files?${q}`);
      return { files: page.files.map((f) => ({ file: f.file, messageId: f.messageId, author: f.author, at: f.timestampMilli })), cursor: page.nextCursor };
    },
    getNextPageParam: (last) => last.cursor,
  });
}
