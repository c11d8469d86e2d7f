import { memo, useCallback, useEffect, useMemo, useRef, type KeyboardEvent } from 'react';
import { Virtuoso, type ListRange, type VirtuosoHandle } from 'react-virtuoso';
import { useTranslation } from 'react-i18next';
import type { ChannelInfo, Message, WorkspaceUser } from '../lib/types';
import { flatten, olderCount } from './cache';
import { PAGE_SIZE, useMessages, useOutgoing, type Outgoing } from './useMessages';
import { warmMarkdown } from '../lib/markdown';
import { MessageRow } from './MessageRow';
import { postedByIntegration } from './postedAs';
import { OutgoingRow } from './OutgoingRow';
import { DaySeparator } from './DaySeparator';
import { ChannelIntro } from './ChannelIntro';
import { MessageSkeletons } from '../ui/Skeleton';
import { ErrorNotice } from '../ui/ErrorNotice';
import { useMe, usePeople } from '../people/usePeople';
import { useEphemerals, withEphemerals } from '../apps/ephemeral';
import { useReadTracking } from '../unread/useReadTracking';
import { NewMessagesDivider } from '../unread/NewMessagesDivider';
import { useJumpToMessage } from '../search/useJumpToMessage';
import { useMentionEnv } from '../mentions/useMentionEnv';
import { SharedMentionEnv } from './sharedMentionEnv';
import { dayBounds, dayKey } from '../lib/dateFormatters';
import { useDisplayTimeZone } from '../lib/timeZone';
import { useStickToBottom } from './stickToBottom';
import { JumpToLatest } from './JumpToLatest';
import './messageList.css';

type Item =
  | { key: 'intro'; kind: 'intro'; newDay: false; at: 0 }
  | { key: string; kind: 'message'; message: Message; grouped: boolean; newDay: boolean; at: number }
  | { key: string; kind: 'outgoing'; out: Outgoing; grouped: boolean; newDay: boolean; at: number };

/** Consecutive messages of one author within five minutes on one day share a header. */
const GROUP_MS = 5 * 60_000;

/**
 * A send whose message the server already pushed (the realtime frame can beat the POST's answer)
 * is not shown twice: a pending send is hidden once a message of mine with its text, posted since,
 * is in the list.
 */
function unsettled(messages: Message[], outgoing: Outgoing[], meId: string | undefined): Outgoing[] {
  if (outgoing.length === 0) return outgoing;
  const claimed = new Set<string>();
  return outgoing.filter((o) => {
    if (o.status !== 'pending') return true;
    const twin = messages.find((m) => m.author === meId && !claimed.has(m.id) && m.text === o.vars.text && m.timestampMilli >= o.vars.at - 60_000);
    if (!twin) return true;
    claimed.add(twin.id);
    return false;
  });
}

function buildItems(messages: Message[], allOutgoing: Outgoing[], meId: string | undefined, atStart: boolean, zone: string): Item[] {
  // The channel's intro sits right above its first message once the whole history is loaded.
  const items: Item[] = atStart ? [{ key: 'intro', kind: 'intro', newDay: false, at: 0 }] : [];
  const outgoing = unsettled(messages, allOutgoing, meId);
  let prev: { author: string; at: number; groupable: boolean } | undefined;
  // The previous item's calendar day in the display zone, [start, end): worked out once per day
  // rather than per message. The day's key decides (bounds are only its cache), so a day whose
  // bounds came out off (a zone skipping midnight) cannot get two separators.
  let dayStart = Infinity;
  let dayEnd = -Infinity;
  let day = 0;
  const startsDay = (at: number) => {
    if (at >= dayStart && at < dayEnd) return false;
    [dayStart, dayEnd] = dayBounds(at, zone);
    const previous = day;
    day = dayKey(at, zone);
    return day !== previous;
  };
  // An integration's message (groupable: false in Rocket.Chat) starts a group of its own, with its
  // name and avatar, and the next message starts another: it never shares a header.
  const push = (author: string, at: number, groupable: boolean, make: (grouped: boolean, newDay: boolean) => Item) => {
    const newDay = startsDay(at);
    const grouped = !!prev && !newDay && groupable && prev.groupable && prev.author === author && at - prev.at < GROUP_MS;
    items.push(make(grouped, newDay));
    prev = { author, at, groupable };
  };
  for (const m of messages) push(m.author, m.timestampMilli, !postedByIntegration(m), (grouped, newDay) => ({ key: m.isEphemeral ? `eph-${m.id}` : m.id, kind: 'message', message: m, grouped, newDay, at: m.timestampMilli }));
  for (const o of outgoing) push(meId ?? '', o.vars.at, true, (grouped, newDay) => ({ key: `out-${o.mutationId}`, kind: 'outgoing', out: o, grouped, newDay, at: o.vars.at }));
  return items;
}

