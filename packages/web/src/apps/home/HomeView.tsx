import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { Blocks } from '../blocks/Blocks';
import { withEntry, type BlockEnv } from '../blocks/context';
import { useHomeView } from '../queries';
import { textOf, type View, type ViewState } from '../types';
import { EmptyState } from '../../ui/EmptyState';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';

function HomeBlocks({ view }: { view: View }) {
  const [state, setState] = useState<ViewState>(view.state ?? { values: {} });
  const [version, setVersion] = useState(view.version);
  if (view.version !== version) {
    setVersion(view.version);
    setState(view.state ?? { values: {} });
  }
  const env = useMemo<BlockEnv>(
    () => ({ source: { sourceType: 'VIEW', sourceId: view.id }, state, setEntry: (b, a, e) => setState((s) => withEntry(s, b, a, e)), idPrefix: view.id }),
    [view.id, state],
  );
  return <Blocks blocks={view.blocks} env={env} />;
}

/** The app's home view for this person (`GET /v1/apps/{id}/homeView`), live on `view.updated`. */
export function HomeView({ appId }: { appId: string }) {
  const { t } = useTranslation();
  const home = useHomeView(appId);
  if (home.isPending)
    return (
      <div className="app-home-loading" aria-busy="true" aria-label={t('apps.page.loadingHome')}>
        <SkeletonLine width="50%" />
        <SkeletonLine width="70%" />
        <SkeletonLine width="35%" />
      </div>
    );
  if (home.isError) return <ErrorNotice title={t('apps.page.homeFailed')} error={home.error} onRetry={() => void home.refetch()} />;
  if (!home.data)
    return (
      <EmptyState title={t('apps.page.noHomeTitle')}>
        <p>{t('apps.page.noHomeBody')}</p>
      </EmptyState>
    );
  // the view's own title (Pumble's home view has one) heads it; the page's header names the app
  const title = textOf(home.data.title);
  return (
    <div className="app-home">
      {title && <h2 className="app-home-title">{title}</h2>}
      <HomeBlocks view={home.data} />
    </div>
  );
}
