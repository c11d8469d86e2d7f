import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { useChannels } from './useChannels';
import { useJoinChannel } from './channelActions';
import { Modal } from './Modal';
import { ChannelDescription } from './ChannelDescription';
import { describeError } from '../ui/ErrorNotice';
import { HashIcon } from '../ui/icons';
import './channelDialogs.css';

/** Every public channel, to find and join one; or go on to create one. */
export function BrowseChannelsDialog({ onClose, onCreate }: { onClose(): void; onCreate(): void }) {
  const { t } = useTranslation();
  const titleId = useId();
  const [query, setQuery] = useState('');
  const channels = useChannels().data ?? [];
  const join = useJoinChannel();
  const navigate = useNavigate();
  const q = query.trim().toLowerCase();
  const list = channels
    .filter((c) => c.channel.channelType === 'PUBLIC' && !c.channel.isArchived)
    .filter((c) => !q || (c.channel.name ?? '').toLowerCase().includes(q) || c.channel.description.toLowerCase().includes(q))
    .sort((a, b) => (a.channel.name ?? '').localeCompare(b.channel.name ?? ''));

  const open = (id: string) => {
    onClose();
    void navigate(`/c/${id}`);
  };

  return (
    <Modal title={t('chat.browse.title')} titleId={titleId} onClose={onClose} wide>
      <input className="dialog-search" type="search" value={query} onChange={(e) => setQuery(e.target.value)} placeholder={t('chat.browse.search')} aria-label={t('chat.browse.search')} autoFocus />
      {list.length === 0 ? (
        <p className="dialog-empty">{q ? t('chat.browse.noMatch', { query: query.trim() }) : t('chat.browse.none')}</p>
      ) : (
        <ul className="browse-list" aria-label={t('chat.browse.listLabel')}>
          {list.map(({ channel }) => (
            <li key={channel.id} className="browse-item">
              <HashIcon size={16} className="browse-item-icon" />
              <div className="browse-item-text">
                <span className="browse-item-name">{channel.name}</span>
                {channel.description && <ChannelDescription className="browse-item-description" text={channel.description} />}
              </div>
              {channel.isMember ? (
                <button type="button" className="button button-secondary button-small" onClick={() => open(channel.id)} aria-label={t('chat.browse.openLabel', { name: channel.name })}>
                  {t('chat.browse.open')}
                </button>
              ) : (
                <button
                  type="button"
                  className="button button-primary button-small"
                  disabled={join.isPending}
                  aria-label={t('chat.browse.joinLabel', { name: channel.name })}
                  onClick={() => join.mutate(channel.id, { onSuccess: () => open(channel.id) })}
                >
                  {t('chat.browse.join')}
                </button>
              )}
            </li>
          ))}
        </ul>
      )}
      {join.isError && (
        <p className="form-error" role="alert">
          {t('chat.browse.joinFailed')} {describeError(join.error, t)}
        </p>
      )}
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={onCreate}>
          {t('chat.browse.create')}
        </button>
        <button type="button" className="button button-primary" onClick={onClose}>
          {t('common.close')}
        </button>
      </div>
    </Modal>
  );
}
