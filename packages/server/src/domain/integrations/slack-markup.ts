/**
 * Text of Slack / Rocket.Chat senders in Switchboard's own markup (docs/integrations.md §7.5 decision):
 * `*bold*` → `**bold**`, `_italic_` → `*italic*`, `~strike~` → `~~strike~~`, `<url|text>` →
 * `[text](url)`, `<!channel>`/`<!here>` → `@channel`/`@here`; code is left alone. Also the plain text
 * of Slack `blocks`, for senders that post blocks without `text`.
 */

const CODE = /```[\s\S]*?```|`[^`\n]+`/g;

// An emphasis marker pair that hugs a word on both sides and is not inside a word
// (`snake_case_name`, `2*3*4` and `a * b` are left as they are).
const INLINE =
  /<([^<>\n]+)>|(?<![\p{L}\p{N}\\])(?:\*(?!\s)([^*\n]+?)(?<!\s)\*|_(?!\s)([^_\n]+?)(?<!\s)_|~(?!\s)([^~\n]+?)(?<!\s)~)(?![\p{L}\p{N}])/gu;

function angle(inner: string): string {
  const bar = inner.indexOf('|');
  const target = bar < 0 ? inner : inner.slice(0, bar);
  const label = bar < 0 ? '' : inner.slice(bar + 1);
  if (target === '!channel' || target === '!everyone') return '@channel';
  if (target === '!here') return '@here';
  if (/^[@#][A-Za-z0-9._-]+$/.test(target)) return `<${target}>`; // user and channel mentions keep their id form
  if (/^(https?:|mailto:)/i.test(target)) return label ? `[${label}](${target})` : target;
  return `<${inner}>`;
}

function inline(text: string): string {
  return text.replace(INLINE, (_m, link?: string, bold?: string, italic?: string, strike?: string) => {
    if (link !== undefined) return angle(link);
    if (bold !== undefined) return `**${inline(bold)}**`;
    if (italic !== undefined) return `*${inline(italic)}*`;
    return `~~${inline(strike!)}~~`;
  });
}

/** Slack/Rocket.Chat markup in Switchboard's markup; code spans and blocks are kept verbatim. */
export function slackToSwitchboardMarkup(text: string): string {
  let out = '';
  let last = 0;
  for (const m of text.matchAll(CODE)) {
    out += inline(text.slice(last, m.index)) + m[0];
    last = m.index + m[0].length;
  }
  return out + inline(text.slice(last));
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const textOf = (v: unknown): string | undefined => (isObject(v) && typeof v.text === 'string' ? v.text : undefined);
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

function richInline(el: unknown): string {
  if (!isObject(el)) return '';
  switch (el.type) {
    case 'text':
      return typeof el.text === 'string' ? el.text : '';
    case 'link':
      return typeof el.url === 'string' ? (typeof el.text === 'string' && el.text ? `<${el.url}|${el.text}>` : el.url) : '';
    case 'emoji':
      return typeof el.name === 'string' ? `:${el.name}:` : '';
    case 'user':
      return typeof el.user_id === 'string' ? `<@${el.user_id}>` : '';
    case 'channel':
      return typeof el.channel_id === 'string' ? `<#${el.channel_id}>` : '';
    case 'broadcast':
      return el.range === 'here' ? '<!here>' : '<!channel>';
    default:
      return '';
  }
}

function richElement(el: unknown): string {
  if (!isObject(el)) return '';
  const inner = () => list(el.elements).map(richInline).join('');
  switch (el.type) {
    case 'rich_text_section':
      return inner();
    case 'rich_text_preformatted':
      return '```\n' + inner() + '\n```';
    case 'rich_text_quote':
      return inner().split('\n').map((l) => `> ${l}`).join('\n');
    case 'rich_text_list':
      return list(el.elements)
        .map((item, i) => `${el.style === 'ordered' ? `${i + 1}.` : '•'} ${richElement(item)}`)
        .join('\n');
    default:
      return '';
  }
}

function blockText(block: unknown): string {
  if (!isObject(block)) return '';
  switch (block.type) {
    case 'section':
      return [textOf(block.text), ...list(block.fields).map(textOf)].filter((t): t is string => !!t).join('\n');
    case 'header':
      return textOf(block.text) ?? '';
    case 'context':
      return list(block.elements).map(textOf).filter((t): t is string => !!t).join(' ');
    case 'rich_text':
      return list(block.elements).map(richElement).filter(Boolean).join('\n');
    default:
      return '';
  }
}

/** §7.5 decision: the readable text of `section`/`header`/`context`/`rich_text` blocks, one per line. */
export function textFromBlocks(blocks: unknown): string {
  return list(blocks).map(blockText).filter((t) => t !== '').join('\n');
}
