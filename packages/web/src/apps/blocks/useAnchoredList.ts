import { useLayoutEffect, useState, type CSSProperties, type RefObject } from 'react';

/**
 * Where an open option list goes: `position: fixed` at its input's edge, below it (above when there
 * is more room there), up to 240 px high, as fits. Fixed, it is not cut off by a scrolling box it
 * sits in (a modal's body, the message list); it follows the input while any of them scrolls or
 * the window resizes.
 */
export function useAnchoredList(anchor: RefObject<HTMLElement | null>, open: boolean): CSSProperties | undefined {
  const [style, setStyle] = useState<CSSProperties>();
  useLayoutEffect(() => {
    if (!open) return setStyle(undefined);
    let was = '';
    const place = () => {
      const r = anchor.current?.getBoundingClientRect();
      if (!r) return;
      // 2 px from the box, 8 px from the window's edge
      const below = innerHeight - r.bottom - 10;
      const above = r.top - 10;
      const down = below >= 160 || below >= above;
      const next = { left: r.left, width: r.width, maxHeight: Math.min(240, down ? below : above), ...(down ? { top: r.bottom + 2 } : { bottom: innerHeight - r.top + 2 }) };
      // (the list's own scrolling comes here too, and moves nothing)
      const key = JSON.stringify(next);
      if (key !== was) setStyle(next);
      was = key;
    };
    place();
    addEventListener('scroll', place, true);
    addEventListener('resize', place);
    return () => {
      removeEventListener('scroll', place, true);
      removeEventListener('resize', place);
    };
  }, [anchor, open]);
  return style;
}
