import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { developerToken } from '../admin/rc';
import { describeError } from '../ui/ErrorNotice';
import { copyText } from '../lib/clipboard';

/**
 * "Developer token" (app-platform.md §4.1): `POST /auth/developer-token` with the web session's
 * cookie, shown once, with a copy button.
 */
export function DeveloperToken() {
  const { t } = useTranslation();
  const [copied, setCopied] = useState(false);
  const issue = useMutation({
    mutationFn: developerToken,
    onMutate: () => setCopied(false),
  });
  const copy = async (text: string) => {
    try {
      await copyText(text);
      setCopied(true);
    } catch {
      setCopied(false);
    }
  };
  const submit = (e: FormEvent) => {
    e.preventDefault();
    issue.mutate();
  };
  const err = issue.error ? describeError(issue.error, t) : null;

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
      <p className="profile-note" id="dev-token-about">
        {t('profile.devToken.about')}
      </p>
      {err && (
        <p className="form-error" role="alert">
          {err}
        </p>
      )}
      <div className="profile-actions">
        <button type="submit" className="button button-secondary" disabled={issue.isPending} aria-describedby="dev-token-about">
          {t('profile.devToken.get')}
        </button>
      </div>
    </form>
  );
}
