import { useLayoutEffect, useState, type CSSProperties, type RefObject } from 'react';

/**
 * Where an open option list goes: `position: fixed` at its input's edge, below it (above when there
 * is more room there), up to 240 px high and at least 80, as fits. Fixed, it is not cut off by a
 * scrolling box it sits in (a modal's body, the message list); it follows the input while any of
 * them scrolls, the window resizes or the input itself changes size (a spinner beside it), and is
 * hidden while the input is scrolled out of the box that shows it.
 */
export function useAnchoredList(anchor: RefObject<HTMLElement | null>, open: boolean): CSSProperties | undefined {
  const [style, setStyle] = useState<CSSProperties>();
  useLayoutEffect(() => {
    if (!open) return setStyle(undefined);
    let was = '';
    const place = () => {
      const el = anchor.current;
      const r = el?.getBoundingClientRect();
      if (!el || !r) return;
      // 2 px from the box, 8 px from the window's edge
      const below = innerHeight - r.bottom - 10;
      const above = r.top - 10;
      const down = below >= 160 || below >= above;
      const next: CSSProperties = {
        left: r.left,
        width: r.width,
        maxHeight: Math.max(80, Math.min(240, down ? below : above)),
        ...(down ? { top: r.bottom + 2 } : { bottom: innerHeight - r.top + 2 }),
        ...(!inView(el, r) && { visibility: 'hidden' }),
      };
      // (the list's own scrolling comes here too, and moves nothing)
      const key = JSON.stringify(next);
      if (key !== was) setStyle(next);
      was = key;
    };
    place();
    const resized = new ResizeObserver(place);
    if (anchor.current) resized.observe(anchor.current);
    addEventListener('scroll', place, true);
    addEventListener('resize', place);
    return () => {
      resized.disconnect();
      removeEventListener('scroll', place, true);
      removeEventListener('resize', place);
    };
  }, [anchor, open]);
  return style;
}

/** Whether the input is inside the nearest box around it that scrolls (else the list would float over the modal's header). */
function inView(el: HTMLElement, r: DOMRect): boolean {
  for (let box = el.parentElement; box; box = box.parentElement) {
    const { overflowY } = getComputedStyle(box);
    if (overflowY !== 'auto' && overflowY !== 'scroll') continue;
    const b = box.getBoundingClientRect();
    return r.bottom > b.top && r.top < b.bottom;
  }
  return true;
}
