import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { AdminSection } from '../AdminPage';
import { rc, useRcMe } from '../rc';
import { IntegrationEditor, bodyOf } from './IntegrationEditor';
import { HistoryPanel } from './HistoryPanel';
import type { Integration, IntegrationType } from './types';

/** Rocket.Chat-style incoming and outgoing webhooks (docs/integrations.md §6), through `/api/v1/integrations.*`. */
export function IntegrationsPage() {
  const { t } = useTranslation();
  return (
    <AdminSection title={t('admin.integrations.title')} intro={t('admin.integrations.intro')}>
      <IntegrationList />
    </AdminSection>
  );
}

export const hookUrl = (i: Integration) => `${location.origin}/hooks/${i._id}/${i.token}`;

function IntegrationList() {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [editing, setEditing] = useState<{ integration: Integration | null; type: IntegrationType } | null>(null);
  const [history, setHistory] = useState<Integration | null>(null);
  useRcMe(); // the editor's default "post as" username, loaded before it opens
  const integrations = useQuery({
    queryKey: ['admin', 'integrations'],
    queryFn: () => rc<{ integrations: Integration[] }>('GET', 'integrations.list?count=100').then((r) => r.integrations),
  });
  const toggle = useMutation({
    mutationFn: (i: Integration) =>
      rc('PUT', 'integrations.update', {
        ...bodyOf(
          {
            type: i.type, name: i.name, enabled: !i.enabled, channel: i.channel.join(', '), username: i.username, alias: i.alias ?? '', emoji: i.emoji ?? '',
            event: i.event ?? 'sendMessage', urls: (i.urls ?? []).join('\n'), triggerWords: (i.triggerWords ?? []).join(', '), token: i.token, scriptEnabled: i.scriptEnabled, script: i.script ?? '',
          },
          i._id,
        ),
      }),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['admin', 'integrations'] }),
  });
  const remove = useMutation({
    mutationFn: (i: Integration) => rc('POST', 'integrations.remove', { type: i.type, integrationId: i._id }),
    onSettled: () => void qc.invalidateQueries({ queryKey: ['admin', 'integrations'] }),
  });

  if (editing)
    return (
      <IntegrationEditor
        integration={editing.integration}
        type={editing.type}
        onDone={() => setEditing(null)}
      />
    );
  if (history) return <HistoryPanel integration={history} onClose={() => setHistory(null)} />;

  const error = integrations.error ?? toggle.error ?? remove.error;
  return (
    <>
      <div className="admin-toolbar">
        <button type="button" className="button button-primary" onClick={() => setEditing({ integration: null, type: 'webhook-incoming' })}>
          {t('admin.integrations.newIncoming')}
        </button>
        <button type="button" className="button button-secondary" onClick={() => setEditing({ integration: null, type: 'webhook-outgoing' })}>
          {t('admin.integrations.newOutgoing')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {integrations.data && integrations.data.length === 0 && <p className="admin-empty">{t('admin.integrations.empty')}</p>}
      <ul className="admin-cards">
        {(integrations.data ?? []).map((i) => (
          <li key={i._id} className="admin-card" data-testid={`integration-${i.name}`}>
            <div className="admin-card-head">
              <strong>{i.name}</strong>
              <span className="badge">{i.type === 'webhook-incoming' ? t('admin.integrations.incoming') : t('admin.integrations.outgoing')}</span>
              <span className={`admin-status${i.enabled ? '' : ' is-off'}`}>{i.enabled ? t('admin.integrations.on') : t('admin.integrations.off')}</span>
              {i.scriptError && <span className="admin-status is-off">{t('admin.integrations.scriptBroken')}</span>}
            </div>
            <p className="admin-muted">
              {i.type === 'webhook-outgoing' ? `${i.event} → ${(i.urls ?? []).join(', ')}` : i.channel.join(', ')} · {t('admin.integrations.postsAs', { username: i.username })}
            </p>
            {i.type === 'webhook-incoming' && (
              <div className="admin-hook-url">
                <label htmlFor={`hook-${i._id}`}>{t('admin.integrations.url')}</label>
                <input id={`hook-${i._id}`} className="admin-input admin-mono" readOnly value={hookUrl(i)} onFocus={(e) => e.currentTarget.select()} />
              </div>
            )}
            <div className="admin-card-actions">
              <button type="button" className="button button-small button-secondary" onClick={() => setEditing({ integration: i, type: i.type })}>
                {t('admin.integrations.edit')}
              </button>
              <button type="button" className="button button-small button-secondary" disabled={toggle.isPending} onClick={() => toggle.mutate(i)}>
                {i.enabled ? t('admin.integrations.disable') : t('admin.integrations.enable')}
              </button>
              <button type="button" className="button button-small button-secondary" onClick={() => setHistory(i)}>
                {t('admin.integrations.history')}
              </button>
              <button type="button" className="button button-small button-danger" disabled={remove.isPending} onClick={() => window.confirm(t('admin.integrations.removeConfirm', { name: i.name })) && remove.mutate(i)}>
                {t('admin.integrations.remove')}
              </button>
            </div>
          </li>
        ))}
      </ul>
    </>
  );
}
