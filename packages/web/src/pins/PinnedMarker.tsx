import { useTranslation } from 'react-i18next';
import type { Message, WorkspaceUser } from '../lib/types';
import { usePinOfRow } from './rowState';
import type { Pin } from './types';
import { PinIcon } from './icons';
import './pins.css';

/** "Pinned by …" above a pinned message; nothing (and no more hooks) for the others. */
export function PinnedMarker({ message, people }: { message: Message; people: Map<string, WorkspaceUser> | undefined }) {
  const pin = usePinOfRow(message.channelId, message.id);
  return pin ? <PinnedLabel pin={pin} people={people} /> : null;
}

function PinnedLabel({ pin, people }: { pin: Pin; people: Map<string, WorkspaceUser> | undefined }) {
  const { t } = useTranslation();
  const name = people?.get(pin.workspaceUserId)?.name;
  return (
    <p className="message-pinned">
      <PinIcon size={12} filled />
      {name ? t('pins.pinnedBy', { name }) : t('pins.pinned')}
    </p>
  );
}
