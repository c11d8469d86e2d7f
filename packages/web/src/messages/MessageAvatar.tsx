import { hue } from '../lib/format';
import { emojiOf } from '../lib/emoji';
import { useEmojiData, lookupEmoji } from '../emoji/data';
import type { Message } from '../lib/types';
import { Avatar } from '../ui/Avatar';
import { avatarUrlOf } from './postedAs';

const SIZE = 36;

/**
 * A message's avatar: the emoji an integration posted with (`icon_emoji`, `chat.postMessage`'s
 * `emoji`), else the https picture it posted with (`icon_url`, `avatar`), else the author's avatar
 * (their picture or initials). An emoji the client does not know (a custom one) and a picture that
 * fails to load fall back to the initials of the name shown.
 */
export function MessageAvatar({ message, name }: { message: Message; name: string }) {
  const emoji = message.emoji;
  if (emoji) return <EmojiAvatar code={emoji} id={message.author} name={name} />;
  const url = avatarUrlOf(message);
  return url ? <Avatar id={message.author} name={name} src={url} /> : <Avatar id={message.author} name={name} />;
}

/** `:ghost:` → 👻, from the common few at once, else from the full emoji set (loaded on first need). */
function EmojiAvatar({ code, id, name }: { code: string; id: string; name: string }) {
  const shortcode = /^:[^:\s]+:$/.test(code);
  const common = shortcode ? emojiOf(code) : undefined;
  const set = useEmojiData(shortcode && !common).data;
  // A value that is not a `:code:` is taken as the emoji itself when it holds no letters or digits.
  const char = shortcode ? (common ?? lookupEmoji(set, code)) : /^[^\p{L}\p{N}\s]{1,16}$/u.test(code) ? code : undefined;
  if (!char) return <Avatar id={id} name={name} />;
  return (
    <span className="avatar avatar-emoji" style={{ width: SIZE, height: SIZE, fontSize: SIZE * 0.75, ['--avatar-hue' as string]: hue(id) }} data-emoji={code} aria-hidden="true">
      {char}
    </span>
  );
}