/** Virtuoso's index of the first item: lowered by exactly what older pages prepend, so the view stays put. */
const FIRST_INDEX = 10_000_000;
/**
 * The height Virtuoso assumes for a row it has not measured yet (an older page's rows until they
 * render): a short message with its header, or a two-line one without. Left to itself it sized
 * them like a row it had measured (~116 px in the bench's channel): every row scrolled into view
 * came out tens of pixels shorter, and each correction of the scroll position cost another render
 * of the list, which unmounted and remounted the rows at its edge. It also spares the first render
 * Virtuoso's probe pass.
 */
const ROW_ESTIMATE_PX = 50;
/** Rows left above the rendered ones when the next older page is asked for. */
const PREFETCH_ROWS = 100;

interface ListContext {
  loadingOlder: boolean;
  hasOlder: boolean;
}

/**
 * Above the oldest loaded row while there is older history: skeletons while it loads. The same
 * height when idle (hidden then): older pages are asked for while the rows in view are well below
 * it, and a header growing and shrinking with each request moved every one of them.
 */
function Header({ context }: { context?: ListContext }) {
  if (!context?.hasOlder) return null;
  return (
    <div className={context.loadingOlder ? 'list-top' : 'list-top list-top-idle'}>
      <MessageSkeletons count={2} />
    </div>
  );
}
const components = { Header };
const itemKey = (_index: number, item: Item) => item.key;

/**
 * One row of the list. Virtuoso calls itemContent for every rendered row each time it renders (on
 * each scroll event, and again when rows it mounted report their sizes): memoised on its item, which
 * keeps its identity until the messages change, a row that is already there costs one comparison.
 */
const ListItem = memo(function ListItem({ item, firstUnread, people, me }: { item: Exclude<Item, { kind: 'intro' }>; firstUnread: boolean; people: Map<string, WorkspaceUser> | undefined; me: WorkspaceUser | undefined }) {
  return (
    <div className="list-item">
      {item.newDay && <DaySeparator at={item.at} />}
      {firstUnread && <NewMessagesDivider />}
      {item.kind === 'message' ? (
        <MessageRow message={item.message} grouped={item.grouped} people={people} meId={me?.id} />
      ) : (
        <OutgoingRow out={item.out} grouped={item.grouped} me={me} />
      )}
    </div>
  );
});

/**
 * ↑/↓ on a focused message row move to the previous/next message (as in Slack); on the list's scroller
 * (the Tab stop) they enter the list at its last/first row in view. Rows are found in the DOM: the
 * list is virtual, and the rows next to the focused one are rendered (increaseViewportBy), so a row
 * holds no index of its own and none renders again when the focus moves. The composer's ↑ (edit my
 * last message) is outside this element and untouched.
 */
function moveBetweenRows(e: KeyboardEvent<HTMLDivElement>): void {
  if ((e.key !== 'ArrowUp' && e.key !== 'ArrowDown') || e.altKey || e.ctrlKey || e.metaKey || e.shiftKey) return;
  const target = e.target as HTMLElement;
  const rows = [...e.currentTarget.querySelectorAll<HTMLElement>('.message[data-message-id]')];
  let next: HTMLElement | undefined;
  const at = rows.indexOf(target);
  if (at >= 0) {
    next = rows[e.key === 'ArrowUp' ? at - 1 : at + 1];
    // at either end, the key does nothing rather than scrolling the row away from the focus
    if (!next) return e.preventDefault();
  } else if (target.classList.contains('message-scroller')) {
    const box = target.getBoundingClientRect();
    const inView = rows.filter((r) => {
      const b = r.getBoundingClientRect();
      return b.bottom > box.top && b.top < box.bottom;
    });
    next = e.key === 'ArrowUp' ? inView.at(-1) : inView[0];
  }
  if (!next) return;
  e.preventDefault();
  next.focus({ preventScroll: true });
  next.scrollIntoView({ block: 'nearest' });
}

