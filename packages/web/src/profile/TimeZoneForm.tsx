import { useMemo, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { SaveOutcome } from './SaveOutcome';
import type { WorkspaceUser } from '../lib/types';
import { useUpdateMe } from './useUpdateMe';

const browserZone = () => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

/** Every IANA zone this browser knows (the server checks against its own list, which is the same ICU data). */
function knownZones(extra: string[]): string[] {
  let zones: string[] = [];
  try {
    zones = Intl.supportedValuesOf('timeZone');
  } catch {
    /* an older browser: the current and the browser's zone are still offered */
  }
  return [...new Set([...extra, 'UTC', ...zones])].sort((a, b) => a.localeCompare(b));
}

/** The person's time zone, saved to their profile (`PUT /v1/workspaceUsers/me {timeZone}`). */
export function TimeZoneForm({ me }: { me: WorkspaceUser }) {
  const { t } = useTranslation();
  const here = browserZone();
  const saved = me.timeZoneId || 'UTC';
  const [zone, setZone] = useState(saved);
  const zones = useMemo(() => knownZones([saved, here]), [saved, here]);
  const save = useUpdateMe();
  const submit = (e: FormEvent) => {
    e.preventDefault();
    save.mutate({ timeZone: zone });
  };
  return (
    <form className="profile-form" onSubmit={submit}>
      <div className="field">
        <label htmlFor="pref-zone">{t('profile.timeZone')}</label>
        <div className="profile-row">
          <select
            id="pref-zone"
            className="select profile-grow"
            value={zone}
            onChange={(e) => {
              setZone(e.target.value);
              save.reset();
            }}
            aria-describedby="pref-zone-note"
          >
            {zones.map((z) => (
              <option key={z} value={z}>
                {z.replace(/_/g, ' ')}
              </option>
            ))}
          </select>
          {zone !== here && (
            <button type="button" className="button button-secondary" onClick={() => {
                setZone(here);
                save.reset();
              }}>
              {t('profile.useBrowserZone', { zone: here.replace(/_/g, ' ') })}
            </button>
          )}
          <button type="submit" className="button button-primary" disabled={save.isPending || zone === saved}>
            {t('profile.saveTimeZone')}
          </button>
        </div>
        <small id="pref-zone-note" className="profile-note">
          {t('profile.timeZoneNote', { zone: here.replace(/_/g, ' ') })}
        </small>
      </div>
      <SaveOutcome save={save} notSavedKey="profile.timeZoneNotSaved" />
    </form>
  );
}
