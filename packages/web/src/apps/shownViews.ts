/**
 * The app modals this tab has shown, by view id, in sessionStorage: the server keeps a person's open
 * modals (up to a day) and `GET /v1/views` returns them to every tab and device, but only the tab
 * that showed one brings it back — after a reload or a reconnect — not a fresh sign-in or another
 * tab. A sign-in in this tab forgets them.
 */
import type { View } from './types';

const KEY = 'sb.shownViews';
const KEEP = 50;

function read(): string[] {
  try {
    const ids: unknown = JSON.parse(sessionStorage.getItem(KEY) ?? '[]');
    return Array.isArray(ids) ? ids.filter((id): id is string => typeof id === 'string') : [];
  } catch {
    return [];
  }
}

/** A sign-in in this tab: no modal of before comes back. */
export function forgetShown(): void {
  try {
    sessionStorage.removeItem(KEY);
  } catch {
    // no storage: nothing was kept
  }
}

/** These views are on screen in this tab. */
export function rememberShown(ids: string[]): void {
  const held = read();
  if (ids.every((id) => held.includes(id))) return;
  try {
    sessionStorage.setItem(KEY, JSON.stringify([...held.filter((id) => !ids.includes(id)), ...ids].slice(-KEEP)));
  } catch {
    // storage full or refused: the modal is simply not restored
  }
}

/**
 * The modal stack as this tab may restore it: whole when this tab showed any of it (one pushed
 * meanwhile comes along), else none; other views (not modals) as they are.
 */
export function restorableHere(views: View[]): View[] {
  const held = read();
  const modals = views.filter((v) => v.type === 'MODAL');
  if (modals.some((v) => held.includes(v.id))) return views;
  return views.filter((v) => v.type !== 'MODAL');
}
