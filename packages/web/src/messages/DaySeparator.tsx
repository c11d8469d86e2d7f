import { memo } from 'react';
import { useTranslation } from 'react-i18next';
import { formatDay } from '../lib/format';
import { useDisplayTimeZone } from '../lib/timeZone';

/** Memoised: the list re-renders its rows' wrappers whenever a page arrives; a day's label does not change then. */
export const DaySeparator = memo(function DaySeparator({ at }: { at: number }) {
  const { t, i18n } = useTranslation();
  const zone = useDisplayTimeZone();
  return (
    <div className="day-separator">
      <span className="day-separator-label">{formatDay(at, i18n.language, t('messages.today'), t('messages.yesterday'), Date.now(), zone)}</span>
    </div>
  );
});
