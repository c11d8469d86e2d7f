import { useState, type FormEvent } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api';
import { useSession, useSignIn } from './session';
import { Logo } from '../ui/icons';

/** The server's answer to the right password of a deactivated account (DEACTIVATED_LOGIN, domain/accounts.ts). */
const DEACTIVATED = /^This account is deactivated/;

/** Only local paths: `next` must not send anyone to another site. */
function safeNext(next: string | null): string {
  return next && next.startsWith('/') && !next.startsWith('//') && !next.startsWith('/\\') ? next : '/';
}

export function LoginPage() {
  const { t } = useTranslation();
  const session = useSession();
  const signIn = useSignIn();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const next = safeNext(params.get('next'));

  if (session.data) return <Navigate to={next} replace />;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    signIn.mutate({ email: email.trim(), password }, { onSuccess: () => void navigate(next, { replace: true }) });
  };

  const error = signIn.error;
  const message =
    error instanceof ApiError
      ? error.status === 401 && DEACTIVATED.test(error.message)
        ? t('login.deactivated')
        : error.status === 401 || error.status === 403
        ? t('login.wrongCredentials')
        : error.status === 429
          ? t('login.tooMany')
          : error.isNetwork
            ? t('errors.network')
            : t('errors.generic', { message: error.message })
      : error
        ? t('errors.generic', { message: String(error) })
        : undefined;

  return (
    <main className="login">
      <div className="login-card">
        <div className="login-brand">
          <Logo size={40} />
          <span className="login-brand-name">Switchboard</span>
        </div>
        <h1 className="login-title">{t('login.title')}</h1>
        <p className="login-subtitle">{t('login.subtitle')}</p>
        <form onSubmit={submit} className="form" noValidate={false}>
          <div className="field">
            <label htmlFor="login-email">{t('login.email')}</label>
            <input
              id="login-email"
              type="email"
              autoComplete="username"
              required
              autoFocus
              value={email}
              onChange={(e) => setEmail(e.target.value)}
              aria-invalid={message ? true : undefined}
              aria-describedby={message ? 'login-error' : undefined}
            />
          </div>
          <div className="field">
            <label htmlFor="login-password">{t('login.password')}</label>
            <input
              id="login-password"
              type="password"
              autoComplete="current-password"
              required
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              aria-invalid={message ? true : undefined}
              aria-describedby={message ? 'login-error' : undefined}
            />
          </div>
          {message && (
            <p id="login-error" className="form-error" role="alert">
              {message}
            </p>
          )}
          <button type="submit" className="button button-primary button-block" disabled={signIn.isPending}>
            {signIn.isPending ? t('login.signingIn') : t('login.submit')}
          </button>
        </form>
        <p className="login-hint">{t('login.hint')}</p>
      </div>
    </main>
  );
}
