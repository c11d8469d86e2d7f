import { useLayoutEffect, useMemo, useRef } from 'react';
import type { SearchHit, HighlightElement } from './useSearch';
import { renderMarkdown } from '../lib/markdown';
import { needsEmojiSet } from '../emoji/markdownEmoji';
import { useWithEmojiSet } from '../emoji/data';
import { useMentionEnv } from '../mentions/useMentionEnv';

function collect(elements: HighlightElement[] | undefined, out: Set<string>): void {
  for (const e of elements ?? []) {
    if (typeof e.text === 'string') {
      if (e.style?.bold && e.text.trim()) out.add(e.text.toLowerCase());
    } else collect(e.elements, out);
  }
}

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * Marks every occurrence of the matched words in the text of `root` (`<mark>`, made as DOM nodes
 * around text nodes: never HTML from the text). Links become plain text: the whole result is
 * already a link, to the message.
 */
function markMatches(root: HTMLElement, matched: string[]): void {
  for (const a of [...root.querySelectorAll('a')]) {
    const span = document.createElement('span');
    span.className = 'search-hit-link-text';
    span.append(...a.childNodes);
    a.replaceWith(span);
  }
  if (matched.length === 0) return;
  // whole words, as the search matched them ("go" is not marked inside "ago")
  const pattern = new RegExp(`(?<![\\p{L}\\p{N}_])(?:${matched.map(escapeRegExp).join('|')})(?![\\p{L}\\p{N}_])`, 'giu');
  const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
  const texts: Text[] = [];
  while (walker.nextNode()) texts.push(walker.currentNode as Text);
  for (const node of texts) {
    const value = node.data;
    pattern.lastIndex = 0;
    if (!pattern.test(value)) continue;
    pattern.lastIndex = 0;
    const pieces: Node[] = [];
    let at = 0;
    for (const m of value.matchAll(pattern)) {
      if (m.index > at) pieces.push(document.createTextNode(value.slice(at, m.index)));
      const mark = document.createElement('mark');
      mark.textContent = m[0];
      pieces.push(mark);
      at = m.index + m[0].length;
    }
    if (at < value.length) pieces.push(document.createTextNode(value.slice(at)));
    node.replaceWith(...pieces);
  }
}

/**
 * A hit's text as its message shows it — markdown, mentions and emoji rendered, as Slack's search
 * results do — with the words the search matched marked, and long texts cut to a few lines.
 */
export function Highlighted({ hit }: { hit: SearchHit }) {
  // shortcodes past the common few need the full emoji set, loaded for them as a message row does
  const env = useWithEmojiSet(useMentionEnv(), needsEmojiSet(hit.text));
  const html = useMemo(() => renderMarkdown(hit.text, env), [hit.text, env]);
  const matched = useMemo(() => {
    const words = new Set<string>();
    collect(hit.highlightedBlocks, words);
    // longest first: a phrase is marked whole, not word by word
    return [...words].sort((a, b) => b.length - a.length);
  }, [hit.highlightedBlocks]);
  const ref = useRef<HTMLDivElement>(null);
  // set here, not by React, with the marks made on it, before it is painted (React would keep the
  // marked nodes when only the matches changed, and they would be marked twice)
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.innerHTML = html; // sanitised by renderMarkdown
    markMatches(el, matched);
  }, [html, matched]);
  return <div ref={ref} className="search-hit-text message-text" />;
}
