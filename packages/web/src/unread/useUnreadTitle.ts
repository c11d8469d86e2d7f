/**
 * The browser tab's title: the page's own (setTitle) after the unread state, as Slack shows it —
 * "(3) #general · Switchboard" when mentions or direct messages wait (their count), "* #general ·
 * Switchboard" when only plain channel messages do.
 */
import { useEffect } from 'react';
import { useChannels, isDirect } from '../channels/useChannels';
import { useUnread } from './useUnread';

let base = 'Switchboard';
let prefix = '';
const write = () => {
  document.title = prefix + base;
};

/** The page's title, without the unread prefix (every page sets its own). */
export function setTitle(title: string): void {
  base = title;
  write();
}

/** Keeps the unread prefix of the title up to date: once, in the shell. */
export function useUnreadTitle(): void {
  const unread = useUnread().data;
  const channels = useChannels().data;
  let count = 0;
  let any = false;
  for (const c of channels ?? []) {
    const u = unread?.get(c.channel.id);
    if (!u || u.unread === 0 || !c.channel.isMember || c.channel.isArchived) continue;
    any = true;
    count += isDirect(c) ? u.unread : u.mentions;
  }
  const next = count > 0 ? `(${count > 99 ? '99+' : count}) ` : any ? '* ' : '';
  useEffect(() => {
    prefix = next;
    write();
  }, [next]);
}
