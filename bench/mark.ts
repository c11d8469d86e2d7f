/**
 * The bench's mark in a message text: `bench:<seq>:<send time>:`, a fixed-width head that a
 * receiver finds in the raw bytes of whatever carries the text (a WebSocket frame, an app event
 * envelope whose `body` is itself a JSON string) without parsing it. Shared by bench/run.ts and
 * bench/app-endpoint.ts.
 */
export const MARKER = 'bench:';
export const MARKER_BYTES = Buffer.from(MARKER);
const SEQ_DIGITS = 8;
const TIME_CHARS = 14;
/** characters of a head: marker, sequence number, send time, two colons */
export const MARK_HEAD_CHARS = MARKER.length + SEQ_DIGITS + 1 + TIME_CHARS + 1;

/** `bench:<seq>:<sentAt>:`, always MARK_HEAD_CHARS characters; `sentAt` in ms (the bench's performance.now()). */
export function markHead(seq: number, sentAt: number): string {
  return `${MARKER}${String(seq).padStart(SEQ_DIGITS, '0')}:${sentAt.toFixed(3).padStart(TIME_CHARS, '0')}:`;
}

/** A head padded with `x` to `length` characters. */
export function markedText(seq: number, sentAt: number, length: number): string {
  const head = markHead(seq, sentAt);
  return head + 'x'.repeat(Math.max(0, length - head.length));
}

/** The send time read by the last readMark() that found a mark. */
export const mark = { sentAt: 0 };

/** The sequence number of the first mark in `data` (its send time in `mark.sentAt`), or -1. */
export function readMark(data: Buffer): number {
  const at = data.indexOf(MARKER_BYTES);
  if (at < 0) return -1;
  let i = at + MARKER_BYTES.length;
  let seq = 0;
  for (const end = i + SEQ_DIGITS; i < end; i++) seq = seq * 10 + ((data[i] ?? 48) - 48);
  i++;
  mark.sentAt = Number.parseFloat(data.toString('latin1', i, i + TIME_CHARS));
  return seq;
}
