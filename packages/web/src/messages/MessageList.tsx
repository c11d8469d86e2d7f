import { useCallback, useMemo, useRef } from 'react';
import { Virtuoso, type VirtuosoHandle } from 'react-virtuoso';
import { useTranslation } from 'react-i18next';
import type { ChannelInfo, Message } from '../lib/types';
import { sameDay } from '../lib/format';
import { flatten, olderCount } from './cache';
import { useMessages, useOutgoing, type Outgoing } from './useMessages';
import { MessageRow } from './MessageRow';
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

function buildItems(messages: Message[], allOutgoing: Outgoing[], meId: string | undefined, atStart: boolean): Item[] {
  // The channel's intro sits right above its first message once the whole history is loaded.
  const items: Item[] = atStart ? [{ key: 'intro', kind: 'intro', newDay: false, at: 0 }] : [];
  const outgoing = unsettled(messages, allOutgoing, meId);
  let prev: { author: string; at: number; alias?: string | undefined } | undefined;
  const push = (author: string, at: number, alias: string | undefined, make: (grouped: boolean, newDay: boolean) => Item) => {
    const newDay = !prev || !sameDay(prev.at, at);
    const grouped = !!prev && !newDay && prev.author === author && prev.alias === alias && at - prev.at < GROUP_MS;
    items.push(make(grouped, newDay));
    prev = { author, at, alias };
  };
  for (const m of messages) push(m.author, m.timestampMilli, m.alias, (grouped, newDay) => ({ key: m.isEphemeral ? `eph-${m.id}` : m.id, kind: 'message', message: m, grouped, newDay, at: m.timestampMilli }));
  for (const o of outgoing) push(meId ?? '', o.vars.at, undefined, (grouped, newDay) => ({ key: `out-${o.mutationId}`, kind: 'outgoing', out: o, grouped, newDay, at: o.vars.at }));
  return items;
}

/** Virtuoso's index of the first item: lowered by exactly what older pages prepend, so the view stays put. */
const FIRST_INDEX = 10_000_000;

interface ListContext {
  loadingOlder: boolean;
  hasOlder: boolean;
}

function Header({ context }: { context?: ListContext }) {
  if (!context?.hasOlder) return null;
  return context.loadingOlder ? <MessageSkeletons count={2} /> : <div className="list-top-spacer" />;
}
const components = { Header };

export function MessageList({ info, label }: { info: ChannelInfo; label: string }) {
  const channelId = info.channel.id;
  const { t } = useTranslation();
  const query = useMessages(channelId);
  const outgoing = useOutgoing(channelId);
  const me = useMe().data;
  const people = usePeople().data;
  const virtuoso = useRef<VirtuosoHandle>(null);

  const messages = useMemo(() => flatten(query.data), [query.data]);
  const ephemerals = useEphemerals(channelId);
  const shown = useMemo(() => withEphemerals(messages, ephemerals), [messages, ephemerals]);
  const firstUnreadId = useReadTracking(channelId, messages, me?.id);
  const atStart = query.isSuccess && !query.hasNextPage;
  const items = useMemo(() => buildItems(shown, outgoing, me?.id, atStart), [shown, outgoing, me?.id, atStart]);
  // the intro arrives with the oldest page: it counts as prepended
  const firstItemIndex = FIRST_INDEX - olderCount(query.data) - (atStart ? 1 : 0);

  const { hasNextPage, isFetchingNextPage, fetchNextPage } = query;
  const loadOlder = useCallback(() => {
    if (hasNextPage && !isFetchingNextPage) void fetchNextPage();
  }, [hasNextPage, isFetchingNextPage, fetchNextPage]);

  const jumpNotice = useJumpToMessage(items, virtuoso, query);

  const context = useMemo<ListContext>(() => ({ loadingOlder: isFetchingNextPage, hasOlder: !!hasNextPage }), [isFetchingNextPage, hasNextPage]);

  const itemContent = useCallback(
    (_index: number, item: Item) =>
      item.kind === 'intro' ? (
        <ChannelIntro info={info} label={label} />
      ) : (
      <div className="list-item">
        {item.newDay && <DaySeparator at={item.at} />}
        {item.kind === 'message' && item.message.id === firstUnreadId && <NewMessagesDivider />}
        {item.kind === 'message' ? (
          <MessageRow message={item.message} grouped={item.grouped} people={people} meId={me?.id} />
        ) : (
          <OutgoingRow out={item.out} grouped={item.grouped} me={me} />
        )}
      </div>
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
    <div className="message-list" role="log" aria-label={t('messages.listLabel', { name: label })}>
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
        followOutput={(atBottom) => (atBottom ? 'auto' : false)}
        startReached={loadOlder}
        computeItemKey={(_i, item) => item.key}
        itemContent={itemContent}
        increaseViewportBy={{ top: 600, bottom: 300 }}
      />
    </div>
  );
}
