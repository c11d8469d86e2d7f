import { useState, type FormEvent, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation } from '@tanstack/react-query';
import { useMe } from '../../people/usePeople';
import { rcLogin, rcLogout, useRcAuth, RcError } from '../rc';

/**
 * The integrations API takes X-User-Id + X-Auth-Token, not the session cookie: the person confirms
 * their password once, and the token lives in memory until "Lock" or the tab closes.
 */
export function RcGate({ children }: { children: ReactNode }) {
  const { t } = useTranslation();
  const auth = useRcAuth();
  const me = useMe().data;
  const [password, setPassword] = useState('');
  const login = useMutation({ mutationFn: () => rcLogin(me!.email, password), onSuccess: () => setPassword('') });
  if (auth)
    return (
      <>
        <div className="admin-toolbar admin-toolbar-end">
          <button type="button" className="button button-small button-secondary" onClick={() => void rcLogout()}>
            {t('admin.rc.lock')}
          </button>
        </div>
        {children}
      </>
    );
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (me) login.mutate();
  };
  const err = login.error instanceof RcError && login.error.status === 401 ? t('admin.rc.wrongPassword') : login.error ? login.error.message : null;
  return (
    <form className="admin-form admin-gate" onSubmit={submit}>
      <p className="admin-intro">{t('admin.rc.why')}</p>
      <div className="field">
        <label htmlFor="rc-password">{t('admin.rc.password')}</label>
        <input
          id="rc-password"
          type="password"
          required
          autoComplete="current-password"
          value={password}
          onChange={(e) => setPassword(e.target.value)}
          aria-invalid={err ? true : undefined}
          aria-describedby={err ? 'rc-password-error' : undefined}
        />
      </div>
      {err && (
        <p className="form-error" id="rc-password-error" role="alert">
          {err}
        </p>
      )}
      <div>
        <button type="submit" className="button button-primary" disabled={login.isPending || !me}>
          {t('admin.rc.unlock')}
        </button>
      </div>
    </form>
  );
}
