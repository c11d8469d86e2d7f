import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { ApiError, request } from '../lib/api';
import { describeError } from '../ui/ErrorNotice';

/** `PUT /v1/workspaceUsers/me/password`: a wrong current password is 403 on that field; other sessions end. */
export function PasswordForm() {
  const { t } = useTranslation();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const change = useMutation({
    mutationFn: () => request<void>('PUT', '/v1/workspaceUsers/me/password', { currentPassword: current, newPassword: next }, { quiet401: true }),
    onSuccess: () => {
      setCurrent('');
      setNext('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    change.mutate();
  };
  const err = change.error;
  const wrongCurrent = err instanceof ApiError && err.status === 403;
  const lockedOut = err instanceof ApiError && err.status === 429;
  return (
    <form className="profile-form" onSubmit={submit}>
      <div className="profile-row">
        <div className="field profile-grow">
          <label htmlFor="pw-current">{t('profile.password.current')}</label>
          <input
            id="pw-current"
            type="password"
            required
            autoComplete="current-password"
            value={current}
            onChange={(e) => setCurrent(e.target.value)}
            aria-invalid={wrongCurrent || undefined}
            aria-describedby={wrongCurrent ? 'pw-current-error' : undefined}
          />
          {wrongCurrent && (
            <p className="form-error" id="pw-current-error" role="alert">
              {t('profile.password.wrong')}
            </p>
          )}
        </div>
        <div className="field profile-grow">
          <label htmlFor="pw-new">{t('profile.password.new')}</label>
          <input id="pw-new" type="password" required minLength={8} autoComplete="new-password" value={next} onChange={(e) => setNext(e.target.value)} aria-describedby="pw-new-hint" />
          <small id="pw-new-hint" className="profile-note">
            {t('profile.password.hint')}
          </small>
        </div>
      </div>
      {err && !wrongCurrent && (
        <p className="form-error" role="alert">
          {lockedOut ? t('profile.password.lockedOut') : describeError(err, t)}
        </p>
      )}
      <div className="profile-actions">
        <button type="submit" className="button button-primary" disabled={change.isPending}>
          {t('profile.password.change')}
        </button>
        {change.isSuccess && (
          <span className="profile-ok" role="status">
            {t('profile.password.changed')}
          </span>
        )}
      </div>
    </form>
  );
}
