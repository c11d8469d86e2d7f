/**
 * Message text in Rocket.Chat's markup, for the `msg` of every message this face shows.
 *
 * Switchboard keeps text in its own markup: an incoming webhook's Slack/Rocket.Chat markup is
 * converted when it is posted (docs/integrations.md §7.5 decision, domain/integrations/slack-markup.ts),
 * and people write Switchboard markup natively. Rocket.Chat clients and tests compare `msg` with
 * what they posted, and render it as Rocket.Chat markup, so this is the inverse of that conversion:
 * `**bold**` → `*bold*`, `*italic*` → `_italic_`, `~~strike~~` → `~strike~`, `[text](url)` →
 * `<url|text>`; code spans and blocks are left as they are. For every text the conversion changes
 * and can undo (emphasis, strike, labelled links, nested as Slack nests them, and Markdown's
 * `**bold**` / `~~strike~~` that senders also use), the result is the text as posted. What an
 * integration posted is not read back through this at all: the message keeps its text as posted
 * (`Message.postedText`), since the conversion cannot always be undone (`<https://x>` was stored as
 * `https://x`, `<!here|x>` as `@here`, `*_x_*` and `**x**` both as `***x***`). So this serves the
 * text people wrote in Switchboard markup, and integration posts edited since.
 */

const CODE = /```[\s\S]*?```|`[^`\n]+`/g;

/** An emphasis span must hug its text, as the forward conversion requires (`a * b` is not emphasis). */
const HUG_START = '(?!\\s)';
const HUG_END = '(?<!\\s)';
/** Not inside a word, not escaped: the same boundaries the forward conversion matched `*x*` / `_x_` / `~x~` at. */
const OPEN = '(?<![\\p{L}\\p{N}\\\\*~])';
const CLOSE = '(?![\\p{L}\\p{N}*~])';

/** Text of a `*italic*` span: no `*`, except whole `**bold**` spans inside it. */
const ITALIC_BODY = `(?:[^*\\n]|\\*\\*${HUG_START}[^*\\n]+?${HUG_END}\\*\\*)+?`;
/** Text of a `**bold**` span: no `*`, except whole `*italic*` spans inside it. */
const BOLD_BODY = `(?:[^*\\n]|\\*${HUG_START}[^*\\n]+?${HUG_END}\\*)+?`;

const INLINE = new RegExp(
  [
    // [label](url): a Slack link `<url|label>` became this
    `\\[([^\\]\\n]+)\\]\\(((?:https?:|mailto:)[^()\\s]+)\\)`,
    // ***x***: Markdown's `**x**` became this (as did the rarer `*_x_*`, which cannot be told apart)
    `${OPEN}\\*\\*\\*${HUG_START}([^*\\n]+?)${HUG_END}\\*\\*\\*${CLOSE}`,
    // ~~~x~~~: Markdown's `~~x~~` became this
    `${OPEN}~~~${HUG_START}([^~\\n]+?)${HUG_END}~~~${CLOSE}`,
    // **x**: `*x*` became this
    `${OPEN}\\*\\*${HUG_START}(${BOLD_BODY})${HUG_END}\\*\\*${CLOSE}`,
    // *x*: `_x_` became this
    `${OPEN}\\*${HUG_START}(${ITALIC_BODY})${HUG_END}\\*${CLOSE}`,
    // ~~x~~: `~x~` became this
    `${OPEN}~~${HUG_START}([^~\\n]+?)${HUG_END}~~${CLOSE}`,
  ].join('|'),
  'gu',
);

function inline(text: string): string {
  return text.replace(
    INLINE,
    (_m, label?: string, url?: string, doubleStar?: string, doubleTilde?: string, bold?: string, italic?: string, strike?: string) => {
      if (url !== undefined) return `<${url}|${label}>`;
      if (doubleStar !== undefined) return `**${inline(doubleStar)}**`;
      if (doubleTilde !== undefined) return `~~${inline(doubleTilde)}~~`;
      if (bold !== undefined) return `*${inline(bold)}*`;
      if (italic !== undefined) return `_${inline(italic)}_`;
      return `~${inline(strike!)}~`;
    },
  );
}

/** Switchboard markup in Rocket.Chat's; code spans and blocks are kept verbatim. */
export function rocketChatMarkup(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CODE)) {
    out += inline(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + inline(text.slice(last));
}
