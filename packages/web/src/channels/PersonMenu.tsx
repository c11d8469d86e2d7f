import { useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useMe } from '../people/usePeople';
import { useSignOut } from '../auth/session';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { applyTheme, storedTheme, type ThemeChoice } from '../theme/theme';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { Avatar } from '../ui/Avatar';
import { ChevronDownIcon } from '../ui/icons';
import { ProfileHost, ProfileMenuItem } from '../profile/ProfileEntry';

/** The person's menu: who is signed in, language, theme, sign out. */
export function PersonMenu() {
  const { t, i18n } = useTranslation();
  const me = useMe().data;
  const [open, setOpen] = useState(false);
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const panelId = useId();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const qc = useQueryClient();

  const saveLocale = useMutation({
    mutationFn: (locale: Language) => api.put<WorkspaceUser>('/v1/workspaceUsers/me/locale', { locale }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });

  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => {
      if (!rootRef.current?.contains(e.target as Node)) setOpen(false);
    };
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.stopPropagation();
        setOpen(false);
        buttonRef.current?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  const chooseTheme = (choice: ThemeChoice) => {
    setTheme(choice);
    applyTheme(choice);
  };
  const chooseLanguage = (lang: Language) => {
    setLanguage(lang);
    saveLocale.mutate(lang);
  };

  const name = me?.name ?? '';
  return (
    <div className="person-menu" ref={rootRef}>
      <button
        ref={buttonRef}
        type="button"
        className="person-menu-button"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={() => setOpen((o) => !o)}
      >
        {me && <Avatar id={me.id} name={name} size={24} />}
        <span className="person-menu-name">{name}</span>
        <span className="visually-hidden">{t('personMenu.open')}</span>
        <ChevronDownIcon size={14} />
      </button>
      {open && (
        <div className="person-menu-panel" id={panelId} role="group" aria-label={t('personMenu.label')}>
          <div className="person-menu-who">
            {me && <Avatar id={me.id} name={name} size={36} />}
            <div>
              <div className="person-menu-who-name">{name}</div>
              <div className="person-menu-who-email">{me?.email}</div>
            </div>
          </div>
          <fieldset className="person-menu-group">
            <legend>{t('personMenu.theme')}</legend>
            <div className="segmented">
              {(['system', 'light', 'dark'] as const).map((choice) => (
                <label key={choice} className={`segmented-option${theme === choice ? ' is-selected' : ''}`}>
                  <input type="radio" name="theme" value={choice} checked={theme === choice} onChange={() => chooseTheme(choice)} />
                  {t(`personMenu.themes.${choice}`)}
                </label>
              ))}
            </div>
          </fieldset>
          <div className="person-menu-group">
            <label htmlFor={`${panelId}-lang`}>{t('personMenu.language')}</label>
            <select id={`${panelId}-lang`} className="select" value={i18n.language} onChange={(e) => chooseLanguage(e.target.value as Language)}>
              {LANGUAGES.map((l) => (
                <option key={l.code} value={l.code} lang={l.code}>
                  {l.label}
                </option>
              ))}
            </select>
            {saveLocale.isError && (
              <p className="form-error" role="alert">
                {t('personMenu.languageNotSaved')}
              </p>
            )}
          </div>
          <ProfileMenuItem onChoose={() => setOpen(false)} />
          <button
            type="button"
            className="button button-secondary button-block"
            disabled={signOut.isPending}
            onClick={() => signOut.mutate(undefined, { onSettled: () => void navigate('/login', { replace: true }) })}
          >
            {t('personMenu.signOut')}
          </button>
        </div>
      )}
      <ProfileHost />
    </div>
  );
}
