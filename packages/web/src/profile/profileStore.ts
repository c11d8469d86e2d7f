/** Whether the profile dialog is open: a tiny store so the person's menu can close while the dialog stays. */
import { useSyncExternalStore } from 'react';

let open = false;
const listeners = new Set<() => void>();
export function setProfileOpen(v: boolean): void {
  open = v;
  listeners.forEach((l) => l());
}
export const useProfileOpen = () =>
  useSyncExternalStore(
    (l) => (listeners.add(l), () => listeners.delete(l)),
    () => open,
  );
