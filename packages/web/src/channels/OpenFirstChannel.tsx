import { Navigate, useOutletContext } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useChannels } from './useChannels';
import { MessageSkeletons } from '../ui/Skeleton';
import { EmptyState } from '../ui/EmptyState';
import { ErrorNotice } from '../ui/ErrorNotice';
import { ChatIcon, MenuIcon } from '../ui/icons';
import type { ShellContext } from '../app/Shell';

/** `/`: the main channel (or the first one joined). */
export function OpenFirstChannel() {
  const { t } = useTranslation();
  const { openDrawer } = useOutletContext<ShellContext>();
  const channels = useChannels();
  const joined = channels.data?.filter((c) => c.channel.isMember && !c.channel.isArchived);
  const target = joined?.find((c) => c.channel.isMain) ?? joined?.[0];
  if (target) return <Navigate to={`/c/${target.channel.id}`} replace />;
  return (
    <main className="main" id="main">
      <div className="channel-header">
        <button type="button" className="icon-button drawer-toggle" onClick={openDrawer} aria-label={t('shell.openSidebar')}>
          <MenuIcon />
        </button>
      </div>
      {channels.isPending && <MessageSkeletons />}
      {channels.isError && <ErrorNotice title={t('channels.loadFailed')} error={channels.error} onRetry={() => void channels.refetch()} />}
      {channels.data && (
        <EmptyState icon={<ChatIcon size={32} />} title={t('channels.noneTitle')}>
          <p>{t('channels.noneBody')}</p>
        </EmptyState>
      )}
    </main>
  );
}
