import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { rc, useRcMe } from '../rc';
import { OUTGOING_EVENTS, type Integration, type IntegrationType } from './types';
import { ScriptEditor } from './ScriptEditor';

const INCOMING_SAMPLE = `class Script {
  process_incoming_request({ request }) {
    console.log('received', request.content);
    return { content: { text: request.content.text } };
  }
}
`;

interface Draft {
  type: IntegrationType;
  name: string;
  enabled: boolean;
  channel: string;
  username: string;
  alias: string;
  emoji: string;
  event: string;
  urls: string;
  triggerWords: string;
  token: string;
  scriptEnabled: boolean;
  script: string;
}

const draftOf = (i: Integration | null, type: IntegrationType, username: string): Draft => ({
  type: i?.type ?? type,
  name: i?.name ?? '',
  enabled: i?.enabled ?? true,
  channel: i?.channel.join(', ') ?? '#general',
  username: i?.username ?? username,
  alias: i?.alias ?? '',
  emoji: i?.emoji ?? '',
  event: i?.event ?? 'sendMessage',
  urls: (i?.urls ?? []).join('\n'),
  triggerWords: (i?.triggerWords ?? []).join(', '),
  token: i?.token ?? '',
  scriptEnabled: i?.scriptEnabled ?? false,
  script: i?.script ?? (type === 'webhook-incoming' ? INCOMING_SAMPLE : ''),
});

const list = (s: string, sep: RegExp) =>
  s
    .split(sep)
    .map((x) => x.trim())
    .filter(Boolean);

/** The body of integrations.create / integrations.update (the schemas refuse unknown fields). */
export function bodyOf(d: Draft, id?: string): Record<string, unknown> {
  const base = { type: d.type, name: d.name, enabled: d.enabled, channel: d.channel, username: d.username, scriptEnabled: d.scriptEnabled, script: d.script, alias: d.alias, emoji: d.emoji };
  const idPart = id ? { integrationId: id } : {};
  if (d.type === 'webhook-incoming') return { ...idPart, ...base };
  return {
    ...idPart,
    ...base,
    event: d.event,
    urls: list(d.urls, /\n/),
    ...(d.event === 'sendMessage' && { triggerWords: list(d.triggerWords, /,/) }),
    ...((d.token || id) && { token: d.token }),
  };
}

/** Create or edit one integration; the script's compile error (stored by the server) is shown under the editor. */
export function IntegrationEditor({ integration, type, onDone }: { integration: Integration | null; type: IntegrationType; onDone(saved: Integration | null): void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const username = useRcMe().data?.username ?? '';
  const [d, setD] = useState<Draft>(() => draftOf(integration, type, username));
  // a new integration posts as the person unless they say otherwise (their name may arrive after the form opens)
  useEffect(() => {
    if (username) setD((x) => (x.username ? x : { ...x, username }));
  }, [username]);
  const [saved, setSaved] = useState<Integration | null>(integration);
  const save = useMutation({
    mutationFn: () => rc<{ integration: Integration }>(saved ? 'PUT' : 'POST', saved ? 'integrations.update' : 'integrations.create', bodyOf(d, saved?._id)),
    onSuccess: (r) => {
      setSaved(r.integration);
      setD((x) => ({ ...x, token: r.integration.token }));
      void qc.invalidateQueries({ queryKey: ['admin', 'integrations'] });
      if (!r.integration.scriptError) onDone(r.integration);
    },
  });
  const set = <K extends keyof Draft>(k: K, v: Draft[K]) => setD((x) => ({ ...x, [k]: v }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate();
  };
  const outgoing = d.type === 'webhook-outgoing';
  const scriptError = saved?.scriptError;
  const pre = `integration-${saved?._id ?? 'new'}`;

  return (
    <form className="admin-form integration-editor" onSubmit={submit} aria-label={saved ? t('admin.integrations.editTitle', { name: saved.name }) : t('admin.integrations.newTitle')}>
      <h3 className="admin-subtitle">{saved ? t('admin.integrations.editTitle', { name: saved.name }) : t('admin.integrations.newTitle')}</h3>
      <div className="admin-form-grid">
        <div className="field">
          <label htmlFor={`${pre}-name`}>{t('admin.integrations.name')}</label>
          <input id={`${pre}-name`} required value={d.name} onChange={(e) => set('name', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${pre}-channel`}>{t('admin.integrations.channel')}</label>
          <input id={`${pre}-channel`} required={!outgoing} value={d.channel} onChange={(e) => set('channel', e.target.value)} aria-describedby={`${pre}-channel-hint`} />
          <small id={`${pre}-channel-hint`} className="admin-muted">
            {t('admin.integrations.channelHint')}
          </small>
        </div>
        <div className="field">
          <label htmlFor={`${pre}-username`}>{t('admin.integrations.username')}</label>
          <input id={`${pre}-username`} required value={d.username} onChange={(e) => set('username', e.target.value)} />
        </div>
        <div className="field">
          <label htmlFor={`${pre}-alias`}>{t('admin.integrations.alias')}</label>
          <input id={`${pre}-alias`} value={d.alias} onChange={(e) => set('alias', e.target.value)} />
        </div>
        {outgoing && (
          <>
            <div className="field">
              <label htmlFor={`${pre}-event`}>{t('admin.integrations.event')}</label>
              <select id={`${pre}-event`} className="select" value={d.event} onChange={(e) => set('event', e.target.value)}>
                {OUTGOING_EVENTS.map((ev) => (
                  <option key={ev} value={ev}>
                    {ev}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor={`${pre}-words`}>{t('admin.integrations.triggerWords')}</label>
              <input id={`${pre}-words`} value={d.triggerWords} disabled={d.event !== 'sendMessage'} onChange={(e) => set('triggerWords', e.target.value)} />
            </div>
            <div className="field admin-span-2">
              <label htmlFor={`${pre}-urls`}>{t('admin.integrations.urls')}</label>
              <textarea id={`${pre}-urls`} className="textarea" rows={2} required value={d.urls} onChange={(e) => set('urls', e.target.value)} />
            </div>
          </>
        )}
      </div>
      <div className="admin-checks">
        <label>
          <input type="checkbox" checked={d.enabled} onChange={(e) => set('enabled', e.target.checked)} /> {t('admin.integrations.enabled')}
        </label>
        <label>
          <input type="checkbox" checked={d.scriptEnabled} onChange={(e) => set('scriptEnabled', e.target.checked)} /> {t('admin.integrations.scriptEnabled')}
        </label>
      </div>
      <div className="field">
        <span className="admin-field-label" id={`${pre}-script-label`}>
          {t('admin.integrations.script')}
        </span>
        <ScriptEditor id={`${pre}-script`} label={t('admin.integrations.script')} value={d.script} onChange={(v) => set('script', v)} describedBy={scriptError ? `${pre}-script-error` : undefined} />
        {scriptError && (
          <div className="script-error" id={`${pre}-script-error`} role="alert">
            <strong>{t('admin.integrations.scriptErrorTitle')}</strong> {scriptError.name}: {scriptError.message}
          </div>
        )}
      </div>
      {save.isError && (
        <p className="form-error" role="alert">
          {t('admin.integrations.saveFailed', { message: save.error.message })}
        </p>
      )}
      <div className="admin-form-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {t('common.save')}
        </button>
        <button type="button" className="button button-secondary" onClick={() => onDone(saved)}>
          {t('common.close')}
        </button>
      </div>
    </form>
  );
}
