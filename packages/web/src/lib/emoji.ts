/**
 * A few shortcodes for this slice's quick reactions and chips. The emoji picker slice replaces this
 * with a full emoji data set (spec §2); unknown codes are shown as their text.
 */
const EMOJI: Record<string, string> = {
  '+1': '👍',
  thumbsup: '👍',
  '-1': '👎',
  thumbsdown: '👎',
  heart: '❤️',
  joy: '😂',
  smile: '😄',
  tada: '🎉',
  eyes: '👀',
  white_check_mark: '✅',
  heavy_check_mark: '✔️',
  rocket: '🚀',
  fire: '🔥',
  pray: '🙏',
  clap: '👏',
  wave: '👋',
  thinking_face: '🤔',
  raised_hands: '🙌',
  ok_hand: '👌',
  x: '❌',
  palm_tree: '🌴',
};

export const QUICK_REACTIONS = [':thumbsup:', ':heart:', ':joy:', ':tada:', ':eyes:'] as const;

export function emojiOf(code: string): string | undefined {
  return EMOJI[code.replace(/^:|:$/g, '')];
}
