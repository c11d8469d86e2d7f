/**
 * The full emoji set (emojibase-data, English names, GitHub shortcodes — the `:code:` reactions and
 * other clients use), loaded on first need as a separate chunk: it is never part of the first load.
 */
import { useQuery } from '@tanstack/react-query';
import { emojiOf as fallbackEmojiOf } from '../lib/emoji';

export interface EmojiItem {
  unicode: string;
  label: string;
  /** the shortcode used for reactions, without colons */
  code: string;
  codes: string[];
  group: number;
  tags: string[];
}

export interface EmojiData {
  list: EmojiItem[];
  byCode: Map<string, string>;
}

/** Emojibase's groups in order, without "components" (skin tones and hair alone). */
export const GROUPS = [
  { id: 0, key: 'smileys', icon: '😀' },
  { id: 1, key: 'people', icon: '👋' },
  { id: 3, key: 'nature', icon: '🐶' },
  { id: 4, key: 'food', icon: '🍎' },
  { id: 5, key: 'travel', icon: '✈️' },
  { id: 6, key: 'activities', icon: '⚽' },
  { id: 7, key: 'objects', icon: '💡' },
  { id: 8, key: 'symbols', icon: '❤️' },
  { id: 9, key: 'flags', icon: '🏁' },
] as const;

const plain = /^[a-z0-9_]+$/;

async function load(): Promise<EmojiData> {
  const [{ default: compact }, { default: github }] = await Promise.all([
    import('emojibase-data/en/compact.json'),
    import('emojibase-data/en/shortcodes/github.json'),
  ]);
  const codesOf = github as Record<string, string | string[]>;
  const list: EmojiItem[] = [];
  const byCode = new Map<string, string>();
  for (const e of compact as Array<{ hexcode: string; label: string; unicode: string; group?: number; order?: number; tags?: string[] }>) {
    const raw = codesOf[e.hexcode];
    if (!raw || e.group === undefined || e.group === 2) continue;
    const codes = Array.isArray(raw) ? raw : [raw];
    const code = codes.find((c) => plain.test(c)) ?? codes[0]!;
    for (const c of codes) byCode.set(c, e.unicode);
    list.push({ unicode: e.unicode, label: e.label, code, codes, group: e.group, tags: e.tags ?? [] });
  }
  return { list, byCode };
}

/** The emoji set, fetched once per tab when `enabled` first becomes true. */
export function useEmojiData(enabled = true) {
  return useQuery({ queryKey: ['emoji-data'], queryFn: load, enabled, staleTime: Infinity, gcTime: Infinity });
}

/** `:code:` → the emoji, from the full set once loaded (the few common ones always). */
export function lookupEmoji(data: EmojiData | undefined, code: string): string | undefined {
  const bare = code.replace(/^:|:$/g, '');
  return fallbackEmojiOf(bare) ?? data?.byCode.get(bare);
}

/** Up to `limit` emoji whose shortcode or name starts with (then contains) the query. */
export function searchEmoji(data: EmojiData, query: string, limit = 8): EmojiItem[] {
  const q = query.toLowerCase();
  if (!q) return [];
  const starts: EmojiItem[] = [];
  const contains: EmojiItem[] = [];
  for (const e of data.list) {
    if (e.codes.some((c) => c.startsWith(q)) || e.label.startsWith(q)) starts.push(e);
    else if (e.codes.some((c) => c.includes(q)) || e.label.includes(q) || e.tags.some((t) => t.startsWith(q))) contains.push(e);
    if (starts.length >= limit) break;
  }
  return [...starts, ...contains].slice(0, limit);
}
