import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import type { Message } from '../lib/types';
import { describeError } from '../ui/ErrorNotice';
import { pinMessage, saveMessage } from './queries';
import { useIsSavedRow, useMayPinIn, usePinOfRow } from './rowState';
import { useRunning } from './useRunning';
import { BookmarkIcon, PinIcon } from './icons';
import './pins.css';

/**
 * "Pin to channel" / "Unpin from channel" and "Save message" / "Remove from saved" in a message's
 * hover toolbar. Pinning is for the channel's members while it takes changes; saving is for anyone
 * who reads the message.
 */
export function PinActions({ message }: { message: Message }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const pinned = !!usePinOfRow(message.channelId, message.id);
  const saved = useIsSavedRow(message.channelId, message.id);
  const mayPin = useMayPinIn(message.channelId);
  const { running, error, run } = useRunning<'pin' | 'save'>();
  const pinLabel = pinned ? t('pins.unpin') : t('pins.pin');
  const saveLabel = saved ? t('pins.unsave') : t('pins.save');
  return (
    <>
      {mayPin && (
        <button
          type="button"
          className={`icon-button${pinned ? ' icon-button-on' : ''}`}
          aria-label={pinLabel}
          title={pinLabel}
          disabled={running === 'pin'}
          onClick={() => run('pin', () => pinMessage(qc, message, !pinned))}
        >
          <PinIcon filled={pinned} />
        </button>
      )}
      <button
        type="button"
        className={`icon-button${saved ? ' icon-button-on' : ''}`}
        aria-label={saveLabel}
        title={saveLabel}
        disabled={running === 'save'}
        onClick={() => run('save', () => saveMessage(qc, message, !saved))}
      >
        <BookmarkIcon filled={saved} />
      </button>
      {error !== null && (
        <p className="pin-action-error" role="alert">
          {t('pins.failed', { reason: describeError(error, t) })}
        </p>
      )}
    </>
  );
}
