import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { Modal } from '../channels/Modal';
import { useMe } from '../people/usePeople';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { LANGUAGES, setLanguage, type Language } from '../i18n';
import { applyTheme, storedTheme, type ThemeChoice } from '../theme/theme';
import { StatusForm } from './StatusForm';
import { NameForm } from './NameForm';
import { AvatarForm } from './AvatarForm';
import { TimeZoneForm } from './TimeZoneForm';
import { PasswordForm } from './PasswordForm';
import { DeveloperToken } from './DeveloperToken';
import { NotificationPrefs } from './NotificationPrefs';
import './strings';
import './profile.css';

const TABS = ['profile', 'preferences', 'notifications', 'security'] as const;
type Tab = (typeof TABS)[number];

/** Profile and preferences (web-client.md §6.8), opened from the person's menu. */
export function ProfileDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const me = useMe().data;
  const [tab, setTab] = useState<Tab>('profile');
  return (
    <Modal title={t('profile.title')} titleId="profile-title" onClose={onClose} wide>
      <div className="profile-tabs" role="tablist" aria-label={t('profile.title')}>
        {TABS.map((k) => (
          <button
            key={k}
            type="button"
            role="tab"
            id={`profile-tab-${k}`}
            aria-selected={tab === k}
            aria-controls="profile-panel"
            tabIndex={tab === k ? 0 : -1}
            className={`tab profile-tab${tab === k ? ' is-active' : ''}`}
            onClick={() => setTab(k)}
            onKeyDown={(e) => {
              const i = TABS.indexOf(k);
              const next = e.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : e.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
              if (next) {
                setTab(next);
                document.getElementById(`profile-tab-${next}`)?.focus();
              }
            }}
          >
            {t(`profile.tabs.${k}`)}
          </button>
        ))}
      </div>
      <div className="profile-panel" role="tabpanel" id="profile-panel" aria-labelledby={`profile-tab-${tab}`}>
        {me && tab === 'profile' && <ProfileTab me={me} />}
        {me && tab === 'preferences' && <PreferencesTab me={me} />}
        {tab === 'notifications' && <NotificationPrefs />}
        {tab === 'security' && (
          <>
            <h3 className="profile-heading">{t('profile.password.title')}</h3>
            <PasswordForm />
            <h3 className="profile-heading">{t('profile.devToken.title')}</h3>
            <DeveloperToken />
          </>
        )}
      </div>
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}

function ProfileTab({ me }: { me: WorkspaceUser }) {
  const { t } = useTranslation();
  return (
    <>
      <AvatarForm me={me} />
      <NameForm me={me} />
      <h3 className="profile-heading">{t('profile.status.title')}</h3>
      <StatusForm me={me} />
    </>
  );
}

function PreferencesTab({ me }: { me: WorkspaceUser }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const [theme, setTheme] = useState<ThemeChoice>(storedTheme);
  const saveLocale = useMutation({
    mutationFn: (locale: Language) => api.put<WorkspaceUser>('/v1/workspaceUsers/me/locale', { locale }),
    onSuccess: () => void qc.invalidateQueries({ queryKey: ['users'] }),
  });
  return (
    <div className="profile-form">
      <div className="field">
        <label htmlFor="pref-language">{t('personMenu.language')}</label>
        <select
          id="pref-language"
          className="select"
          value={i18n.language}
          onChange={(e) => {
            const lang = e.target.value as Language;
            setLanguage(lang);
            saveLocale.mutate(lang);
          }}
        >
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
      <fieldset className="profile-fieldset">
        <legend>{t('personMenu.theme')}</legend>
        <div className="segmented">
          {(['system', 'light', 'dark'] as const).map((choice) => (
            <label key={choice} className={`segmented-option${theme === choice ? ' is-selected' : ''}`}>
              <input
                type="radio"
                name="profile-theme"
                value={choice}
                checked={theme === choice}
                onChange={() => {
                  setTheme(choice);
                  applyTheme(choice);
                }}
              />
              {t(`personMenu.themes.${choice}`)}
            </label>
          ))}
        </div>
        <small className="profile-note">{t('profile.themeNote')}</small>
      </fieldset>
      <TimeZoneForm me={me} />
    </div>
  );
}
