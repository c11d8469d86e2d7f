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

/**
 * Kept as typed: fenced blocks (``` or ~~~, an unclosed one to the end, as markdown-it reads it),
 * inline code, indented code lines, and URLs (`https://medium.com/@ana`, `https://x.com/#home`).
 */
const CODE = /```[\s\S]*?(?:```|$)|~~~[\s\S]*?(?:~~~|$)|`[^`\n]*`|(?:^|\n)(?: {4}|\t)[^\n]*|\b[a-z][a-z0-9+.-]*:\/\/\S+|\bwww\.\S+/gi;
const WORD = /[\p{L}\p{N}_]/u;

/** Does a name end at `rest[n]`? Not before a letter, nor before `-`/`.` and a letter (`#dev-ops` is not `#dev`). */
const endsAt = (rest: string, n: number) => !WORD.test(rest.charAt(n)) && !(/[-.]/.test(rest.charAt(n)) && WORD.test(rest.charAt(n + 1)));

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
        // a deactivated person's mention stays an id: toWire turns only active people's names back
        return u && u.status === 'ACTIVATED' ? `@${u.name}` : whole;
      })
      .replace(/<#([0-9a-f]{24})>/g, (whole, id: string) => {
        const c = names.channels?.find((x) => x.channel.id === id);
        return c?.channel.name ? `#${c.channel.name}` : whole;
      }),
  );
}

/** Whom a text's `<@id>` mentions name (name → id), for toWire: editing keeps each mention's person. */
export function mentionedPeople(text: string, names: MentionNames): Map<string, string> {
  const picked = new Map<string, string>();
  for (const m of text.matchAll(/<@([0-9a-f]{24})>/g)) {
    const u = names.people?.get(m[1]!);
    if (u) picked.set(u.name.toLowerCase(), u.id);
  }
  return picked;
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
    if (lower.startsWith(c.name.toLowerCase()) && endsAt(rest, n)) best = { length: n, value: c.value };
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
      // not glued to a word (a@b.com) nor after a slash (x.com/#home, a path)
      if ((ch === '@' || ch === '#') && (i === 0 || !(WORD.test(part[i - 1]!) || part[i - 1] === '/'))) {
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
