import { useInfiniteQuery } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { Message } from '../lib/types';

/** A rich_text element of a hit's `highlightedBlocks`: matched words are bold. */
export interface HighlightElement {
  type: string;
  text?: string;
  style?: { bold?: boolean };
  elements?: HighlightElement[];
}

export type SearchHit = Message & { highlightedBlocks?: HighlightElement[] };

interface SearchPage {
  content: SearchHit[];
  totalElements: number;
  hasMore: boolean;
}

/** The server's page size maximum (§11.2). */
export const SEARCH_PAGE = 20;

/**
 * `POST /v1/messages/search` with the query exactly as typed: the server reads its words, "phrases",
 * prefix*, in: from: before: after: on:. Newest first; pages by skip/limit while `hasMore`.
 */
export function useSearch(text: string) {
  return useInfiniteQuery({
    queryKey: ['search', text],
    enabled: text.trim().length > 0,
    staleTime: 15_000,
    initialPageParam: 0,
    queryFn: ({ pageParam }) => api.post<SearchPage>('/v1/messages/search', { text, skip: pageParam, limit: SEARCH_PAGE }),
    getNextPageParam: (last, pages) => (last.hasMore ? pages.reduce((n, p) => n + p.content.length, 0) : undefined),
  });
}
