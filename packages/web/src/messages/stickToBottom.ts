/**
 * The message list stays at its newest row while the reader is there, as Slack's and Pumble's do:
 * whatever makes the list taller — a new message, an ephemeral one, the pending row of a send
 * replaced by its answer, a row whose blocks, picture or preview render a moment later, a composer
 * growing under it — it is scrolled to the bottom again, before the frame is painted.
 *
 * Virtuoso's own followOutput was not enough: it follows only when the number of rows grows, and
 * only if its idea of "at the bottom" (within 4 px) held at that moment; it scrolls to its estimate
 * of the last row, and a row that came out taller (or grew, or replaced another of the same count)
 * left the list a few pixels up — after which it never followed again.
 *
 * Here the reader leaves the bottom by scrolling up (the wheel, touch, keys, the scrollbar, or a
 * script) or by jumping to a message — not when the list moves by itself while keeping its place as
 * rows are measured; scrolling back to within {@link NEAR_BOTTOM_PX} of the bottom sticks again.
 * Sending (a message or a command) always goes to the bottom: one's own message, and a command's
 * answer, are shown.
 */
import { useCallback, useEffect, useRef, useState } from 'react';
import { useParams } from 'react-router';

/** This close to the bottom, the reader is at the bottom. */
const NEAR_BOTTOM_PX = 24;
/**
 * This many screens above the bottom, the reader is away from the newest messages and the list
 * offers to jump back to them (Slack's "Jump to recent messages"): a little scrolling up to reread
 * does not put a button over the rows.
 */
const AWAY_SCREENS = 1;
/** A scroll this soon after the reader's wheel, touch, key or pointer is theirs. */
const INTENT_MS = 800;
/** A scroll this soon after the rows or the view changed size may be the list keeping its place. */
const SETTLE_MS = 150;

const sends = new EventTarget();

/** The person sent something in this channel: its list goes to the bottom and stays there. */
export function followOwnSend(channelId: string): void {
  sends.dispatchEvent(new Event(channelId));
}

export interface StickToBottom {
  /** Virtuoso's scrollerRef */
  scrollerRef: (el: HTMLElement | Window | null) => void;
  /** The reader is more than a screen above the newest row (or was taken away from it by a jump). */
  away: boolean;
  /** Back to the newest row, and stay there. */
  toLatest: () => void;
}

/** For the list of `channelId`: keeps it at the bottom while the reader is there, and says when they are away. */
export function useStickToBottom(channelId: string): StickToBottom {
  const [scroller, setScroller] = useState<HTMLElement | null>(null);
  const [away, setAway] = useState(false);
  const { messageId } = useParams();
  // a channel opens at its bottom (the list is made again for each channel), but for a jump to a message
  const stuck = useRef(!messageId);
  const jumping = useRef(!!messageId);
  // a jump (a search result, a pin, a link) leaves the bottom, until the reader scrolls back to it
  useEffect(() => {
    jumping.current = !!messageId;
    if (messageId) stuck.current = false;
  }, [messageId]);

  useEffect(() => {
    if (!scroller) return;
    let intentUntil = 0;
    let pointerDown = false;
    let settledAt = 0;
    const toBottom = () => {
      if (stuck.current) scroller.scrollTop = scroller.scrollHeight;
    };
    const intent = () => {
      intentUntil = performance.now() + INTENT_MS;
    };
    const down = () => {
      pointerDown = true;
      intent();
    };
    const up = () => {
      if (pointerDown) intent();
      pointerDown = false;
    };
    // React drops a state that did not change: no render per scroll event or resize
    const showAway = () => setAway(!stuck.current && scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight > scroller.clientHeight * AWAY_SCREENS);
    let lastTop = scroller.scrollTop;
    const scrolled = () => {
      const top = scroller.scrollTop;
      const gap = scroller.scrollHeight - top - scroller.clientHeight;
      const now = performance.now();
      const theirs = pointerDown || now < intentUntil;
      if (gap <= NEAR_BOTTOM_PX) {
        // at the bottom (but a jump's list, at its bottom before it moves, is not the reader's doing)
        if (theirs || !jumping.current) stuck.current = true;
        if (theirs) jumping.current = false;
      } else if (top < lastTop && (theirs || now > settledAt)) {
        // Moved up: the reader, or a script. Right after a resize it may be the list keeping its
        // place instead, while rows grew below (a gap for a moment, until the resize is seen).
        stuck.current = false;
      }
      lastTop = top;
      showAway();
    };
    const sent = () => {
      stuck.current = true;
      jumping.current = false;
      setAway(false);
      toBottom();
    };
    // the rows' box (Virtuoso's item list) grows with every row rendered or resized; the scroller with the window or the composer
    const resized = new ResizeObserver(() => {
      settledAt = performance.now() + SETTLE_MS;
      toBottom();
      // rows arriving below a reader who is up can take them a screen away with no scroll at all
      showAway();
    });
    resized.observe(scroller);
    const rows = scroller.querySelector('[data-testid="virtuoso-item-list"]');
    // border-box: Virtuoso grows it by its padding too (rows not rendered, or measured again)
    if (rows) resized.observe(rows, { box: 'border-box' });
    const userEvents = ['wheel', 'touchmove', 'keydown'] as const;
    for (const type of userEvents) scroller.addEventListener(type, intent, { passive: true });
    scroller.addEventListener('pointerdown', down, { passive: true });
    window.addEventListener('pointerup', up, { passive: true });
    scroller.addEventListener('scroll', scrolled, { passive: true });
    sends.addEventListener(channelId, sent);
    return () => {
      resized.disconnect();
      for (const type of userEvents) scroller.removeEventListener(type, intent);
      scroller.removeEventListener('pointerdown', down);
      window.removeEventListener('pointerup', up);
      scroller.removeEventListener('scroll', scrolled);
      sends.removeEventListener(channelId, sent);
    };
  }, [scroller, channelId]);

  const scrollerRef = useCallback((el: HTMLElement | Window | null) => setScroller(el instanceof HTMLElement ? el : null), []);
  const toLatest = useCallback(() => followOwnSend(channelId), [channelId]);
  return { scrollerRef, away, toLatest };
}
