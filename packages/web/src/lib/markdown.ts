/**
 * The one rendering pipeline for message text (and, inline only, channel descriptions:
 * renderInlineMarkdown): markdown-it with raw HTML off (the platform's subset only), then DOMPurify
 * over its output. Only this module's output may go into dangerouslySetInnerHTML.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import { mentionsPlugin, type MentionEnv } from '../mentions/markdownMentions';
import { emojiPlugin, type EmojiEnv } from '../emoji/markdownEmoji';

/** What a render reads besides the text: names for mentions, the emoji set for shortcodes. */
export type RenderEnv = MentionEnv & EmojiEnv;

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
// The platform's subset: bold, italic, strike, code, code blocks, quotes, lists, links — nothing more.
md.disable(['table', 'heading', 'lheading', 'hr', 'image', 'html_block', 'html_inline', 'reference']);
// Mentions (<@id>, <#id>, @channel, @here) as chips; names come from env, escaped.
md.use(mentionsPlugin);
// `:shortcode:` as the emoji (known codes only; never in code).
md.use(emojiPlugin);

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'];
const ALLOWED_ATTR = ['href', 'start', 'class', 'title'];

const purify = DOMPurify();
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const SAFE_URL = /^(?:https?:|mailto:)/i;
// Set once: a config passed to each sanitize() call is parsed again on every call.
purify.setConfig({ ALLOWED_TAGS, ALLOWED_ATTR, ALLOWED_URI_REGEXP: SAFE_URL, ADD_ATTR: ['target', 'rel'] });

/**
 * What one render read from its env, in order: the mention chips and the emoji of codes outside the
 * common few are the only parts of the HTML that depend on it (names, "me", the unknown
 * placeholders, the emoji set once loaded), so a cached HTML is still right for another env exactly
 * when replaying these reads on it answers the same.
 */
type Lookup = 'userName' | 'channelName' | 'emoji';
type EnvRead = { key: Lookup; id: string; value: string | undefined } | { key: 'meId' | 'unknownUser' | 'unknownChannel'; value: string | undefined };

function replay(reads: EnvRead[], env: RenderEnv): boolean {
  return reads.every((r) => ('id' in r ? env[r.key]?.(r.id) : env[r.key]) === r.value);
}

/** An env for markdown-it (a RenderEnv) that answers from `env` and notes every read. */
function recording(env: RenderEnv, reads: EnvRead[]): Record<string, unknown> {
  const lookup = (key: Lookup) => (id: string) => {
    const value = env[key]?.(id);
    reads.push({ key, id, value });
    return value;
  };
  const field = (key: 'meId' | 'unknownUser' | 'unknownChannel') => ({
    enumerable: true,
    get: () => {
      reads.push({ key, value: env[key] });
      return env[key];
    },
  });
  const recorded: Record<string, unknown> = { userName: lookup('userName'), channelName: lookup('channelName'), emoji: lookup('emoji') };
  return Object.defineProperties(recorded, { meId: field('meId'), unknownUser: field('unknownUser'), unknownChannel: field('unknownChannel') });
}

/**
 * Parsing and sanitising costs about half a millisecond per message, paid again each time the
 * virtualised list mounts a row (scrolling back and forth, reopening a channel): each text is
 * rendered once and kept, the least recently used dropped past {@link CACHE_SIZE}.
 */
const CACHE_SIZE = 3_000;
const cache = new Map<string, { html: string; reads: EnvRead[] }>();

/** Message markdown → sanitised HTML, safe to hand to dangerouslySetInnerHTML. */
export function renderMarkdown(text: string, env: RenderEnv = {}): string {
  const hit = cache.get(text);
  if (hit && replay(hit.reads, env)) {
    cache.delete(text);
    cache.set(text, hit);
    return hit.html;
  }
  const reads: EnvRead[] = [];
  const html = purify.sanitize(md.render(text, recording(env, reads)));
  cache.delete(text);
  cache.set(text, { html, reads });
  if (cache.size > CACHE_SIZE) cache.delete(cache.keys().next().value!);
  return html;
}

/**
 * One line of markdown (a channel's description in its header or in Browse channels) → sanitised
 * HTML: the inline part of the subset only (bold, italic, strike, code, links, mentions, emoji), no
 * paragraphs, lists or quotes; line breaks read as spaces, so it stays one line.
 */
export function renderInlineMarkdown(text: string, env: RenderEnv = {}): string {
  return purify.sanitize(md.renderInline(text.replace(/\s*\n\s*/g, ' '), { ...env }));
}

type Idle = { timeRemaining(): number };
const whenIdle: (run: (deadline: Idle) => void) => () => void =
  typeof requestIdleCallback === 'function'
    ? (run) => {
        const handle = requestIdleCallback(run, { timeout: 1_000 });
        return () => cancelIdleCallback(handle);
      }
    : (run) => {
        // no idle callbacks (Safari): short slices between frames
        const start = performance.now();
        const handle = setTimeout(() => run({ timeRemaining: () => Math.max(0, 4 - (performance.now() - start)) }), 50);
        return () => clearTimeout(handle);
      };

/**
 * Renders texts into the cache while the page is idle, the last first, so that rows mounting
 * later (the older page the list has just prepended, above the view) find their HTML ready and
 * a frame of scrolling does not parse. Answers a function that stops it.
 */
export function warmMarkdown(texts: readonly string[], env: RenderEnv): () => void {
  const queue = texts.filter((text) => !cache.has(text));
  let cancel = () => {};
  const run = (deadline: Idle) => {
    // a timed-out callback has no time left: it still renders one, so the queue always moves
    do {
      renderMarkdown(queue.pop()!, env);
    } while (queue.length > 0 && deadline.timeRemaining() > 1);
    if (queue.length > 0) cancel = whenIdle(run);
  };
  if (queue.length > 0) cancel = whenIdle(run);
  return () => cancel();
}
