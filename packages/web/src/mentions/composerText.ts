/**
 * What a person sees in a text box, and what is sent. Messages carry mentions as `<@userId>` and
 * `<#channelId>` (markdownMentions.ts); a box shows them as Slack's and Pumble's composers do — the
 * name, `@Ana Lima`, `#general` — and the text is turned back into ids when it is sent. Code spans
 * and blocks are left as typed, as the renderer leaves them.
 */
import type { ChannelInfo, WorkspaceUser } from '../lib/types';

export interface MentionNames {
  people: ReadonlyMap<string, WorkspaceUser> | undefined;
  channels: readonly ChannelInfo[] | undefined;
}

/** Inline code and fenced blocks: kept as typed. */
const CODE = /```[\s\S]*?```|`[^`\n]*`/g;
const WORD = /[\p{L}\p{N}_]/u;

/** Applies `change` to the text outside code. */
function outsideCode(text: string, change: (part: string) => string): string {
  let out = '';
  let at = 0;
  for (const m of text.matchAll(CODE)) {
    out += change(text.slice(at, m.index)) + m[0];
    at = m.index + m[0].length;
  }
  return out + change(text.slice(at));
}

/** `<@id>` → `@Name`, `<#id>` → `#name`, for a box (editing a message): ids nobody knows stay. */
export function toDisplay(text: string, names: MentionNames): string {
  return outsideCode(text, (part) =>
    part
      .replace(/<@([0-9a-f]{24})>/g, (whole, id: string) => {
        const u = names.people?.get(id);
        return u ? `@${u.name}` : whole;
      })
      .replace(/<#([0-9a-f]{24})>/g, (whole, id: string) => {
        const c = names.channels?.find((x) => x.channel.id === id);
        return c?.channel.name ? `#${c.channel.name}` : whole;
      }),
  );
}

/**
 * The longest of `candidates` that `rest` starts with (case-insensitively), ending where a word
 * ends: `@Ana Lima,` is Ana Lima, `@Anabel` is not Ana.
 */
function longestAt<T>(rest: string, candidates: ReadonlyArray<{ name: string; value: T }>): { length: number; value: T } | undefined {
  const lower = rest.toLowerCase();
  let best: { length: number; value: T } | undefined;
  for (const c of candidates) {
    const n = c.name.length;
    if (n === 0 || (best && n <= best.length)) continue;
    if (lower.startsWith(c.name.toLowerCase()) && !WORD.test(rest.charAt(n))) best = { length: n, value: c.value };
  }
  return best;
}

/**
 * `@Name` of an active person → `<@id>`, `#name` of a channel → `<#id>`: what a box shows, sent.
 * `picked` (name → id, from the autocomplete) settles two people of one name; otherwise the first.
 * `@channel` and `@here` stay words (they are mentions as typed).
 */
export function toWire(text: string, names: MentionNames, picked?: ReadonlyMap<string, string>): string {
  const people = [...(names.people?.values() ?? [])]
    .filter((u) => u.status === 'ACTIVATED')
    .map((u) => ({ name: u.name, value: picked?.get(u.name.toLowerCase()) ?? u.id }));
  const channels = (names.channels ?? [])
    .filter((c) => c.channel.channelType === 'PUBLIC' || c.channel.channelType === 'PRIVATE')
    .map((c) => ({ name: c.channel.name ?? '', value: c.channel.id }));
  return outsideCode(text, (part) => {
    let out = '';
    let i = 0;
    while (i < part.length) {
      const ch = part[i]!;
      if ((ch === '@' || ch === '#') && (i === 0 || !WORD.test(part[i - 1]!))) {
        const rest = part.slice(i + 1);
        if (ch === '@' && /^(channel|here)(?![\p{L}\p{N}_])/u.test(rest)) {
          out += ch;
          i++;
          continue;
        }
        const found = longestAt(rest, ch === '@' ? people : channels);
        if (found) {
          out += ch === '@' ? `<@${found.value}>` : `<#${found.value}>`;
          i += 1 + found.length;
          continue;
        }
      }
      out += ch;
      i++;
    }
    return out;
  });
}
