/**
 * Desktop notifications (web-client.md §6.8): a message that mentions the person, or any message of a
 * channel set to "all" (direct messages by default), shows a Notification while the tab is hidden —
 * if the person turned them on and the browser allowed it. The level is the server's, per membership
 * (notifications/levels.ts). Called for every realtime frame.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { ChannelInfo, Message, Session, WorkspaceUser } from '../lib/types';
import { desktopEnabled } from './prefs';
import { notificationLevelOf } from '../notifications/levels';

export function notifyFrame(qc: QueryClient, frame: { type: string; [k: string]: unknown }): void {
  if (frame.type !== 'message.created' || typeof Notification === 'undefined') return;
  if (!document.hidden || Notification.permission !== 'granted' || !desktopEnabled()) return;
  const m = frame.message as Message;
  const me = qc.getQueryData<Session | null>(['session'])?.workspaceUserId;
  if (!me || m.author === me || m.isEphemeral || m.threadReplyInfo) return;
  const info = qc.getQueryData<ChannelInfo[]>(['channels'])?.find((c) => c.channel.id === m.channelId);
  const direct = info?.channel.channelType === 'DIRECT';
  const mentioned = m.text.includes(`<@${me}>`) || /(^|\s)@(channel|here)\b/.test(m.text);
  void notificationLevelOf(qc, m.channelId, direct).then((level) => {
    if (level === 'nothing' || (level === 'mentions' && !mentioned)) return;
    show(qc, m, info, direct);
  });
}

function show(qc: QueryClient, m: Message, info: ChannelInfo | undefined, direct: boolean): void {
  const author = qc.getQueryData<WorkspaceUser[]>(['users'])?.find((u) => u.id === m.author)?.name ?? '';
  const where = direct ? author : `#${info?.channel.name ?? ''}`;
  const body = m.text.replace(/<@[^>]+>/g, '@…').slice(0, 160);
  const n = new Notification(direct ? author : `${author} · ${where}`, { body, tag: m.id });
  n.onclick = () => {
    window.focus();
    history.pushState(null, '', `/c/${m.channelId}`); // the router follows popstate
    dispatchEvent(new PopStateEvent('popstate'));
  };
}
