/**
 * The time zone every time and date on screen is shown in (web-client.md §6.8): the one the person
 * saved in their profile, or the browser's while they have none. Module state, like the UI's
 * language: the shell sets it when the signed-in person loads, formatters read it, and components
 * that show times subscribe (useDisplayTimeZone) so that they render again when it changes.
 */
import { useSyncExternalStore } from 'react';

export const browserTimeZone = (): string => Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

let zone = browserTimeZone();
const listeners = new Set<() => void>();

/** A zone the browser's Intl knows, or undefined (a zone saved by another client may not be). */
function validZone(candidate: string | undefined | null): string | undefined {
  if (!candidate) return undefined;
  try {
    return new Intl.DateTimeFormat('en', { timeZone: candidate }).resolvedOptions().timeZone;
  } catch {
    return undefined;
  }
}

/** The person's saved zone; none, or one this browser does not know, falls back to the browser's. */
export function setDisplayTimeZone(saved: string | undefined | null): void {
  const next = validZone(saved) ?? browserTimeZone();
  if (next === zone) return;
  zone = next;
  for (const l of listeners) l();
}

export const displayTimeZone = (): string => zone;

const subscribe = (listener: () => void) => {
  listeners.add(listener);
  return () => void listeners.delete(listener);
};

/** The display zone, re-rendering the caller when it changes. */
export const useDisplayTimeZone = (): string => useSyncExternalStore(subscribe, displayTimeZone);
