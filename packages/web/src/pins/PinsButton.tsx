import { Suspense, lazy, useCallback, useEffect, useId, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { usePins, useSavedIds } from './queries';
import { PinIcon } from './icons';
import './pins.css';

const PinsPopover = lazy(() => import('./PinsPopover').then((m) => ({ default: m.PinsPopover })));

/**
 * The channel header's pins: a button with their count that opens the list (a popover; each pin
 * jumps to its message). While the channel is open it also keeps the channel's pins and the person's
 * saved ids loaded, for the rows' markers and actions (rowState.ts).
 */
export function PinsButton({ channelId, label }: { channelId: string; label: string }) {
  const { t } = useTranslation();
  const pins = usePins(channelId);
  useSavedIds(channelId);
  const [open, setOpen] = useState(false);
  const root = useRef<HTMLDivElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const popoverId = useId();
  const count = pins.data?.length ?? 0;
  const close = useCallback((refocus: boolean) => {
    setOpen(false);
    if (refocus) button.current?.focus();
  }, []);

  useEffect(() => setOpen(false), [channelId]);
  useEffect(() => {
    if (!open) return;
    const onDown = (e: PointerEvent) => !root.current?.contains(e.target as Node) && close(false);
    const onKey = (e: KeyboardEvent) => {
      if (e.key === 'Escape') {
        e.preventDefault();
        close(true);
      }
    };
    document.addEventListener('pointerdown', onDown);
    document.addEventListener('keydown', onKey, true);
    return () => {
      document.removeEventListener('pointerdown', onDown);
      document.removeEventListener('keydown', onKey, true);
    };
  }, [open, close]);

  return (
    <div className="pins-root" ref={root}>
      <button
        ref={button}
        type="button"
        className="header-button"
        aria-expanded={open}
        aria-controls={open ? popoverId : undefined}
        aria-label={t('pins.headerButton', { count })}
        title={t('pins.headerButton', { count })}
        onClick={() => setOpen((o) => !o)}
      >
        <PinIcon size={16} />
        <span aria-hidden="true">{pins.data ? count : '–'}</span>
      </button>
      {open && (
        <Suspense fallback={<div className="pins-popover" id={popoverId} aria-busy="true" />}>
          <PinsPopover id={popoverId} channelId={channelId} label={label} onClose={close} />
        </Suspense>
      )}
    </div>
  );
}
