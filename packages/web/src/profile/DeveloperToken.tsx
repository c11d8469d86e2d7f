import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { useMe } from '../people/usePeople';
import { developerTokenWithPassword, RcError } from '../admin/rc';

/**
 * "Developer token" (app-platform.md §4.1): `POST /auth/developer-token`, shown once, with a copy
 * button. That route takes a Bearer session token but not the browser's cookie, so the person
 * confirms their password (a short-lived API session, ended at once).
 */
export function DeveloperToken() {
  const { t } = useTranslation();
  const me = useMe().data;
  const [password, setPassword] = useState('');
  const [copied, setCopied] = useState(false);
  const issue = useMutation({
    mutationFn: () => developerTokenWithPassword(me!.email, password),
    onMutate: () => setCopied(false),
    onSuccess: () => setPassword(''),
  });
  const copy = async (text: string) => {
    try {
      await navigator.clipboard.writeText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (me) issue.mutate();
  };
  const err = issue.error instanceof RcError && issue.error.status === 401 ? t('profile.devToken.wrong') : issue.error?.message;

  if (issue.data)
    return (
      <div className="profile-token">
        <label htmlFor="dev-token">{t('profile.devToken.token')}</label>
        <div className="profile-row">
          <input id="dev-token" className="profile-mono profile-grow" readOnly value={issue.data.token} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" className="button button-secondary" onClick={() => void copy(issue.data.token)}>
            {t('profile.devToken.copy')}
          </button>
        </div>
        <label htmlFor="dev-refresh">{t('profile.devToken.refresh')}</label>
        <div className="profile-row">
          <input id="dev-refresh" className="profile-mono profile-grow" readOnly value={issue.data.refreshToken} onFocus={(e) => e.currentTarget.select()} />
          <button type="button" className="button button-secondary" onClick={() => void copy(issue.data.refreshToken)}>
            {t('profile.devToken.copy')}
          </button>
        </div>
        <p className="profile-note" role="status">
          {copied ? t('profile.devToken.copied') : t('profile.devToken.once')}
        </p>
      </div>
    );
  return (
    <form className="profile-form" onSubmit={submit}>
      <p className="profile-note">{t('profile.devToken.about')}</p>
      <div className="profile-row">
        <div className="field profile-grow">
          <label htmlFor="dev-password">{t('profile.devToken.password')}</label>
          <input
            id="dev-password"
            type="password"
            required
            autoComplete="current-password"
            value={password}
            onChange={(e) => setPassword(e.target.value)}
            aria-invalid={err ? true : undefined}
            aria-describedby={err ? 'dev-password-note dev-password-error' : 'dev-password-note'}
          />
          <small id="dev-password-note" className="profile-note">
            {t('profile.devToken.why')}
          </small>
        </div>
      </div>
      {err && (
        <p className="form-error" id="dev-password-error" role="alert">
          {err}
        </p>
      )}
      <div className="profile-actions">
        <button type="submit" className="button button-secondary" disabled={issue.isPending || !me}>
          {t('profile.devToken.get')}
        </button>
      </div>
    </form>
  );
}
