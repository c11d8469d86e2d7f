import { Suspense, lazy, useEffect, useId, useRef, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import type { ChannelInfo } from '../lib/types';
import { ConfirmDialog } from '../ui/ConfirmDialog';
import { describeError } from '../ui/ErrorNotice';
import { canAddPeople, canArchive, canEditChannel, useLeaveChannel } from './channelActions';
import './channelDialogs.css';
import { FilesMenuItem, useFilesGallery } from '../files/FilesMenuItem';
import { NotificationLevelItems } from '../notifications/NotificationLevelItems';
import { useMe } from '../people/usePeople';

// dialogs loaded when first opened (the first load stays ≤ 250 KB gzipped)
const AddPeopleDialog = lazy(() => import('./AddPeopleDialog').then((m) => ({ default: m.AddPeopleDialog })));
const ChannelSettingsDialog = lazy(() => import('./ChannelSettingsDialog').then((m) => ({ default: m.ChannelSettingsDialog })));

/**
 * The channel's menu in its header: add people (who may), edit the channel (who may, once the
 * server can), Files (the gallery), the person's notification level (members), leave (not the
 * general channel, not a DM), archive or unarchive (admins and the channel's creator). Arrow keys
 * move between its items, Esc closes it.
 */
export function ChannelMenu({ info, label }: { info: ChannelInfo; label: string }) {
  const { t } = useTranslation();
  const [open, setOpen] = useState(false);
  const [confirming, setConfirming] = useState(false);
  const [adding, setAdding] = useState(false);
  const [setting, setSetting] = useState<'edit' | 'archive' | null>(null);
  const me = useMe().data;
  const gallery = useFilesGallery(info.channel.id, label);
  const navigate = useNavigate();
  const leave = useLeaveChannel(() => void navigate('/', { replace: true }));
  const rootRef = useRef<HTMLDivElement>(null);
  const buttonRef = useRef<HTMLButtonElement>(null);
  const menuId = useId();
  const { channel } = info;
  const canLeave = channel.isMember && !channel.isMain && (channel.channelType === 'PUBLIC' || channel.channelType === 'PRIVATE');
  /** An item of the menu: it closes the menu, then does `then` (opens its dialog). */
  const item = (text: string, then: () => void, danger = false) => (
    <li role="none">
      <button
        type="button"
        role="menuitem"
        className={`channel-menu-item${danger ? ' channel-menu-item-danger' : ''}`}
        onClick={() => {
          setOpen(false);
          then();
        }}
      >
        {text}
      </button>
    </li>
  );

  useEffect(() => {
    if (!open) return;
    const items = () => [...(rootRef.current?.querySelectorAll<HTMLButtonElement>('[role^="menuitem"]:not(:disabled)') ?? [])];
    items()[0]?.focus();
    const onDown = (e: PointerEvent) => !rootRef.current?.contains(e.target as Node) && setOpen(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        setOpen(false);
        buttonRef.current?.focus();
      } else if (e.key === 'ArrowDown' || e.key === 'ArrowUp' || e.key === 'Home' || e.key === 'End') {
        const list = items();
        if (list.length === 0) return;
        e.preventDefault();
        const at = list.indexOf(document.activeElement as HTMLButtonElement);
        const next = e.key === 'Home' ? 0 : e.key === 'End' ? list.length - 1 : (at + (e.key === 'ArrowDown' ? 1 : -1) + list.length) % list.length;
        list[next]?.focus();
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open]);

  return (
    <div className="channel-menu" ref={rootRef}>
      <button ref={buttonRef} type="button" className="icon-button" aria-haspopup="menu" aria-expanded={open} aria-controls={menuId} aria-label={t('chat.channelMenu.open')} title={t('chat.channelMenu.open')} onClick={() => setOpen((o) => !o)}>
        <svg width={18} height={18} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
          <circle cx="12" cy="5" r="2" />
          <circle cx="12" cy="12" r="2" />
          <circle cx="12" cy="19" r="2" />
        </svg>
      </button>
      {open && (
        <ul className="channel-menu-panel" id={menuId} role="menu" aria-label={t('chat.channelMenu.label', { name: label })}>
          {canAddPeople(info, me) && item(t('channel.addPeople'), () => setAdding(true))}
          {canEditChannel(info, me) && item(t('chat.channelMenu.edit'), () => setSetting('edit'))}
          <FilesMenuItem onOpen={() => { setOpen(false); gallery.open(); }} />
          {channel.isMember && (
            <NotificationLevelItems
              channelId={channel.id}
              direct={channel.channelType === 'DIRECT' || channel.channelType === 'SELF'}
              onChosen={() => {
                setOpen(false);
                buttonRef.current?.focus();
              }}
            />
          )}
          {canLeave && item(t('chat.channelMenu.leave'), () => setConfirming(true), true)}
          {canArchive(info, me) && item(t(channel.isArchived ? 'chat.channelMenu.unarchive' : 'chat.channelMenu.archive'), () => setSetting('archive'), !channel.isArchived)}
        </ul>
      )}
      {setting && (
        <Suspense fallback={null}>
          <ChannelSettingsDialog kind={setting} info={info} label={label} onClose={() => setSetting(null)} />
        </Suspense>
      )}
      {gallery.dialog}
      {adding && (
        <Suspense fallback={null}>
          <AddPeopleDialog channelId={channel.id} label={label} onClose={() => setAdding(false)} />
        </Suspense>
      )}
      {confirming && (
        <ConfirmDialog
          title={t('chat.channelMenu.leaveTitle', { name: label })}
          confirmLabel={t('chat.channelMenu.leave')}
          cancelLabel={t('common.cancel')}
          danger
          busy={leave.isPending}
          onCancel={() => setConfirming(false)}
          onConfirm={() => leave.mutate(channel.id, { onSuccess: () => setConfirming(false) })}
        >
          <p>{channel.channelType === 'PRIVATE' ? t('chat.channelMenu.leavePrivate') : t('chat.channelMenu.leavePublic')}</p>
          {leave.isError && (
            <p className="form-error" role="alert">
              {t('chat.channelMenu.leaveFailed')} {describeError(leave.error, t)}
            </p>
          )}
        </ConfirmDialog>
      )}
    </div>
  );
}
