/**
 * A markdown-it inline rule for `:shortcode:` in message text: a known code becomes its emoji, as
 * Slack, Pumble and Rocket.Chat show it; an unknown one stays text. Code spans and blocks are never
 * parsed inline, so a code there stays as typed. The common codes are always known (lib/emoji); the
 * others once the full set has loaded, through the render's env (`emoji`), so that a text rendered
 * before it loaded is rendered again after (lib/markdown.ts replays what a render read).
 */
import type MarkdownIt from 'markdown-it';
import { emojiOf } from '../lib/emoji';

type Md = InstanceType<typeof MarkdownIt>;

export interface EmojiEnv {
  /** the full set's lookup, once loaded */
  emoji?(code: string): string | undefined;
}

/** `:code:` not glued to a word before it (`12:30:45`, `a:b:` stay text). */
const SHORTCODE = /^:([a-z0-9_+-]+):/;
const WORD_BEFORE = /[A-Za-z0-9]/;
const ANY_SHORTCODE = /(?:^|[^A-Za-z0-9]):([a-z0-9_+-]+):/g;

/** Does this text have a `:code:` that only the full emoji set knows (worth loading it for)? */
export function needsEmojiSet(text: string): boolean {
  if (!text.includes(':')) return false;
  for (const m of text.matchAll(ANY_SHORTCODE)) if (!emojiOf(m[1]!)) return true;
  return false;
}

export function emojiPlugin(md: Md): void {
  md.inline.ruler.before('text', 'emoji', (state, silent) => {
    if (state.src.charCodeAt(state.pos) !== 0x3a /* : */) return false;
    if (state.pos > 0 && WORD_BEFORE.test(state.src[state.pos - 1]!)) return false;
    const m = SHORTCODE.exec(state.src.slice(state.pos, state.pos + 64));
    if (!m) return false;
    const code = m[1]!;
    const emoji = emojiOf(code) ?? (state.env as EmojiEnv).emoji?.(code);
    if (!emoji) return false;
    if (!silent) {
      const token = state.push('emoji', '', 0);
      token.content = emoji;
      token.markup = code;
    }
    state.pos += m[0].length;
    return true;
  });

  md.renderer.rules.emoji = (tokens, idx) => {
    const token = tokens[idx]!;
    const esc = md.utils.escapeHtml;
    return `<span class="emoji" title=":${esc(token.markup)}:">${esc(token.content)}</span>`;
  };
}
