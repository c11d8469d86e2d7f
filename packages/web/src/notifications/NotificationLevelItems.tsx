import { useTranslation } from 'react-i18next';
import { NOTIFICATION_LEVELS, defaultLevel, useNotificationLevels, useSetNotificationLevel, type NotificationLevel } from './levels';
import './strings';
import './notifications.css';

/**
 * The channel menu's "Notifications" choice: all new messages, mentions only, or nothing, as radio
 * items of the menu. `onChosen` runs once the server has the new level.
 */
export function NotificationLevelItems({ channelId, direct, onChosen }: { channelId: string; direct: boolean; onChosen(): void }) {
  const { t } = useTranslation();
  const levels = useNotificationLevels();
  const set = useSetNotificationLevel();
  const current: NotificationLevel | undefined = levels.data ? (levels.data.get(channelId) ?? defaultLevel(direct)) : undefined;
  const choose = (level: NotificationLevel) => set.mutate({ channelId, level }, { onSuccess: onChosen });

  return (
    <li role="none">
      <ul role="group" aria-label={t('notifications.title')} className="notify-levels">
        {/* the group's label, seen; screen readers hear it as the group's name */}
        <li role="none" aria-hidden="true" className="notify-levels-title">
          {t('notifications.title')}
        </li>
        {NOTIFICATION_LEVELS.map((level) => (
          <li role="none" key={level}>
            <button
              type="button"
              role="menuitemradio"
              aria-checked={current === level}
              className="channel-menu-item notify-level"
              disabled={set.isPending || current === undefined}
              onClick={() => choose(level)}
            >
              {t(`notifications.levels.${level}`)}
            </button>
          </li>
        ))}
        {(set.isError || levels.isError) && (
          <li role="none">
            <p role="alert" className="form-error notify-levels-error">
              {set.isError ? t('notifications.saveFailed') : t('notifications.loadFailed')}
            </p>
          </li>
        )}
      </ul>
    </li>
  );
}
