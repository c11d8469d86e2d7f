/**
 * What the quick switcher offers, and the order it offers it in: the person's channels and
 * conversations, then the public channels they have not joined (opened as a preview, with Join, as
 * from Browse channels), then people to start a conversation with (those without a 1:1 one yet).
 */
import type { ChannelInfo, WorkspaceUser } from '../lib/types';
import { sidebarSections } from '../channels/useChannels';

export type Candidate =
  | { kind: 'channel'; id: string; label: string; info: ChannelInfo }
  | { kind: 'direct'; id: string; label: string; info: ChannelInfo; userId: string | undefined }
  | { kind: 'unjoined'; id: string; label: string; info: ChannelInfo }
  | { kind: 'person'; id: string; label: string; user: WorkspaceUser };

/** Shown before anything is typed, and at most after. */
export const MAX_SHOWN = 30;

/** Lower case without accents: "José" is found by typing "jose". */
export const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export function candidates(list: ChannelInfo[], people: Map<string, WorkspaceUser> | undefined, meId: string | undefined, you: string): Candidate[] {
  const { channels, directs } = sidebarSections(list, people, meId, you);
  const withDm = new Set<string>();
  const out: Candidate[] = channels.map((info) => ({ kind: 'channel', id: info.channel.id, label: info.channel.name ?? '', info }));
  for (const { info, label } of directs) {
    const others = (info.users ?? []).filter((id) => id !== meId);
    if (others.length === 1) withDm.add(others[0]!);
    out.push({ kind: 'direct', id: info.channel.id, label, info, userId: others.length === 1 ? others[0] : undefined });
  }
  const unjoined = list
    .filter((c) => c.channel.channelType === 'PUBLIC' && !c.channel.isMember && !c.channel.isArchived)
    .sort((a, b) => (a.channel.name ?? '').localeCompare(b.channel.name ?? ''));
  for (const info of unjoined) out.push({ kind: 'unjoined', id: info.channel.id, label: info.channel.name ?? '', info });
  const strangers = [...(people?.values() ?? [])]
    .filter((u) => u.id !== meId && u.status === 'ACTIVATED' && !u.isAddonBot && !withDm.has(u.id))
    .sort((a, b) => a.name.localeCompare(b.name));
  for (const user of strangers) out.push({ kind: 'person', id: `person:${user.id}`, label: user.name, user });
  return out;
}

/**
 * The candidates that match what was typed: those whose name starts with it first, then those with a
 * word starting with it, then any other containing it; the list's own order (channels, conversations,
 * channels not joined, people) within each. A person is also found by e-mail.
 */
export function matching(all: Candidate[], query: string): Candidate[] {
  const q = fold(query.trim().replace(/^[#@]/, ''));
  // before anything is typed: the person's own channels and conversations only
  if (!q) return all.filter((c) => c.kind !== 'person' && c.kind !== 'unjoined').slice(0, MAX_SHOWN);
  const ranked: Array<{ c: Candidate; rank: number }> = [];
  for (const c of all) {
    const label = fold(c.label);
    const rank = label.startsWith(q) ? 0 : label.split(/[\s\-_.,]+/).some((w) => w.startsWith(q)) ? 1 : label.includes(q) || (c.kind === 'person' && fold(c.user.email).includes(q)) ? 2 : -1;
    if (rank >= 0) ranked.push({ c, rank });
  }
  return ranked
    .sort((a, b) => a.rank - b.rank)
    .slice(0, MAX_SHOWN)
    .map((r) => r.c);
}
