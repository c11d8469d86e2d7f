import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useChannels } from '../channels/useChannels';
import { desktopEnabled, setDesktopEnabled } from './prefs';
import { NOTIFICATION_LEVELS, defaultLevel, useNotificationLevels, useSetNotificationLevel, type NotificationLevel } from '../notifications/levels';
import '../notifications/strings';

/** Desktop notifications (the browser's permission, kept in this browser) and each channel's level (kept by the server). */
export function NotificationPrefs() {
  const { t } = useTranslation();
  const supported = typeof Notification !== 'undefined';
  const [permission, setPermission] = useState(supported ? Notification.permission : 'denied');
  const [on, setOn] = useState(desktopEnabled);
  const levels = useNotificationLevels().data;
  const setLevel = useSetNotificationLevel();
  const channels = (useChannels().data ?? []).filter((c) => c.channel.channelType === 'PUBLIC' || c.channel.channelType === 'PRIVATE').filter((c) => c.channel.isMember);

  const toggle = async (want: boolean) => {
    if (want && supported && Notification.permission === 'default') setPermission(await Notification.requestPermission());
    setOn(want);
    setDesktopEnabled(want);
  };

  return (
    <div className="profile-form">
      <label className="profile-check">
        <input type="checkbox" checked={on} disabled={!supported} onChange={(e) => void toggle(e.target.checked)} />
        {t('profile.notify.desktop')}
      </label>
      <p className="profile-note">
        {!supported ? t('profile.notify.unsupported') : permission === 'denied' ? t('profile.notify.denied') : on && permission === 'granted' ? t('profile.notify.on') : t('profile.notify.about')}
      </p>
      {channels.length > 0 && (
        <table className="profile-levels">
          <caption className="profile-note">{t('notifications.levelsCaption')}</caption>
          <tbody>
            {channels.map((c) => (
              <tr key={c.channel.id}>
                <th scope="row">#{c.channel.name}</th>
                <td>
                  <select
                    className="select"
                    aria-label={t('profile.notify.levelFor', { name: c.channel.name })}
                    value={levels?.get(c.channel.id) ?? defaultLevel(false)}
                    disabled={!levels}
                    onChange={(e) => setLevel.mutate({ channelId: c.channel.id, level: e.target.value as NotificationLevel })}
                  >
                    {NOTIFICATION_LEVELS.map((l) => (
                      <option key={l} value={l}>
                        {t(`profile.notify.levels.${l}`)}
                      </option>
                    ))}
                  </select>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
