import { useEffect, useRef, useState, type RefObject } from 'react';
import { useParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { VirtuosoHandle } from 'react-virtuoso';

/** Older pages loaded at most (50 messages each) while looking for the message to jump to. */
const MAX_PAGES = 20;
const FLASH_MS = 2400;

interface Paging {
  data?: { pages: unknown[] } | undefined;
  hasNextPage: boolean;
  isFetchingNextPage: boolean;
  isFetching: boolean;
  fetchNextPage(): Promise<unknown>;
}

/** The row of a message when the list has rendered it and it is in view. */
function rowInView(id: string): HTMLElement | null {
  const el = document.querySelector<HTMLElement>(`.message-list [data-message-id="${CSS.escape(id)}"]`);
  const scroller = el?.closest<HTMLElement>('.message-scroller');
  if (!el || !scroller) return null;
  const r = el.getBoundingClientRect();
  const v = scroller.getBoundingClientRect();
  return r.bottom > v.top && r.top < v.bottom ? el : null;
}

function flash(el: HTMLElement): void {
  el.classList.remove('message-flash');
  void el.offsetWidth; // restart the animation when jumping to the same message again
  el.classList.add('message-flash');
  setTimeout(() => el.classList.remove('message-flash'), FLASH_MS);
}

/**
 * `/c/:channelId/m/:messageId` (a search result, a link): scroll the list to the message and flash
 * it. A message older than the loaded pages is reached by loading older pages (BEFORE cursors, the
 * cache's only paging) until it appears, at most {@link MAX_PAGES}; past that it says so.
 */
export function useJumpToMessage(items: ReadonlyArray<{ key: string }>, virtuoso: RefObject<VirtuosoHandle | null>, query: Paging) {
  const { t } = useTranslation();
  const { messageId } = useParams();
  const done = useRef<string | undefined>(undefined);
  const [missing, setMissing] = useState<string | undefined>(undefined);
  const { hasNextPage, isFetchingNextPage, isFetching, fetchNextPage } = query;
  const pages = query.data?.pages.length ?? 0;
  const latest = useRef(items);
  latest.current = items;
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  useEffect(() => () => clearTimeout(timer.current), []);

  useEffect(() => {
    if (!messageId || done.current === messageId || !query.data) return;
    const index = items.findIndex((i) => i.key === messageId);
    if (index >= 0) {
      done.current = messageId;
      setMissing(undefined);
      // The list settles (measures rows, keeps its place after a prepend) over a few frames: scroll
      // until the row is rendered and in view, then flash it.
      let tries = 0;
      const step = () => {
        const el = rowInView(messageId);
        if (el) {
          el.scrollIntoView({ block: 'center' });
          flash(el);
          return;
        }
        const at = latest.current.findIndex((i) => i.key === messageId);
        if (at >= 0) virtuoso.current?.scrollToIndex({ index: at, align: 'center' });
        // Up to 10 s: on a slow device the list may take several seconds to settle after a prepend.
        if (++tries < 100) timer.current = setTimeout(step, 100);
      };
      timer.current = setTimeout(step, 0);
      return;
    }
    if (isFetching || isFetchingNextPage) return;
    if (hasNextPage && pages < MAX_PAGES) {
      void fetchNextPage();
      return;
    }
    done.current = messageId;
    setMissing(messageId);
  }, [messageId, items, virtuoso, query.data, hasNextPage, isFetching, isFetchingNextPage, fetchNextPage, pages]);

  return missing && missing === messageId ? (
    <p className="jump-missing" role="status">
      {t('search.jumpMissing')}
    </p>
  ) : null;
}
