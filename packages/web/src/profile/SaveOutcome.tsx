import { useTranslation } from 'react-i18next';
import { describeError } from '../ui/ErrorNotice';

/** How a profile field's save ended: the reason it failed (in `notSavedKey`'s words) or "Saved". */
export function SaveOutcome({ save, notSavedKey }: { save: { isError: boolean; isSuccess: boolean; error: unknown }; notSavedKey: string }) {
  const { t } = useTranslation();
  if (save.isError) {
    return (
      <p className="form-error" role="alert">
        {t(notSavedKey, { reason: describeError(save.error, t) })}
      </p>
    );
  }
  if (save.isSuccess) {
    return (
      <span className="profile-ok" role="status">
        {t('profile.saved')}
      </span>
    );
  }
  return null;
}
