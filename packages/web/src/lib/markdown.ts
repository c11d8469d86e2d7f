/**
 * The one rendering pipeline for message text: markdown-it with raw HTML off (the platform's subset
 * only), then DOMPurify over its output. Nothing else in the app may use dangerouslySetInnerHTML.
 */
import MarkdownIt from 'markdown-it';
import DOMPurify from 'dompurify';
import { mentionsPlugin, type MentionEnv } from '../mentions/markdownMentions';

const md = new MarkdownIt('default', { html: false, linkify: true, breaks: true, typographer: false });
// The platform's subset: bold, italic, strike, code, code blocks, quotes, lists, links — nothing more.
md.disable(['table', 'heading', 'lheading', 'hr', 'image', 'html_block', 'html_inline', 'reference']);
// Mentions (<@id>, <#id>, @channel, @here) as chips; names come from env, escaped.
md.use(mentionsPlugin);

const ALLOWED_TAGS = ['p', 'br', 'strong', 'em', 's', 'del', 'code', 'pre', 'blockquote', 'ul', 'ol', 'li', 'a', 'span'];
const ALLOWED_ATTR = ['href', 'start', 'class'];

const purify = DOMPurify();
purify.addHook('afterSanitizeAttributes', (node) => {
  if (node.tagName === 'A') {
    node.setAttribute('target', '_blank');
    node.setAttribute('rel', 'noopener noreferrer');
  }
});

const SAFE_URL = /^(?:https?:|mailto:)/i;

/** Message markdown → sanitised HTML, safe to hand to dangerouslySetInnerHTML. */
export function renderMarkdown(text: string, env: MentionEnv = {}): string {
  const html = md.render(text, { ...env });
  return purify.sanitize(html, {
    ALLOWED_TAGS,
    ALLOWED_ATTR,
    ALLOWED_URI_REGEXP: SAFE_URL,
    ADD_ATTR: ['target', 'rel'],
  });
}
