import { useEffect, useRef } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { usePeople } from '../people/usePeople';
import { ErrorNotice, describeError } from '../ui/ErrorNotice';
import { SkeletonLine } from '../ui/Skeleton';
import { CloseIcon } from '../ui/icons';
import { pinMessage, usePins } from './queries';
import { useMayPinIn } from './rowState';
import { useRunning } from './useRunning';
import { MessageCard } from './MessageCard';
import { PinIcon } from './icons';
import './strings';

/** The channel's pinned messages, newest pin first, opened from its header; each jumps to its message. */
export function PinsPopover({ id, channelId, label, onClose }: { id: string; channelId: string; label: string; onClose(refocus: boolean): void }) {
  const { t } = useTranslation();
  const qc = useQueryClient();
  const pins = usePins(channelId);
  const people = usePeople().data;
  const mayPin = useMayPinIn(channelId);
  const { running, error, run } = useRunning<string>();
  const panel = useRef<HTMLDivElement>(null);
  useEffect(() => panel.current?.focus(), []);

  return (
    <div className="pins-popover" id={id} role="dialog" aria-labelledby={`${id}-title`} tabIndex={-1} ref={panel}>
      <header className="pins-popover-header">
        <h2 id={`${id}-title`} className="pins-popover-title">
          {t('pins.listTitle', { name: label })}
        </h2>
        <button type="button" className="icon-button" onClick={() => onClose(true)} aria-label={t('common.close')}>
          <CloseIcon size={16} />
        </button>
      </header>
      {pins.isPending && (
        <div className="pins-popover-body">
          <SkeletonLine width="70%" />
          <SkeletonLine width="50%" />
        </div>
      )}
      {pins.isError && <ErrorNotice title={t('pins.loadFailed')} error={pins.error} onRetry={() => void pins.refetch()} />}
      {pins.data?.length === 0 && (
        <div className="pins-popover-empty">
          <PinIcon size={24} />
          <p>{t('pins.none')}</p>
        </div>
      )}
      {error !== null && (
        <p className="pin-list-error" role="alert">
          {t('pins.failed', { reason: describeError(error, t) })}
        </p>
      )}
      {!!pins.data?.length && (
        <ul className="pin-list" aria-label={t('pins.listTitle', { name: label })}>
          {pins.data.map((pin) => (
            <MessageCard
              key={pin.messageId}
              message={pin.message}
              onJump={() => onClose(false)}
              extra={t('pins.pinnedBy', { name: people?.get(pin.workspaceUserId)?.name ?? t('messages.unknownAuthor') })}
              actions={
                mayPin && (
                  <button type="button" className="button button-secondary button-small" disabled={running === pin.messageId} onClick={() => run(pin.messageId, () => pinMessage(qc, pin.message, false))}>
                    {t('pins.unpin')}
                  </button>
                )
              }
            />
          ))}
        </ul>
      )}
    </div>
  );
}
