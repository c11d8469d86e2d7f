import { useTranslation } from 'react-i18next';
import { displayTimeZone } from '../../lib/timeZone';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { rc } from '../rc';
import type { HistoryRecord, Integration } from './types';

const show = (v: unknown) => (typeof v === 'string' ? v : JSON.stringify(v, null, 2));

/** One part of a record: its label, then the text as it is. */
function Part({ label, text, className = '' }: { label: string; text: string; className?: string }) {
  return (
    <>
      <h4 className="history-label">{label}</h4>
      <pre className={`history-block ${className}`.trim()}>{text}</pre>
    </>
  );
}

/** `httpError` is `{error, message}` (the call got no answer: refused, timed out, blocked): its message, and its code when that says more. */
function httpErrorText(v: unknown): string | undefined {
  if (v === undefined || v === null || v === false) return undefined;
  if (typeof v === 'object' && typeof (v as { message?: unknown }).message === 'string') {
    const { error, message } = v as { error?: unknown; message: string };
    return typeof error === 'string' && error !== message ? `${message} (${error})` : message;
  }
  return show(v);
}

/**
 * Why an attempt failed, as the record says it (docs/integrations.md §8.9): `error` is `true` as in
 * Rocket.Chat or an error code, `errorStack` the script's error (or "the script ran for longer than
 * 3000 ms"), `httpError` why the call got no answer. `true` alone says nothing: the step it stopped at then.
 */
function Failure({ record: h }: { record: HistoryRecord }) {
  const { t } = useTranslation();
  const code = h.error === undefined || h.error === null || typeof h.error === 'boolean' ? undefined : show(h.error);
  const stack = typeof h.errorStack === 'string' && h.errorStack !== '' ? h.errorStack : undefined;
  const http = httpErrorText(h.httpError);
  if (!h.error && !stack && !http) return null;
  // a code the stack already states is not said twice
  const own = code !== undefined && !(stack?.includes(code) ?? false) ? code : undefined;
  return (
    <div className="history-failure">
      <h4 className="history-label">{t('admin.integrations.historyError')}</h4>
      {own !== undefined && <pre className="history-block history-error">{own}</pre>}
      {stack !== undefined && <pre className="history-block history-error">{stack}</pre>}
      {http !== undefined && (
        <pre className="history-block history-error">
          {t('admin.integrations.historyHttpError')}: {http}
        </pre>
      )}
      {own === undefined && stack === undefined && http === undefined && <pre className="history-block history-error">{t('admin.integrations.historyFailedAt', { step: h.step })}</pre>}
    </div>
  );
}

/** Each call or request of one integration, newest first: its last step, payload, answer, error and script console. */
export function HistoryPanel({ integration, onClose }: { integration: Integration; onClose(): void }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const incoming = integration.type === 'webhook-incoming';
  const key = ['admin', 'integrations', 'history', integration._id];
  const history = useQuery({
    queryKey: key,
    queryFn: () =>
      rc<{ history: HistoryRecord[] }>('GET', `integrations.${incoming ? 'incomingHistory' : 'history'}?id=${encodeURIComponent(integration._id)}&count=50`).then((r) => r.history),
  });
  const clear = useMutation({ mutationFn: () => rc('POST', 'integrations.clearHistory', { integrationId: integration._id }), onSettled: () => void qc.invalidateQueries({ queryKey: key }) });
  const replay = useMutation({
    mutationFn: (historyId: string) => rc('POST', 'integrations.replayOutgoing', { integrationId: integration._id, historyId }),
    onSettled: () => void qc.invalidateQueries({ queryKey: key }),
  });
  const when = new Intl.DateTimeFormat(i18n.language, { dateStyle: 'short', timeStyle: 'medium', timeZone: displayTimeZone() });
  const error = history.error ?? clear.error ?? replay.error;

  return (
    <section className="admin-history" aria-label={t('admin.integrations.historyOf', { name: integration.name })}>
      <div className="admin-toolbar">
        <h3 className="admin-subtitle">{t('admin.integrations.historyOf', { name: integration.name })}</h3>
        <button type="button" className="button button-small button-secondary" onClick={() => void history.refetch()}>
          {t('admin.integrations.refresh')}
        </button>
        <button type="button" className="button button-small button-secondary" disabled={clear.isPending} onClick={() => clear.mutate()}>
          {t('admin.integrations.clearHistory')}
        </button>
        <button type="button" className="button button-small button-secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
      {error && (
        <p className="form-error" role="alert">
          {error.message}
        </p>
      )}
      {history.data?.length === 0 && <p className="admin-empty">{t('admin.integrations.historyEmpty')}</p>}
      <ol className="admin-history-list">
        {(history.data ?? []).map((h) => (
          <li key={h._id} className="admin-card history-record">
            <div className="admin-card-head">
              <code className="history-step">{h.step}</code>
              {h.httpStatus !== undefined && <span className="badge">HTTP {h.httpStatus}</span>}
              <span className="admin-muted">{when.format(new Date(h._createdAt))}</span>
              {!incoming && (
                <button type="button" className="button button-small button-secondary admin-card-action" disabled={replay.isPending} onClick={() => replay.mutate(h._id)}>
                  {t('admin.integrations.replay')}
                </button>
              )}
            </div>
            <Failure record={h} />
            {typeof h.url === 'string' && h.url !== '' && <Part label={t('admin.integrations.historyUrl')} text={h.url} />}
            <details>
              <summary>{t('admin.integrations.details')}</summary>
              {h.data !== undefined && <Part label={t('admin.integrations.payload')} text={show(h.data)} />}
              {h.httpCallData !== undefined && <Part label={t('admin.integrations.historyRequest')} text={show(h.httpCallData)} />}
              {h.httpResult !== undefined && <Part label={t('admin.integrations.answer')} text={show(h.httpResult)} />}
            </details>
            {h.consoleOutput !== undefined && (Array.isArray(h.consoleOutput) ? h.consoleOutput.length > 0 : !!h.consoleOutput) && (
              <Part
                label={t('admin.integrations.console')}
                text={Array.isArray(h.consoleOutput) ? h.consoleOutput.map(show).join('\n') : show(h.consoleOutput)}
                className="history-console"
              />
            )}
          </li>
        ))}
      </ol>
    </section>
  );
}
