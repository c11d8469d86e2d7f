import { useEffect, useRef, type ReactNode } from 'react';

/** A modal question on the native <dialog> (focus trap, Esc and the backdrop come with it). */
export function ConfirmDialog(props: {
  title: string;
  children?: ReactNode;
  confirmLabel: string;
  cancelLabel: string;
  danger?: boolean;
  busy?: boolean;
  onConfirm(): void;
  onCancel(): void;
}) {
  const ref = useRef<HTMLDialogElement>(null);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog ref={ref} className="dialog" aria-labelledby="confirm-title" onCancel={(e) => (e.preventDefault(), props.onCancel())}>
      <h2 id="confirm-title" className="dialog-title">
        {props.title}
      </h2>
      {props.children && <div className="dialog-body">{props.children}</div>}
      <div className="dialog-actions">
        <button type="button" className="button button-secondary" onClick={props.onCancel}>
          {props.cancelLabel}
        </button>
        <button type="button" className={`button ${props.danger ? 'button-danger' : 'button-primary'}`} onClick={props.onConfirm} disabled={props.busy} autoFocus>
          {props.confirmLabel}
        </button>
      </div>
    </dialog>
  );
}
