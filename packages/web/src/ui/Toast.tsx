import { useSyncExternalStore } from 'react';
import './toast.css';

/**
 * A short confirmation at the bottom of the screen ("Link copied"), gone after a moment: one at a
 * time, a newer one replacing it. The region is always in the page (role="status"), so screen
 * readers say each one as it appears.
 */
interface Toast {
  id: number;
  text: string;
  action?: ToastAction;
}

/** A button in the toast ("View"): it runs `run` and the toast goes. */
export interface ToastAction {
  label: string;
  run(): void;
}

const SHOWN_MS = 2_500;
let current: Toast | null = null;
let seq = 0;
let timer: ReturnType<typeof setTimeout> | undefined;
const listeners = new Set<() => void>();
const emit = () => listeners.forEach((l) => l());

/** Shows `text` for `ms` (longer for one the person may need to read or select, such as a link to copy by hand). */
export function showToast(text: string, ms: number = SHOWN_MS, action?: ToastAction): void {
  current = { id: ++seq, text, action };
  emit();
  clearTimeout(timer);
  timer = setTimeout(hideToast, ms);
}

export function hideToast(): void {
  current = null;
  emit();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function ToastRegion() {
  const toast = useSyncExternalStore(subscribe, () => current);
  return (
    <div className="toast-region" role="status" aria-live="polite">
      {toast && (
        <p key={toast.id} className="toast">
          {toast.text}
          {toast.action && (
            <button
              type="button"
              className="toast-action"
              onClick={() => {
                hideToast();
                toast.action!.run();
              }}
            >
              {toast.action.label}
            </button>
          )}
        </p>
      )}
    </div>
  );
}
