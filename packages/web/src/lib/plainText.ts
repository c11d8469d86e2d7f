/**
 * A message's text as words, for where markup cannot show (a screen reader's announcement, the
 * snippet of a thread a reply answers): mentions by name, links as their words, code blocks and
 * markup characters left out, whitespace folded, cut at `max` characters.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { ChannelInfo, WorkspaceUser } from './types';

export interface Names {
  user(id: string): string | undefined;
  channel(id: string): string | undefined;
}

/** Names as the query cache holds them (people and channels as last fetched). */
export function cachedNames(qc: QueryClient): Names {
  const people = qc.getQueryData<WorkspaceUser[]>(['users']);
  const channels = qc.getQueryData<ChannelInfo[]>(['channels']);
  return {
    user: (id) => people?.find((u) => u.id === id)?.name,
    channel: (id) => channels?.find((c) => c.channel.id === id)?.channel.name,
  };
}

export function plainText(text: string, names: Names, max: number): string {
  const plain = text
    .replace(/<@([A-Za-z0-9_-]+)>/g, (_, id: string) => `@${names.user(id) ?? ''}`)
    .replace(/<#([A-Za-z0-9_-]+)>/g, (_, id: string) => `#${names.channel(id) ?? ''}`)
    .replace(/```[\s\S]*?```/g, ' … ')
    .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
    .replace(/[*_~`>]/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return plain.length > max ? `${plain.slice(0, max - 1)}…` : plain;
}
