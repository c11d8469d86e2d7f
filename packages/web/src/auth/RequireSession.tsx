import type { ReactNode } from 'react';
import { Navigate, useLocation } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useSession } from './session';
import { ErrorNotice } from '../ui/ErrorNotice';
import { ShellSkeleton } from '../ui/Skeleton';

/** The app is for signed-in people; everyone else goes to /login and comes back afterwards. */
export function RequireSession({ children }: { children: ReactNode }) {
  const session = useSession();
  const location = useLocation();
  const { t } = useTranslation();
  if (session.isPending) return <ShellSkeleton />;
  if (session.isError) {
    return (
      <div className="center-page">
        <ErrorNotice title={t('errors.serverUnreachable')} error={session.error} onRetry={() => void session.refetch()} />
      </div>
    );
  }
  if (!session.data) {
    const next = location.pathname + location.search;
    return <Navigate to={next === '/' ? '/login' : `/login?next=${encodeURIComponent(next)}`} replace />;
  }
  return <>{children}</>;
}
