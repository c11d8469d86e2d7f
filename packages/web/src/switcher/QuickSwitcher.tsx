import { Suspense, lazy, useCallback, useEffect, useRef, useState } from 'react';

const SwitcherDialog = lazy(() => import('./SwitcherDialog').then((m) => ({ default: m.SwitcherDialog })));

/** Ctrl+K (⌘K on a Mac), wherever the focus is — the composer included. */
const isSwitcherKey = (e: KeyboardEvent) => (e.ctrlKey || e.metaKey) && !e.altKey && !e.shiftKey && e.key.toLowerCase() === 'k';

/**
 * The quick switcher's key (web-client.md §8): Ctrl/Cmd+K opens a dialog to jump to a channel, a
 * conversation or a person; the dialog is a chunk of its own, loaded the first time.
 */
export function QuickSwitcher() {
  const [open, setOpen] = useState(false);
  const returnTo = useRef<HTMLElement | null>(null);
  const restoreFocus = useRef(false);

  useEffect(() => {
    const onKey = (e: KeyboardEvent) => {
      if (!isSwitcherKey(e)) return;
      e.preventDefault();
      setOpen((was) => {
        if (!was) returnTo.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
        // Ctrl+K again closes it, as Esc does.
        else restoreFocus.current = true;
        return !was;
      });
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, []);

  // Closed without going anywhere: the focus goes back where it was, once the modal dialog (which
  // makes the rest of the page inert) is gone.
  const close = useCallback((went: boolean) => {
    restoreFocus.current = !went;
    setOpen(false);
  }, []);
  useEffect(() => {
    if (open || !restoreFocus.current) return;
    restoreFocus.current = false;
    returnTo.current?.focus();
  }, [open]);

  if (!open) return null;
  return (
    <Suspense fallback={null}>
      <SwitcherDialog onClose={close} />
    </Suspense>
  );
}
