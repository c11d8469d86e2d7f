import { useEffect, useId, useMemo, useState, type KeyboardEvent } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { useChannels } from '../channels/useChannels';
import { useMe, usePeople } from '../people/usePeople';
import { useOpenDirect } from '../dms/useOpenDirect';
import { Modal } from '../channels/Modal';
import { Avatar } from '../ui/Avatar';
import { HashIcon, LockIcon } from '../ui/icons';
import { describeError } from '../ui/ErrorNotice';
import { PresenceAvatar } from '../presence/PresenceDot';
import { candidates, matching, type Candidate } from './candidates';
import '../channels/channelDialogs.css';
import './switcher.css';
import './strings';

/**
 * The quick switcher (web-client.md §8): a combobox over the person's channels, conversations and
 * people, and the public channels they have not joined (opened as a preview to join); typing filters, ↑/↓ choose, Enter goes (a person without a conversation yet gets one), Esc
 * closes. `onClose(went)`: whether it went somewhere (the focus then belongs to the new page).
 */
export function SwitcherDialog({ onClose }: { onClose(went: boolean): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const listId = useId();
  const channels = useChannels().data;
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const openDirect = useOpenDirect();
  const navigate = useNavigate();
  const [query, setQuery] = useState('');
  const [active, setActive] = useState(0);

  const all = useMemo(() => candidates(channels ?? [], people, meId, t('channels.you')), [channels, people, meId, t]);
  const shown = useMemo(() => matching(all, query), [all, query]);
  const current = shown[Math.min(active, shown.length - 1)];
  const optionId = (c: Candidate) => `${listId}-${c.id}`;

  useEffect(() => setActive(0), [query]);
  useEffect(() => {
    if (current) document.getElementById(optionId(current))?.scrollIntoView({ block: 'nearest' });
  });

  const go = (c: Candidate | undefined) => {
    if (!c || openDirect.isPending) return;
    if (c.kind !== 'person') {
      onClose(true);
      void navigate(`/c/${encodeURIComponent(c.id)}`);
      return;
    }
    openDirect.mutate([c.user.id], {
      onSuccess: (info) => {
        onClose(true);
        void navigate(`/c/${encodeURIComponent(info.channel.id)}`);
      },
    });
  };

  const onKeyDown = (e: KeyboardEvent<HTMLInputElement>) => {
    const last = shown.length - 1;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      if (last < 0) return;
      const at = Math.min(active, last);
      setActive(e.key === 'ArrowDown' ? (at >= last ? 0 : at + 1) : at <= 0 ? last : at - 1);
    } else if (e.key === 'Home' || e.key === 'End') {
      if (last < 0 || !e.ctrlKey) return;
      e.preventDefault();
      setActive(e.key === 'Home' ? 0 : last);
    } else if (e.key === 'Enter') {
      e.preventDefault();
      go(current);
    }
  };

  return (
    <Modal title={t('switcher.title')} titleId={titleId} onClose={() => onClose(false)} wide>
      <input
        className="dialog-search"
        type="text"
        role="combobox"
        aria-label={t('switcher.search')}
        aria-expanded={shown.length > 0}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={current ? optionId(current) : undefined}
        placeholder={t('switcher.search')}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={onKeyDown}
        autoComplete="off"
        spellCheck={false}
        autoFocus
      />
      <p className="switcher-hint" aria-hidden="true">
        {t('switcher.hint')}
      </p>
      {shown.length === 0 ? (
        <p className="dialog-empty" role="status">
          {query.trim() ? t('switcher.noMatch', { query: query.trim() }) : t('switcher.nothing')}
        </p>
      ) : (
        <ul className="switcher-list" id={listId} role="listbox" aria-label={t('switcher.results')}>
          {shown.map((c, i) => {
            const selected = c === current;
            return (
              // The input keeps the focus (aria-activedescendant: the keys are its own); a click goes at once.
              <li
                key={c.id}
                id={optionId(c)}
                role="option"
                aria-selected={selected}
                className={`switcher-option${selected ? ' switcher-option-active' : ''}${c.kind === 'unjoined' ? ' switcher-option-unjoined' : ''}`}
                onMouseMove={() => !selected && setActive(i)}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => go(c)}
              >
                <CandidateIcon c={c} />
                <span className="switcher-option-label">{c.label}</span>
                <span className="switcher-option-kind">{kindLabel(c, t)}</span>
              </li>
            );
          })}
        </ul>
      )}
      {openDirect.isError && (
        <p className="form-error" role="alert">
          {t('switcher.openFailed')} {describeError(openDirect.error, t)}
        </p>
      )}
    </Modal>
  );
}

function CandidateIcon({ c }: { c: Candidate }) {
  if (c.kind === 'channel' || c.kind === 'unjoined') return c.info.channel.channelType === 'PRIVATE' ? <LockIcon size={16} className="switcher-option-icon" /> : <HashIcon size={16} className="switcher-option-icon" />;
  const userId = c.kind === 'person' ? c.user.id : c.userId;
  return userId ? <PresenceAvatar id={userId} name={c.label} size={22} /> : <Avatar id={c.id} name={c.label} size={22} />;
}

function kindLabel(c: Candidate, t: TFunction): string {
  if (c.kind === 'person') return t('switcher.kind.person');
  if (c.kind === 'direct') return t('switcher.kind.direct');
  if (c.kind === 'unjoined') return t('switcher.kind.unjoined');
  return c.info.channel.channelType === 'PRIVATE' ? t('switcher.kind.private') : t('switcher.kind.channel');
}
