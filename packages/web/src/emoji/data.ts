/**
 * The full emoji set (emojibase-data, English names, GitHub shortcodes — the `:code:` reactions and
 * other clients use), loaded on first need as a separate chunk: it is never part of the first load.
 */
import { useMemo } from 'react';
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

/**
 * A markdown render's env with the full set's shortcodes once it has loaded (markdownEmoji.ts reads
 * `emoji`): for a text whose `:code:`s go past the common few (`needsEmojiSet`), which loads the set.
 */
export function useWithEmojiSet<E extends object>(env: E, enabled = true): E & { emoji?(code: string): string | undefined } {
  const set = useEmojiData(enabled).data;
  return useMemo(() => (set ? { ...env, emoji: (code: string) => set.byCode.get(code) } : env), [env, set]);
}

/** `:code:` → the emoji, from the full set once loaded (the few common ones always). */
export function lookupEmoji(data: EmojiData | undefined, code: string): string | undefined {
  const bare = code.replace(/^:|:$/g, '');
  return fallbackEmojiOf(bare) ?? data?.byCode.get(bare);
}

/**
 * How well an emoji matches a query (lower is better), or undefined: its shortcode is the query
 * (`:heart:` for "heart"), then a shortcode starting with it, then its name starting with it, then a
 * word of either starting with it (`broken_heart`), then one containing it or a tag starting with
 * it. Within each, the closer (the shorter) first: "fire" before "firefighter".
 */
function rank(e: EmojiItem, code: string, words: string): number | undefined {
  const TIER = 1000;
  const label = e.label.toLowerCase();
  let best: number | undefined;
  const take = (tier: number, length: number) => {
    const score = tier * TIER + Math.min(length, TIER - 1);
    if (best === undefined || score < best) best = score;
  };
  for (const c of e.codes) {
    if (c === code) take(0, 0);
    else if (c.startsWith(code)) take(1, c.length);
    else if (c.split(/[_-]/).some((w) => w.startsWith(code))) take(3, c.length);
    else if (c.includes(code)) take(4, c.length);
  }
  if (label === words) take(0, 1);
  else if (label.startsWith(words)) take(2, label.length);
  else if (label.split(/[\s:-]+/).some((w) => w.startsWith(words))) take(3, label.length);
  else if (label.includes(words)) take(4, label.length);
  if (best === undefined && e.tags.some((t) => t.startsWith(words))) take(5, e.label.length);
  return best;
}

/**
 * The `limit` emoji that best match the query (see {@link rank}), best first; ties keep the set's
 * order. The whole set is ranked before the cut, so an exact shortcode is never cut off.
 */
export function searchEmoji(data: EmojiData, query: string, limit = 8): EmojiItem[] {
  const words = query.trim().toLowerCase().replace(/^:|:$/g, '');
  if (!words) return [];
  const code = words.replace(/\s+/g, '_');
  const found: Array<{ e: EmojiItem; score: number; at: number }> = [];
  data.list.forEach((e, at) => {
    const score = rank(e, code, words);
    if (score !== undefined) found.push({ e, score, at });
  });
  found.sort((a, b) => a.score - b.score || a.at - b.at);
  return found.slice(0, limit).map((f) => f.e);
}
