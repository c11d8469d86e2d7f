import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { describeError } from '../ui/ErrorNotice';

const EXPIRIES = ['never', '30m', '1h', '4h', 'today', 'week'] as const;
type Expiry = (typeof EXPIRIES)[number];

function expiresAt(e: Expiry, now = new Date()): number {
  const ms = { never: 0, '30m': 30 * 60_000, '1h': 3_600_000, '4h': 4 * 3_600_000 } as Record<string, number>;
  if (e in ms) return ms[e] === 0 ? 0 : now.getTime() + ms[e]!;
  const end = new Date(now);
  end.setHours(23, 59, 59, 0);
  if (e === 'week') end.setDate(end.getDate() + ((7 - end.getDay()) % 7));
  return end.getTime();
}

/** `PUT /v1/workspaceUsers/customStatus {code, status, expiresAt}`: an emoji, a text and when it ends. */
export function StatusForm({ me }: { me: WorkspaceUser }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const [code, setCode] = useState(me.customStatus?.code ?? ':speech_balloon:');
  const [text, setText] = useState(me.customStatus?.status ?? '');
  const [expiry, setExpiry] = useState<Expiry>('never');
  const save = useMutation({
    mutationFn: (body: { code: string; status: string; expiresAt: number }) => api.put<WorkspaceUser>('/v1/workspaceUsers/customStatus', body),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const c = code.trim();
    save.mutate({ code: /^:.+:$/.test(c) ? c : `:${c.replace(/:/g, '')}:`, status: text, expiresAt: expiresAt(expiry) });
  };
  // The server cannot clear a status yet: one that ends in a second is the closest.
  const clear = () => save.mutate({ code: me.customStatus?.code ?? code, status: '', expiresAt: Date.now() + 1000 }, { onSuccess: () => setText('') });

  return (
    <form className="profile-form" onSubmit={submit}>
      <div className="profile-row">
        <div className="field profile-emoji">
          <label htmlFor="status-emoji">{t('profile.status.emoji')}</label>
          <input id="status-emoji" value={code} onChange={(e) => setCode(e.target.value)} placeholder=":palm_tree:" />
        </div>
        <div className="field profile-grow">
          <label htmlFor="status-text">{t('profile.status.text')}</label>
          <input id="status-text" maxLength={100} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('profile.status.placeholder')} />
        </div>
        <div className="field">
          <label htmlFor="status-expiry">{t('profile.status.expiry')}</label>
          <select id="status-expiry" className="select" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
            {EXPIRIES.map((x) => (
              <option key={x} value={x}>
                {t(`profile.status.expiries.${x}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {me.customStatus && (
        <p className="profile-note" data-testid="current-status">
          {t('profile.status.current', { code: me.customStatus.code, text: me.customStatus.status ?? '' })}
        </p>
      )}
      {save.isError && (
        <p className="form-error" role="alert">
          {describeError(save.error, t)}
        </p>
      )}
      <div className="profile-actions">
        <button type="submit" className="button button-primary" disabled={save.isPending}>
          {t('profile.status.save')}
        </button>
        {me.customStatus && (
          <button type="button" className="button button-secondary" disabled={save.isPending} onClick={clear}>
            {t('profile.status.clear')}
          </button>
        )}
        {save.isSuccess && (
          <span className="profile-ok" role="status">
            {t('profile.saved')}
          </span>
        )}
      </div>
    </form>
  );
}
