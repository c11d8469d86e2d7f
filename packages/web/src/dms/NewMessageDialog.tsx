import { useId, useMemo, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useMe, usePeople } from '../people/usePeople';
import { Avatar } from '../ui/Avatar';
import { describeError } from '../ui/ErrorNotice';
import { CloseIcon } from '../ui/icons';
import { Modal } from '../channels/Modal';
import { MAX_OTHERS, useOpenDirect } from './useOpenDirect';
import '../channels/channelDialogs.css';

/** "New message": pick one or more people, open (or start) the conversation with them. */
export function NewMessageDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const people = usePeople();
  const meId = useMe().data?.id;
  const [query, setQuery] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const open = useOpenDirect();
  const navigate = useNavigate();
  const q = query.trim().toLowerCase();

  const candidates = useMemo(
    () =>
      [...(people.data?.values() ?? [])]
        .filter((u) => u.id !== meId && u.status === 'ACTIVATED' && !u.isAddonBot)
        .filter((u) => !q || u.name.toLowerCase().includes(q) || u.email.toLowerCase().includes(q))
        .sort((a, b) => a.name.localeCompare(b.name)),
    [people.data, meId, q],
  );
  const full = chosen.length >= MAX_OTHERS;
  const toggle = (id: string) => setChosen((c) => (c.includes(id) ? c.filter((x) => x !== id) : full ? c : [...c, id]));

  const start = () => {
    if (chosen.length === 0) return;
    open.mutate(chosen, {
      onSuccess: (info) => {
        onClose();
        void navigate(`/c/${info.channel.id}`);
      },
    });
  };

  return (
    <Modal title={t('chat.dms.newTitle')} titleId={titleId} onClose={onClose} wide>
      <p className="field-hint">{t('chat.dms.newHint', { count: MAX_OTHERS })}</p>
      <input
        className="dialog-search"
        type="search"
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter') {
            e.preventDefault();
            if (chosen.length > 0 && !q) start();
            else if (candidates[0]) {
              toggle(candidates[0].id);
              setQuery('');
            }
          }
        }}
        placeholder={t('chat.dms.search')}
        aria-label={t('chat.dms.search')}
        autoFocus
      />
      {chosen.length > 0 && (
        <div className="picker-chosen" aria-label={t('chat.dms.chosen')} role="group">
          {chosen.map((id) => {
            const name = people.data?.get(id)?.name ?? '…';
            return (
              <button key={id} type="button" className="picker-chip" onClick={() => toggle(id)} aria-label={t('chat.dms.remove', { name })}>
                {name}
                <CloseIcon size={12} />
              </button>
            );
          })}
        </div>
      )}
      {people.isError ? (
        <p className="form-error" role="alert">
          {t('chat.dms.peopleFailed')} {describeError(people.error, t)}
        </p>
      ) : candidates.length === 0 ? (
        <p className="dialog-empty">{q ? t('chat.dms.noMatch', { query: query.trim() }) : t('chat.dms.nobody')}</p>
      ) : (
        <ul className="picker-list" aria-label={t('chat.dms.peopleLabel')}>
          {candidates.map((u) => {
            const checked = chosen.includes(u.id);
            return (
              <li key={u.id}>
                <label className="picker-item">
                  <input type="checkbox" checked={checked} disabled={!checked && full} onChange={() => toggle(u.id)} />
                  <Avatar id={u.id} name={u.name} size={28} />
                  <span className="picker-item-text">
                    <span>{u.name}</span>
                    <span className="picker-item-secondary">{u.title || u.email}</span>
                  </span>
                </label>
              </li>
            );
          })}
        </ul>
      )}
      {open.isError && (
        <p className="form-error" role="alert">
          {t('chat.dms.openFailed')} {describeError(open.error, t)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onClose}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-primary" disabled={chosen.length === 0 || open.isPending} onClick={start}>
          {chosen.length > 1 ? t('chat.dms.startGroup') : t('chat.dms.start')}
        </button>
      </div>
    </Modal>
  );
}
