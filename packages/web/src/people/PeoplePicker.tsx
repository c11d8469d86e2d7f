import { useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { WorkspaceUser } from '../lib/types';
import { usePeople } from './usePeople';
import { Avatar } from '../ui/Avatar';
import { describeError } from '../ui/ErrorNotice';
import { CloseIcon } from '../ui/icons';
import '../channels/channelDialogs.css';

/**
 * Picking people, in a dialog: a search box (name or e-mail), the chosen ones as chips, the matches
 * as a checklist. Enter in the box picks the first match, or — with the box empty and someone
 * chosen — calls `onDone`. One picker for "New message" and "Add people to a channel".
 */
export function PeoplePicker({
  offered,
  chosen,
  onChange,
  max,
  onDone,
  nobody,
}: {
  /** who may be picked (the search narrows them) */
  offered: (u: WorkspaceUser) => boolean;
  chosen: string[];
  onChange(chosen: string[]): void;
  max?: number;
  onDone(): void;
  /** shown when nobody is offered at all */
  nobody: string;
}) {
  const { t } = useTranslation();
  const people = usePeople();
  const [query, setQuery] = useState('');
  const q = query.trim().toLowerCase();
  const candidates = useMemo(
    () =>
      [...(people.data?.values() ?? [])]
        .filter((u) => u.status === 'ACTIVATED' && offered(u))
        .filter((u) => !q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [people.data, offered, q],
  );
  const full = max !== undefined && chosen.length >= max;
  const toggle = (id: string) => onChange(chosen.includes(id) ? chosen.filter((x) => x !== id) : full ? chosen : [...chosen, id]);

  return (
    <>
      <input
        className="dialog-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key !== 'Enter') return;
          e.preventDefault();
          if (chosen.length > 0 && !q) onDone();
          else if (candidates[0]) {
            toggle(candidates[0].id);
            setQuery('');
          }
        }}
        placeholder={t('picker.search')}
        aria-label={t('picker.search')}
        autoFocus
      />
      {chosen.length > 0 && (
        <div className="picker-chosen" aria-label={t('picker.chosen')} role="group">
          {chosen.map((id) => {
            const name = people.data?.get(id)?.name ?? '…';
            return (
              <button key={id} type="button" className="picker-chip" onClick={() => toggle(id)} aria-label={t('picker.remove', { name })}>
                {name}
                <CloseIcon size={12} />
              </button>
            );
          })}
        </div>
      )}
      {people.isError ? (
        <p className="form-error" role="alert">
          {t('picker.peopleFailed')} {describeError(people.error, t)}
        </p>
      ) : candidates.length === 0 ? (
        <p className="dialog-empty">{q ? t('picker.noMatch', { query: query.trim() }) : nobody}</p>
      ) : (
        <ul className="picker-list" aria-label={t('picker.peopleLabel')}>
          {candidates.map((u) => {
            const checked = chosen.includes(u.id);
            return (
              <li key={u.id}>
                <label className="picker-item">
                  <input type="checkbox" checked={checked} disabled={!checked && full} onChange={() => toggle(u.id)} />
                  <Avatar id={u.id} name={u.name} size={28} />
                  <span className="picker-item-text">
                    <span>{u.name}</span>
                    <span className="picker-item-secondary">{u.isAddonBot ? t('picker.app') : u.title || u.email}</span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
    </>
  );
}
