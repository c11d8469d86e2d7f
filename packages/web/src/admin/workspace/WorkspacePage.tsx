import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { api } from '../../lib/api';
import type { Workspace } from '../../lib/types';
import { LANGUAGES } from '../../i18n';
import { useMe, useWorkspace, workspaceKey } from '../../people/usePeople';
import { ErrorNotice } from '../../ui/ErrorNotice';
import { SkeletonLine } from '../../ui/Skeleton';
import { AdminSection } from '../AdminPage';
import { reasonOf } from '../reason';
import { isAdmin } from '../isAdmin';
import './strings';

/** The server's rule for the name (domain/accounts.ts updateWorkspace): 1 to 80 characters once trimmed. */
const NAME_MAX = 80;
/** The server's longest retention (domain/retention.ts MAX_RETENTION_DAYS). */
const RETENTION_MAX = 36_500;

/** The retention field's text as days: null keeps forever; undefined is not a valid entry. */
function retentionOf(text: string): number | null | undefined {
  const v = text.trim();
  if (v === '' || v === '0') return null;
  if (!/^\d+$/.test(v)) return undefined;
  const days = Number(v);
  return days >= 1 && days <= RETENTION_MAX ? days : undefined;
}

/**
 * The workspace's name, default language and message retention (`PUT /v1/workspace`, owners only;
 * admins see them read-only). Other tabs follow through the `workspace.updated` frame.
 */
export function WorkspacePage() {
  const { t } = useTranslation();
  const ws = useWorkspace();
  const role = useMe().data?.workspaceRole;
  const isOwner = role === 'OWNER';
  return (
    <AdminSection title={t('admin.workspace.title')} intro={isOwner ? t('admin.workspace.intro') : t('admin.workspace.ownersOnly')}>
      {ws.isError && <ErrorNotice title={t('admin.workspace.loadFailed')} error={ws.error} onRetry={() => void ws.refetch()} />}
      {ws.isPending ? <SkeletonLine width="40%" /> : ws.data && <WorkspaceForm workspace={ws.data} editable={isOwner} />}
      <LinkPreviewsSwitch editable={isAdmin(role)} />
      <dl className="admin-facts">
        <dt>{t('admin.workspace.id')}</dt>
        <dd>
          <code>{ws.data?.id ?? '…'}</code>
        </dd>
        <dt>{t('admin.workspace.retention')}</dt>
        <dd data-testid="workspace-retention">
          {ws.data?.messageRetentionDays ? t('admin.workspace.retentionValue', { count: ws.data.messageRetentionDays }) : t('admin.workspace.retentionForever')}
        </dd>
      </dl>
    </AdminSection>
  );
}

function WorkspaceForm({ workspace, editable }: { workspace: Workspace; editable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [name, setName] = useState(workspace.name);
  const [locale, setLocale] = useState(workspace.locale ?? 'en');
  const [retention, setRetention] = useState(workspace.messageRetentionDays ? String(workspace.messageRetentionDays) : '');
  const save = useMutation({
    mutationFn: (body: { name: string; locale: string; messageRetentionDays: number | null }) => api.put<Workspace>('/v1/workspace', body),
    // The sidebar's workspace name is this cache entry: it changes at once.
    onSuccess: (updated) => qc.setQueryData(workspaceKey, updated),
  });
  const trimmed = name.trim();
  const problem = trimmed.length === 0 ? t('admin.workspace.nameEmpty') : trimmed.length > NAME_MAX ? t('admin.workspace.nameTooLong', { max: NAME_MAX }) : null;
  const days = retentionOf(retention);
  const changed = trimmed !== workspace.name || locale !== (workspace.locale ?? 'en') || (days !== undefined && days !== (workspace.messageRetentionDays ?? null));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (problem === null && days !== undefined) save.mutate({ name: trimmed, locale, messageRetentionDays: days });
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
      <div className="field">
        <label htmlFor="workspace-retention">{t('admin.workspace.retentionDays')}</label>
        <input
          id="workspace-retention"
          inputMode="numeric"
          value={retention}
          readOnly={!editable}
          placeholder="0"
          onChange={(e) => {
            setRetention(e.target.value);
            save.reset();
          }}
          aria-invalid={days === undefined || undefined}
          aria-describedby={days === undefined ? 'workspace-retention-error' : 'workspace-retention-note'}
        />
        {days === undefined ? (
          <p className="form-error" id="workspace-retention-error" role="alert">
            {t('admin.workspace.retentionInvalid', { max: RETENTION_MAX })}
          </p>
        ) : (
          <small id="workspace-retention-note" className="admin-muted">
            {t('admin.workspace.retentionNote')}
          </small>
        )}
      </div>
      {editable && (
        <div className="admin-form-actions">
          <button type="submit" className="button button-primary" disabled={save.isPending || !changed || problem !== null || days === undefined}>
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

interface LinkPreviewSetting {
  enabled: boolean;
}
const linkPreviewsKey = ['workspace', 'linkPreviews'] as const;

/**
 * Whether posted links get preview cards (web-client.md §6.1; `GET`/`PUT /v1/workspace/linkPreviews`):
 * owners and admins switch it, everyone else sees it read-only. Cards already shown stay either way.
 */
function LinkPreviewsSwitch({ editable }: { editable: boolean }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const setting = useQuery({ queryKey: linkPreviewsKey, queryFn: () => api.get<LinkPreviewSetting>('/v1/workspace/linkPreviews') });
  const save = useMutation({
    mutationFn: (enabled: boolean) => api.put<LinkPreviewSetting>('/v1/workspace/linkPreviews', { enabled }),
    onSuccess: (saved) => qc.setQueryData(linkPreviewsKey, saved),
  });
  if (setting.isError) return <ErrorNotice title={t('admin.workspace.linkPreviewsLoadFailed')} error={setting.error} onRetry={() => void setting.refetch()} />;
  if (setting.isPending) return <SkeletonLine width="30%" />;
  const on = save.isPending && save.variables !== undefined ? save.variables : setting.data.enabled;
  return (
    <div className="admin-form">
      <div className="field">
        <label className="admin-switch">
          <input
            type="checkbox"
            role="switch"
            checked={on}
            disabled={!editable || save.isPending}
            onChange={(e) => save.mutate(e.target.checked)}
            aria-describedby="workspace-link-previews-note"
          />{' '}
          {t('admin.workspace.linkPreviews')}
        </label>
        <small id="workspace-link-previews-note" className="admin-muted">
          {editable ? t('admin.workspace.linkPreviewsNote') : t('admin.workspace.linkPreviewsAdminsOnly')}
        </small>
        {save.isError && (
          <p className="form-error" role="alert">
            {t('admin.workspace.linkPreviewsFailed', { reason: reasonOf(save.error, t) })}
          </p>
        )}
      </div>
    </div>
  );
}
