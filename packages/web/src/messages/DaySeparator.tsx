import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDay } from '../lib/format';

/** Memoised: the list re-renders its rows' wrappers whenever a page arrives; a day's label does not change then. */
export const DaySeparator = memo(function DaySeparator({ at }: { at: number }) {
  const { t, i18n } = useTranslation();
  return (
    <div className="day-separator">
      <span className="day-separator-label">{formatDay(at, i18n.language, t('messages.today'), t('messages.yesterday'))}</span>
    </div>
  );
});
