import type { QueryClient } from '@tanstack/react-query';
import type { Message } from '../lib/types';
import { flatten, messagesKey, type MessagesData } from './cache';

/** The newest message of mine in the channel as loaded, the one ↑ edits. */
export function lastOwnMessage(qc: QueryClient, channelId: string, meId: string | undefined): Message | undefined {
  if (!meId) return undefined;
  const list = flatten(qc.getQueryData<MessagesData>(messagesKey(channelId)));
  for (let i = list.length - 1; i >= 0; i--) {
    const m = list[i]!;
    if (m.author === meId && !m.integrationId && !m.isEphemeral) return m;
  }
  return undefined;
}
