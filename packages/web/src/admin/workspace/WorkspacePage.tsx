import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Workspace } from '../../lib/types';
import { LANGUAGES } from '../../i18n';
import { useMe, useWorkspace, workspaceKey } from '../../people/usePeople';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { reasonOf } from '../reason';

/** The server's rule for the name (domain/accounts.ts updateWorkspace): 1 to 80 characters once trimmed. */
const NAME_MAX = 80;

/**
 * The workspace's name and default language (`PUT /v1/workspace`, owners only; admins see them
 * read-only). Message retention has no server setting yet: messages are kept until deleted.
 */
export function WorkspacePage() {
  const { t } = useTranslation();
  const ws = useWorkspace();
  const isOwner = useMe().data?.workspaceRole === 'OWNER';
  return (
    <AdminSection title={t('admin.workspace.title')} intro={isOwner ? t('admin.workspace.intro') : t('admin.workspace.ownersOnly')} missing={[t('admin.workspace.missingRetention')]}>
      {ws.isError && <ErrorNotice title={t('admin.workspace.loadFailed')} error={ws.error} onRetry={() => void ws.refetch()} />}
      {ws.isPending ? <SkeletonLine width="40%" /> : ws.data && <WorkspaceForm workspace={ws.data} editable={isOwner} />}
      <dl className="admin-facts">
        <dt>{t('admin.workspace.id')}</dt>
        <dd>
          <code>{ws.data?.id ?? '…'}</code>
        </dd>
        <dt>{t('admin.workspace.retention')}</dt>
        <dd>{t('admin.workspace.retentionServer')}</dd>
      </dl>
    </AdminSection>
  );
}

function WorkspaceForm({ workspace, editable }: { workspace: Workspace; editable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [locale, setLocale] = useState(workspace.locale ?? 'en');
  const save = useMutation({
    mutationFn: (body: { name: string; locale: string }) => api.put<Workspace>('/v1/workspace', body),
    // The sidebar's workspace name is this cache entry: it changes at once.
    onSuccess: (updated) => qc.setQueryData(workspaceKey, updated),
  });
  const trimmed = name.trim();
  const problem = trimmed.length === 0 ? t('admin.workspace.nameEmpty') : trimmed.length > NAME_MAX ? t('admin.workspace.nameTooLong', { max: NAME_MAX }) : null;
  const changed = trimmed !== workspace.name || locale !== (workspace.locale ?? 'en');
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem === null) save.mutate({ name: trimmed, locale });
  };
  // A language the server holds that this client has no translation for is still shown as it is.
  const languages: { code: string; label: string }[] = LANGUAGES.some((l) => l.code === locale) ? [...LANGUAGES] : [...LANGUAGES, { code: locale, label: locale }];
  return (
    <form className="admin-form admin-form-grid" onSubmit={submit} aria-label={t('admin.workspace.title')} noValidate>
      <div className="field">
        <label htmlFor="workspace-name">{t('admin.workspace.name')}</label>
        <input
          id="workspace-name"
          value={name}
          readOnly={!editable}
          maxLength={NAME_MAX + 20}
          onChange={(e) => {
            setName(e.target.value);
            save.reset();
          }}
          aria-invalid={problem !== null || undefined}
          aria-describedby={problem !== null ? 'workspace-name-error' : undefined}
        />
        {problem !== null && (
          <p className="form-error" id="workspace-name-error" role="alert">
            {problem}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor="workspace-language">{t('admin.workspace.language')}</label>
        <select
          id="workspace-language"
          className="select"
          value={locale}
          disabled={!editable}
          onChange={(e) => {
            setLocale(e.target.value);
            save.reset();
          }}
          aria-describedby="workspace-language-note"
        >
          {languages.map((l) => (
            <option key={l.code} value={l.code} lang={l.code}>
              {l.label}
            </option>
          ))}
        </select>
        <small id="workspace-language-note" className="admin-muted">
          {t('admin.workspace.languageNote')}
        </small>
      </div>
      {editable && (
        <div className="admin-form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending || !changed || problem !== null}>
            {t('admin.workspace.save')}
          </button>
          {save.isSuccess && !changed && (
            <span className="admin-ok" role="status">
              {t('admin.workspace.saved')}
            </span>
          )}
          {save.isError && (
            <p className="form-error" role="alert">
              {t('admin.workspace.saveFailed', { reason: reasonOf(save.error, t) })}
            </p>
          )}
        </div>
      )}
    </form>
  );
}
