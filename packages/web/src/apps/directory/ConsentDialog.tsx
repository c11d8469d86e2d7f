import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import type { DirectoryEntry } from '../types';
import { describeError } from '../../ui/ErrorNotice';
import { AppIcon } from '../home/AppIcon';
import { scopeKey } from './strings';

/** A scope in words, with its name (what developers and manifests call it). */
function ScopeItem({ scope }: { scope: string }) {
  const { t } = useTranslation();
  return (
    <li>
      {t(scopeKey(scope), { defaultValue: scope })} <code>{scope}</code>
    </li>
  );
}

/**
 * The consent screen (pumble-app-platform.md §5.1): the app, what it may do as the person and as its
 * bot, Allow or Cancel. Allow installs it (admins) or allows it for the person.
 */
export function ConsentDialog({ app, busy, error, onAllow, onCancel }: { app: DirectoryEntry; busy: boolean; error: unknown; onAllow(): void; onCancel(): void }) {
  const { t } = useTranslation();
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog consent-dialog" aria-labelledby="consent-title" onCancel={(e) => (e.preventDefault(), onCancel())}>
      <div className="consent-app">
        <AppIcon name={app.displayName} size={40} />
        <h2 id="consent-title" className="dialog-title">
          {t('apps.consent.title', { name: app.displayName })}
        </h2>
      </div>
      <div className="dialog-body">
        <p>{t('apps.consent.intro', { name: app.displayName })}</p>
        {app.userScopes.length > 0 && (
          <>
            <h3 className="consent-heading">{t('apps.consent.userScopes')}</h3>
            <ul className="consent-scopes">
              {app.userScopes.map((s) => (
                <ScopeItem key={s} scope={s} />
              ))}
            </ul>
          </>
        )}
        {app.botScopes.length > 0 && (
          <>
            <h3 className="consent-heading">{t('apps.consent.botScopes')}</h3>
            <ul className="consent-scopes">
              {app.botScopes.map((s) => (
                <ScopeItem key={s} scope={s} />
              ))}
            </ul>
          </>
        )}
        {!!error && (
          <p className="app-element-error" role="alert">
            {t('apps.consent.failed', { reason: describeError(error, t) })}
          </p>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onCancel}>
          {t('apps.consent.cancel')}
        </button>
        <button type="button" className="button button-primary" onClick={onAllow} disabled={busy} autoFocus>
          {t('apps.consent.allow')}
        </button>
      </div>
    </dialog>
  );
}
