/** Unsent text per channel, kept for this tab (sessionStorage) so switching channels loses nothing. */
const key = (channelId: string) => `sb.draft.${channelId}`;

export function loadDraft(channelId: string): string {
  try {
    return sessionStorage.getItem(key(channelId)) ?? '';
  } catch {
    return '';
  }
}

export function saveDraft(channelId: string, text: string): void {
  try {
    if (text) sessionStorage.setItem(key(channelId), text);
    else sessionStorage.removeItem(key(channelId));
  } catch {
    /* storage full or unavailable: the draft lives while the composer does */
  }
}
