import { useTranslation } from 'react-i18next';
import { useWorkspace } from '../../people/usePeople';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { AdminSection } from '../AdminPage';

/** The workspace's settings. The server has read-only `GET /v1/workspace` so far: shown, not editable. */
export function WorkspacePage() {
  const { t } = useTranslation();
  const ws = useWorkspace();
  return (
    <AdminSection title={t('admin.workspace.title')} missing={[t('admin.workspace.missingName'), t('admin.workspace.missingLanguage'), t('admin.workspace.missingRetention')]}>
      {ws.isError && <ErrorNotice title={t('admin.workspace.loadFailed')} error={ws.error} onRetry={() => void ws.refetch()} />}
      <dl className="admin-facts">
        <dt>{t('admin.workspace.name')}</dt>
        <dd>{ws.data?.name ?? '…'}</dd>
        <dt>{t('admin.workspace.id')}</dt>
        <dd>
          <code>{ws.data?.id ?? '…'}</code>
        </dd>
        <dt>{t('admin.workspace.language')}</dt>
        <dd>{t('admin.workspace.languageUnknown')}</dd>
        <dt>{t('admin.workspace.retention')}</dt>
        <dd>{t('admin.workspace.retentionServer')}</dd>
      </dl>
    </AdminSection>
  );
}
