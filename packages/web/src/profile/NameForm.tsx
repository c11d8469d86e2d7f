import { useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SaveOutcome } from './SaveOutcome';
import type { WorkspaceUser } from '../lib/types';
import { useUpdateMe } from './useUpdateMe';

/** The server's rule (domain/accounts.ts updateProfile): 1 to 80 characters once trimmed. */
const NAME_MAX = 80;

/** The display name: what others see on messages, in mentions and in lists. */
export function NameForm({ me }: { me: WorkspaceUser }) {
  const { t } = useTranslation();
  const [name, setName] = useState(me.name);
  const [tried, setTried] = useState(false);
  const save = useUpdateMe();
  const trimmed = name.trim();
  const problem = trimmed.length === 0 ? t('profile.nameEmpty') : trimmed.length > NAME_MAX ? t('profile.nameTooLong', { max: NAME_MAX }) : null;
  const showProblem = tried && problem !== null;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setTried(true);
    if (problem === null) save.mutate({ name: trimmed });
  };
  return (
    <form className="profile-form" onSubmit={submit} noValidate>
      <div className="field">
        <label htmlFor="profile-name">{t('profile.name')}</label>
        <div className="profile-row">
          <input
            id="profile-name"
            className="profile-grow"
            value={name}
            maxLength={NAME_MAX + 20}
            autoComplete="name"
            onChange={(e) => {
              setName(e.target.value);
              save.reset();
            }}
            aria-invalid={showProblem || undefined}
            aria-describedby={showProblem ? 'profile-name-error' : 'profile-name-note'}
          />
          <button type="submit" className="button button-primary" disabled={save.isPending || trimmed === me.name}>
            {t('profile.saveName')}
          </button>
        </div>
        {showProblem ? (
          <p className="form-error" id="profile-name-error" role="alert">
            {problem}
          </p>
        ) : (
          <small id="profile-name-note" className="profile-note">
            {t('profile.nameNote')}
          </small>
        )}
      </div>
      <SaveOutcome save={save} notSavedKey="profile.nameNotSaved" />
    </form>
  );
}
