import { useEffect } from 'react';
import { Link, useOutletContext, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ShellContext } from '../app/Shell';
import { useSearch, type SearchHit } from './useSearch';
import { Highlighted } from './Highlighted';
import { useChannels, channelLabel } from '../channels/useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { formatFull } from '../lib/format';
import { useDisplayTimeZone } from '../lib/timeZone';
import { Avatar } from '../ui/Avatar';
import { EmptyState } from '../ui/EmptyState';
import { ErrorNotice } from '../ui/ErrorNotice';
import { MessageSkeletons } from '../ui/Skeleton';
import { HashIcon, LockIcon, MenuIcon } from '../ui/icons';
import { FileIcon, SearchIcon } from '../files/icons';
import './search.css';
import { setTitle } from '../unread/useUnreadTitle';

/** A phrase search's own quotes are not shown inside the title's: “Project X”, not “"Project X"”. */
const unquoted = (q: string) => (/^"[^"]+"$/.test(q.trim()) ? q.trim().slice(1, -1) : q);

/** Where a hit opens: its place in the channel, or its thread when it lives only there. */

export function hitPath(hit: SearchHit): string {
  const c = encodeURIComponent(hit.channelId);
  const reply = hit.threadReplyInfo;
  if (reply && !reply.replySentToChannel) return `/c/${c}/t/${encodeURIComponent(reply.rootId)}`;
  return `/c/${c}/m/${encodeURIComponent(hit.id)}`;
}

function Tips() {
  const { t } = useTranslation();
  const tips: Array<[string, string]> = [
    ['"release notes"', t('search.tipPhrase')],
    ['in:#general', t('search.tipIn')],
    ['from:@ana', t('search.tipFrom')],
    ['after:2026-01-31', t('search.tipDates')],
    ['deploy*', t('search.tipPrefix')],
  ];
  return (
    <dl className="search-tips">
      {tips.map(([code, text]) => (
        <div key={code} className="search-tip">
          <dt>
            <code>{code}</code>
          </dt>
          <dd>{text}</dd>
        </div>
      ))}
    </dl>
  );
}

function Result({ hit }: { hit: SearchHit }) {
  const { t, i18n } = useTranslation();
  const zone = useDisplayTimeZone();
  const channels = useChannels().data;
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const info = channels?.find((c) => c.channel.id === hit.channelId);
  const where = info ? channelLabel(info, people, meId, t('channels.you')) : t('search.someChannel');
  const type = info?.channel.channelType;
  const author = hit.alias ?? people?.get(hit.author)?.name ?? t('messages.unknownAuthor');
  return (
    <li className="search-hit">
      <Link to={hitPath(hit)} className="search-hit-link">
        <span className="search-hit-where">
          {type === 'PRIVATE' ? <LockIcon size={13} /> : type === 'PUBLIC' ? <HashIcon size={13} /> : null}
          {where}
          {hit.threadReplyInfo && <span className="search-hit-thread"> · {t('search.inThread')}</span>}
        </span>
        <span className="search-hit-meta">
          <Avatar id={hit.author} name={author} size={20} />
          <span className="search-hit-author">{author}</span>
          <time dateTime={hit.timestamp}>{formatFull(hit.timestampMilli, i18n.language, zone)}</time>
        </span>
        <Highlighted hit={hit} />
        {hit.files.length > 0 && (
          <span className="search-hit-files">
            <FileIcon size={14} /> {hit.files.map((f) => f.name).join(', ')}
          </span>
        )}
        <span className="visually-hidden">{t('search.jump')}</span>
      </Link>
    </li>
  );
}

/** Search results in the centre column: `/search?q=…`. */
export function SearchPage() {
  const { t } = useTranslation();
  const [params] = useSearchParams();
  const q = (params.get('q') ?? '').trim();
  const { openDrawer } = useOutletContext<ShellContext>();
  const search = useSearch(q);
  const hits = search.data?.pages.flatMap((p) => p.content) ?? [];
  const total = search.data?.pages[0]?.totalElements ?? 0;

  useEffect(() => {
    setTitle(q ? `${t('search.titleFor', { query: q })} · Switchboard` : `${t('search.title')} · Switchboard`);
  }, [q, t]);

  return (
    <main className="main" id="main">
      <header className="channel-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
        <div className="channel-header-titles">
          <h1 className="channel-header-name">
            <SearchIcon size={18} />
            <span>{q ? t('search.titleFor', { query: q }) : t('search.title')}</span>
          </h1>
          {search.isSuccess && <p className="channel-header-topic" role="status">{t('search.count', { count: total })}</p>}
        </div>
      </header>
      <div className="search-results">
        {!q ? (
          <EmptyState icon={<SearchIcon size={32} />} title={t('search.emptyTitle')}>
            <p>{t('search.emptyBody')}</p>
            <Tips />
          </EmptyState>
        ) : search.isPending ? (
          <MessageSkeletons count={4} />
        ) : search.isError && !search.data ? (
          <ErrorNotice title={t('search.failed')} error={search.error} onRetry={() => void search.refetch()} />
        ) : hits.length === 0 ? (
          <EmptyState icon={<SearchIcon size={32} />} title={t('search.noResultsTitle', { query: unquoted(q) })}>
            <p>{t('search.noResultsBody')}</p>
            <Tips />
          </EmptyState>
        ) : (
          <>
            <ul className="search-hits" aria-label={t('search.resultsLabel', { query: q })}>
              {hits.map((hit) => (
                <Result key={hit.id} hit={hit} />
              ))}
            </ul>
            {search.hasNextPage && (
              <button type="button" className="button button-secondary search-more" disabled={search.isFetchingNextPage} onClick={() => void search.fetchNextPage()}>
                {search.isFetchingNextPage ? t('search.loadingMore') : t('search.more')}
              </button>
            )}
            {search.isFetchNextPageError && <ErrorNotice title={t('search.failed')} error={search.error} onRetry={() => void search.fetchNextPage()} />}
          </>
        )}
      </div>
    </main>
  );
}
