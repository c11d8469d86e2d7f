import { useMemo } from 'react';
import { renderInlineMarkdown } from '../lib/markdown';
import { useMentionEnv } from '../mentions/useMentionEnv';
import { needsEmojiSet } from '../emoji/markdownEmoji';
import { useWithEmojiSet } from '../emoji/data';

/**
 * A channel's description as its members wrote it — "All things *design*" with the italics, not the
 * asterisks — on one line (the header's topic, Browse channels): inline markdown, sanitised.
 */
export function ChannelDescription({ text, className, as: Tag = 'span' }: { text: string; className: string; as?: 'span' | 'p' }) {
  const env = useWithEmojiSet(useMentionEnv(), needsEmojiSet(text));
  const html = useMemo(() => renderInlineMarkdown(text, env), [text, env]);
  // the whole of it on hover (the line may end in an ellipsis), as words: no markup
  const plain = useMemo(() => new DOMParser().parseFromString(html, 'text/html').body.textContent ?? text, [html, text]);
  return <Tag className={`channel-description ${className}`} title={plain} dangerouslySetInnerHTML={{ __html: html }} />;
}
