import { useTranslation } from 'react-i18next';
import { displayTimeZone } from '../../lib/timeZone';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { seg } from '../../lib/api';
import type { Session } from '../../lib/types';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { reasonOf } from '../reason';
import { SkeletonLine } from '../../ui/Skeleton';
import { dev } from '../devToken';

interface Delivery {
  id: string;
  eventType: string;
  url: string;
  status: string;
  createdAt: number;
  attemptCount: number;
  lastStatusCode: number | null;
  lastError: string | null;
  manual: boolean;
}

/** `GET …/apps/{id}/deliveries` (newest first) with replay (`POST …/deliveries/{d}/replay`). */
export function DeliveryLog({ session, appId }: { session: Session; appId: string }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const key = ['admin', 'deliveries', appId];
  const log = useQuery({ queryKey: key, queryFn: () => dev<Delivery[]>(session, 'GET', `/${seg(appId)}/deliveries?limit=50`) });
  const replay = useMutation({
    mutationFn: (id: string) => dev<object>(session, 'POST', `/${seg(appId)}/deliveries/${seg(id)}/replay`),
    onSettled: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium', timeZone: displayTimeZone() });
  if (log.isPending) return <SkeletonLine width="60%" />;
  if (log.isError) return <ErrorNotice title={t('admin.apps.deliveriesFailed')} error={log.error} onRetry={() => void log.refetch()} />;
  const refresh = (
    <button type="button" className="button button-small button-secondary" disabled={log.isFetching} onClick={() => void log.refetch()}>
      {t('admin.apps.refresh')}
    </button>
  );
  if (log.data.length === 0)
    return (
      <div className="admin-toolbar">
        <p className="admin-empty">{t('admin.apps.deliveriesEmpty')}</p>
        {refresh}
      </div>
    );
  return (
    <>
      <div className="admin-toolbar">{refresh}</div>
      {replay.isError && (
        <p className="form-error" role="alert">
          {t('admin.apps.replayFailed', { reason: reasonOf(replay.error, t) })}
        </p>
      )}
      {replay.isSuccess && (
        <p className="admin-ok" role="status">
          {t('admin.apps.replayed')}
        </p>
      )}
      <table className="admin-table admin-table-compact">
        <thead>
          <tr>
            <th scope="col">{t('admin.apps.when')}</th>
            <th scope="col">{t('admin.apps.event')}</th>
            <th scope="col">{t('admin.apps.deliveryStatus')}</th>
            <th scope="col">{t('admin.apps.attempts')}</th>
            <th scope="col">
              <span className="visually-hidden">{t('admin.actions')}</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {log.data.map((d) => (
            <tr key={d.id}>
              <td>{when.format(d.createdAt)}</td>
              <td>
                <code>{d.eventType}</code>
              </td>
              <td>
                <span className={`admin-status${d.status === 'failed' ? ' is-off' : ''}`}>{d.status}</span>
                {d.lastStatusCode !== null && <span className="admin-muted"> HTTP {d.lastStatusCode}</span>}
                {d.lastError && <div className="admin-muted">{d.lastError}</div>}
              </td>
              <td>{d.attemptCount}</td>
              <td className="admin-row-actions">
                <button
                  type="button"
                  className="button button-small button-secondary"
                  disabled={replay.isPending}
                  aria-label={t('admin.apps.replayWhich', { event: d.eventType, when: when.format(d.createdAt) })}
                  onClick={() => replay.mutate(d.id)}
                >
                  {t('admin.apps.replay')}
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
