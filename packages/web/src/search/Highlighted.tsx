import type { ReactNode } from 'react';
import type { SearchHit, HighlightElement } from './useSearch';

/** How much of a long message a result shows around its first match. */
const CONTEXT = 160;

function collect(elements: HighlightElement[] | undefined, out: Array<{ text: string; hit: boolean }>): void {
  for (const e of elements ?? []) {
    if (typeof e.text === 'string') out.push({ text: e.text, hit: !!e.style?.bold });
    else collect(e.elements, out);
  }
}

/**
 * A hit's text with the matched words marked (`<mark>`, React text: never HTML), cut to the context
 * around the first match when it is long.
 */
export function Highlighted({ hit }: { hit: SearchHit }) {
  const parts: Array<{ text: string; hit: boolean }> = [];
  collect(hit.highlightedBlocks, parts);
  if (parts.length === 0) parts.push({ text: hit.text, hit: false });

  // trim what comes before the first match, and the end, to keep the result short
  const firstHit = parts.findIndex((p) => p.hit);
  if (firstHit > 0) {
    const before = parts[firstHit - 1]!;
    if (before.text.length > CONTEXT / 2) parts[firstHit - 1] = { text: `…${before.text.slice(-CONTEXT / 2).replace(/^\S*\s/, '')}`, hit: false };
    parts.splice(0, firstHit - 1);
  }
  const nodes: ReactNode[] = [];
  let length = 0;
  for (const [i, p] of parts.entries()) {
    if (length > CONTEXT * 2) {
      nodes.push('…');
      break;
    }
    nodes.push(p.hit ? <mark key={i}>{p.text}</mark> : p.text);
    length += p.text.length;
  }
  return <p className="search-hit-text">{nodes}</p>;
}
