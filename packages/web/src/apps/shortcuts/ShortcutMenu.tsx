import { useEffect, useId, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { describeError } from '../../ui/ErrorNotice';
import { useRunShortcut } from '../interact';
import { useAppActions } from '../queries';
import type { Shortcut } from '../types';
import '../apps.css';

/** An action of the client's own, listed in the menu before the apps' shortcuts ("Copy link"). */
export interface BuiltinItem {
  id: string;
  label: string;
  onSelect(): void;
}

/**
 * A button opening a menu of the installed apps' shortcuts of one kind; choosing one runs it
 * (`POST /v1/shortcuts`): the app answers with a modal or a message. The client's own items
 * (`builtins`) come first. Esc or a click outside closes it.
 */
export function ShortcutMenu(props: {
  kind: 'GLOBAL' | 'ON_MESSAGE';
  channelId: string;
  messageId?: string;
  label: string;
  icon: ReactNode;
  className?: string;
  placement?: 'up' | 'down';
  builtins?: readonly BuiltinItem[];
  onOpenChange?(open: boolean): void;
}) {
  const { t } = useTranslation();
  const actions = useAppActions();
  const run = useRunShortcut();
  const [open, setOpenState] = useState(false);
  const menuId = useId();
  const root = useRef<HTMLDivElement>(null);
  const setOpen = (v: boolean) => {
    setOpenState(v);
    props.onOpenChange?.(v);
  };
  const list = (actions.data?.shortcuts ?? []).filter((s) => s.shortcutType === props.kind);
  // Opened where it does not fit (the message list's last rows, under its scroller's bottom edge,
  // which clips it): it opens the other way, before it is painted.
  const [flipped, setFlipped] = useState(false);
  useLayoutEffect(() => {
    if (!open) return setFlipped(false);
    const menu = root.current?.querySelector<HTMLElement>('.shortcut-menu');
    if (!menu) return;
    const clip = root.current?.closest<HTMLElement>('.message-scroller')?.getBoundingClientRect() ?? { top: 0, bottom: window.innerHeight };
    // measured by its height, not where it is now: the answer does not depend on a flip already made
    const height = menu.getBoundingClientRect().height;
    const anchor = root.current!.getBoundingClientRect();
    const below = clip.bottom - anchor.bottom;
    const above = anchor.top - clip.top;
    const [wanted, other] = (props.placement ?? 'down') === 'down' ? [below, above] : [above, below];
    // only when the other side has more room (a short list never flips needlessly)
    setFlipped(height > wanted && other > wanted);
  }, [open, list.length, props.placement]);
  const placement = (props.placement ?? 'down') === 'down' ? (flipped ? 'up' : 'down') : flipped ? 'down' : 'up';

  useEffect(() => {
    if (!open) return;
    const outside = (e: MouseEvent) => root.current && !root.current.contains(e.target as Node) && setOpen(false);
    document.addEventListener('mousedown', outside);
    root.current?.querySelector<HTMLElement>('[role="menuitem"]')?.focus();
    return () => document.removeEventListener('mousedown', outside);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [open]);

  const builtins = props.builtins ?? [];
  const chooseBuiltin = (item: BuiltinItem) => {
    setOpen(false);
    // back on the button: the toolbar stays (it shows while it holds the focus)
    root.current?.querySelector<HTMLElement>('button')?.focus();
    item.onSelect();
  };

  const choose = (s: Shortcut) => {
    setOpen(false);
    run.mutate({ appId: s.appId, name: s.name, channelId: props.channelId, ...(props.messageId && { messageId: props.messageId }) });
  };

  return (
    <div
      className={`shortcut-menu-root ${props.className ?? ''}`}
      ref={root}
      onKeyDown={(e) => {
        if (e.key === 'Escape' && open) {
          e.stopPropagation();
          setOpen(false);
          root.current?.querySelector<HTMLElement>('button')?.focus();
        }
        if ((e.key === 'ArrowDown' || e.key === 'ArrowUp') && open) {
          e.preventDefault();
          const items = [...(root.current?.querySelectorAll<HTMLElement>('[role="menuitem"]') ?? [])];
          const at = items.indexOf(document.activeElement as HTMLElement);
          items[(at + (e.key === 'ArrowDown' ? 1 : items.length - 1)) % items.length]?.focus();
        }
      }}
    >
      <button type="button" className="icon-button" aria-label={props.label} title={props.label} aria-haspopup="menu" aria-expanded={open} aria-controls={open ? menuId : undefined} onClick={() => setOpen(!open)}>
        {props.icon}
      </button>
      {open && (
        <div className={`shortcut-menu shortcut-menu-${placement}`} id={menuId} role="menu" aria-label={props.label}>
          {builtins.map((item) => (
            <button key={item.id} type="button" role="menuitem" className="shortcut-menu-item" onClick={() => chooseBuiltin(item)}>
              <span className="shortcut-menu-name">{item.label}</span>
            </button>
          ))}
          {builtins.length > 0 && (list.length > 0 || !actions.isSuccess) && <div role="separator" className="shortcut-menu-separator" />}
          {actions.isPending && <p className="shortcut-menu-note">{t('apps.shortcuts.loading')}</p>}
          {actions.isError && <p className="shortcut-menu-note">{describeError(actions.error, t)}</p>}
          {actions.isSuccess && list.length === 0 && builtins.length === 0 && (
            <p className="shortcut-menu-note">{props.kind === 'GLOBAL' ? t('apps.shortcuts.noneGlobal') : t('apps.shortcuts.noneMessage')}</p>
          )}
          {list.map((s) => (
            <button key={`${s.appId}:${s.name}`} type="button" role="menuitem" className="shortcut-menu-item" onClick={() => choose(s)}>
              <span className="shortcut-menu-name">{s.displayName}</span>
              {s.description && <span className="shortcut-menu-description">{s.description}</span>}
              <span className="shortcut-menu-app">{s.appName}</span>
            </button>
          ))}
        </div>
      )}
      {run.isError && (
        <p className="shortcut-menu-error" role="alert">
          {t('apps.shortcuts.failed', { reason: describeError(run.error, t) })}
        </p>
      )}
    </div>
  );
}

export function BoltIcon({ size = 18 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="none" stroke="currentColor" strokeWidth={2} strokeLinecap="round" strokeLinejoin="round" aria-hidden="true" focusable="false">
      <path d="M13 2 4 14h7l-1 8 9-12h-7l1-8z" />
    </svg>
  );
}

export function MoreIcon({ size = 16 }: { size?: number }) {
  return (
    <svg width={size} height={size} viewBox="0 0 24 24" fill="currentColor" aria-hidden="true" focusable="false">
      <circle cx="5" cy="12" r="1.8" />
      <circle cx="12" cy="12" r="1.8" />
      <circle cx="19" cy="12" r="1.8" />
    </svg>
  );
}

/** ⚡ by the composer: the global shortcuts (web-client.md §6.2). */
export function GlobalShortcutsButton({ channelId }: { channelId: string }) {
  const { t } = useTranslation();
  return <ShortcutMenu kind="GLOBAL" channelId={channelId} label={t('apps.shortcuts.global')} icon={<BoltIcon />} placement="up" className="composer-shortcuts" />;
}

/** "More actions" in a message's hover toolbar: the client's own (Copy link), then the message shortcuts (web-client.md §6.1). */
export function MessageShortcutsButton({ channelId, messageId, builtins, onOpenChange }: { channelId: string; messageId: string; builtins?: readonly BuiltinItem[]; onOpenChange?(open: boolean): void }) {
  const { t } = useTranslation();
  return <ShortcutMenu kind="ON_MESSAGE" channelId={channelId} messageId={messageId} label={t('apps.shortcuts.more')} icon={<MoreIcon />} placement="down" {...(builtins && { builtins })} {...(onOpenChange && { onOpenChange })} />;
}
