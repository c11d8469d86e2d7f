import type { ReactNode } from 'react';
import { Link } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { usePeople } from '../people/usePeople';
import { formatFull } from '../lib/format';
import { useDisplayTimeZone } from '../lib/timeZone';
import { Avatar } from '../ui/Avatar';
import { MessageText } from '../messages/MessageRow';
import { messagePath } from './types';

/**
 * A pinned or saved message in a list: who wrote it and when, its text, and a link that jumps to it
 * in its channel (or opens its thread); `extra` goes under it (where it is, who pinned it), `actions`
 * beside the link (unpin, remove from saved).
 */
export function MessageCard({ message, extra, actions, onJump }: { message: Message; extra?: ReactNode; actions?: ReactNode; onJump?(): void }) {
  const { t, i18n } = useTranslation();
  const zone = useDisplayTimeZone();
  const people = usePeople().data;
  const author = message.alias ?? people?.get(message.author)?.name ?? t('messages.unknownAuthor');
  return (
    <li className="pin-card">
      <div className="pin-card-meta">
        <Avatar id={message.author} name={author} size={20} />
        <span className="pin-card-author">{author}</span>
        <time dateTime={message.timestamp}>{formatFull(message.timestampMilli, i18n.language, zone)}</time>
      </div>
      <div className="pin-card-text">
        <MessageText text={message.text || message.files.map((f) => f.name).join(', ')} />
      </div>
      {extra && <p className="pin-card-extra">{extra}</p>}
      <div className="pin-card-actions">
        <Link to={messagePath(message)} className="pin-card-jump" onClick={onJump}>
          {t('pins.jump')}
          <span className="visually-hidden"> {t('pins.jumpTo', { author })}</span>
        </Link>
        {actions}
      </div>
    </li>
  );
}
