import { useEffect, useRef } from 'react';
import { useOpenViews } from '../queries';
import { ModalView } from './ModalView';
import { useCloseView } from './submit';
import '../apps.css';
import { rememberShown } from '../shownViews';

const FOCUSABLE = 'input:not([disabled]), select:not([disabled]), textarea:not([disabled]), button:not([disabled]), a[href]';

/**
 * The person's modal stack (up to three, web-client.md §6.3) in one native <dialog>: it traps focus
 * and makes the page behind inert; only the top modal shows, the ones below keep their inputs.
 * Esc closes the top one (the app is told when it asked, notifyOnClose).
 */
export function ModalStack() {
  const views = useOpenViews().data;
  const stack = views?.views.filter((v) => v.type === 'MODAL') ?? [];
  const ref = useRef<HTMLDialogElement>(null);
  const close = useCloseView();
  const top = stack[stack.length - 1];

  useEffect(() => {
    const d = ref.current;
    if (!d) return;
    if (top && !d.open) d.showModal();
    if (!top && d.open) d.close();
  }, [top]);

  // shown here: this tab brings them back after a reload (apps/shownViews.ts)
  const ids = stack.map((v) => v.id).join(' ');
  useEffect(() => {
    if (ids) rememberShown(ids.split(' '));
  }, [ids]);

  // a new top modal: focus its first field (or button)
  const topId = top?.id;
  useEffect(() => {
    if (!topId) return;
    const section = ref.current?.querySelector<HTMLElement>(`[data-view-id="${CSS.escape(topId)}"]`);
    const body = section?.querySelector<HTMLElement>(`.app-modal-body :is(${FOCUSABLE})`) ?? section?.querySelector<HTMLElement>(FOCUSABLE);
    body?.focus();
  }, [topId]);

  return (
    <dialog
      ref={ref}
      className="dialog app-modal-dialog"
      aria-labelledby="app-modal-title"
      onCancel={(e) => {
        e.preventDefault();
        if (top) close.mutate(top);
      }}
    >
      {stack.map((v) => (
        <div key={v.id} data-view-id={v.id} className="app-modal-layer">
          <ModalView view={v} banner={views?.errors?.[v.id]} top={v === top} titleId="app-modal-title" />
        </div>
      ))}
    </dialog>
  );
}