export function MessageList({ info, label }: { info: ChannelInfo; label: string }) {
  const channelId = info.channel.id;
  const { t } = useTranslation();
  const query = useMessages(channelId);
  const outgoing = useOutgoing(channelId);
  const me = useMe().data;
  const people = usePeople().data;
  const virtuoso = useRef<VirtuosoHandle>(null);
  const mentionEnv = useMentionEnv();

  const messages = useMemo(() => flatten(query.data), [query.data]);
  const ephemerals = useEphemerals(channelId);
  const shown = useMemo(() => withEphemerals(messages, ephemerals), [messages, ephemerals]);
  const firstUnreadId = useReadTracking(channelId, messages, me?.id);
  const atStart = query.isSuccess && !query.hasNextPage;
  // Day separators fall on the display zone's midnights: a new zone regroups the list.
  const zone = useDisplayTimeZone();
  const items = useMemo(() => buildItems(shown, outgoing, me?.id, atStart, zone), [shown, outgoing, me?.id, atStart, zone]);
  // The rows mounted next while scrolling up are the oldest loaded: their text is rendered ahead, when idle.
  useEffect(() => warmMarkdown(shown.slice(0, PREFETCH_ROWS + PAGE_SIZE).map((m) => m.text), mentionEnv), [shown, mentionEnv]);
  // the intro arrives with the oldest page: it counts as prepended
  const firstItemIndex = FIRST_INDEX - olderCount(query.data) - (atStart ? 1 : 0);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  // Once the reader scrolls up from the newest rows, the next older page is asked for while
  // PREFETCH_ROWS rows are still above the rendered ones, not when the top is reached: scrolling up
  // fast then does not stop at the top to wait, and the rows arrive out of sight, where adding them
  // moves nothing on screen. (startReached still covers a channel whose rows all fit in view.)
  const lastIndex = firstItemIndex + items.length - 1;
  const prefetchOlder = useCallback(
    (range: ListRange) => {
      if (range.endIndex < lastIndex && range.startIndex - firstItemIndex < PREFETCH_ROWS) loadOlder();
    },
    [firstItemIndex, lastIndex, loadOlder],
  );

  const jumpNotice = useJumpToMessage(items, virtuoso, query);
  // following the newest row while the reader is at the bottom (not Virtuoso's followOutput: see stickToBottom.ts)
  const { scrollerRef, away, toLatest } = useStickToBottom(channelId);

  const context = useMemo<ListContext>(() => ({ loadingOlder: isFetchingNextPage, hasOlder: !!hasNextPage }), [isFetchingNextPage, hasNextPage]);

  const itemContent = useCallback(
    (_index: number, item: Item) =>
      item.kind === 'intro' ? (
        <ChannelIntro info={info} label={label} />
      ) : (
        <ListItem item={item} firstUnread={item.kind === 'message' && item.message.id === firstUnreadId} people={people} me={me} />
      ),
    [people, me, info, label, firstUnreadId],
  );

  if (query.isPending) {
    return (
      <div className="message-list message-list-loading" aria-busy="true" aria-label={t('messages.loading')}>
        <MessageSkeletons />
      </div>
    );
  }
  if (query.isError && !query.data) {
    return (
      <div className="message-list">
        <ErrorNotice title={t('messages.loadFailed')} error={query.error} onRetry={() => void query.refetch()} />
      </div>
    );
  }

  return (
    <SharedMentionEnv.Provider value={mentionEnv}>
      <div className="message-list" role="log" aria-label={t('messages.listLabel', { name: label })} onKeyDown={moveBetweenRows}>
        {jumpNotice}
        {query.isFetchNextPageError && (
          <ErrorNotice title={t('messages.olderFailed')} error={query.error} onRetry={loadOlder} />
        )}
        <Virtuoso
          ref={virtuoso}
          className="message-scroller"
          data={items}
          context={context}
          components={components}
          firstItemIndex={firstItemIndex}
          initialTopMostItemIndex={Math.max(0, items.length - 1)}
          alignToBottom
          scrollerRef={scrollerRef}
          startReached={loadOlder}
          rangeChanged={prefetchOlder}
          computeItemKey={itemKey}
          itemContent={itemContent}
          increaseViewportBy={{ top: 600, bottom: 300 }}
          defaultItemHeight={ROW_ESTIMATE_PX}
        />
        <JumpToLatest away={away} messages={messages} meId={me?.id} onJump={toLatest} />
      </div>
    </SharedMentionEnv.Provider>
  );
}
