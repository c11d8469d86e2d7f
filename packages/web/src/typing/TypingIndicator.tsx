import { useTranslation } from 'react-i18next';
import { usePeople } from '../people/usePeople';
import { useTypists } from './typing';
import './typing.css';

/** "X is typing…" above a composer; announced politely to screen readers. */
export function TypingIndicator({ channelId, threadRootId }: { channelId: string; threadRootId?: string }) {
  const { t } = useTranslation();
  const people = usePeople().data;
  const ids = useTypists(channelId, threadRootId);
  const names = ids.map((id) => people?.get(id)?.name ?? t('chat.typing.someone'));
  const text =
    names.length === 0
      ? ''
      : names.length === 1
        ? t('chat.typing.one', { name: names[0] })
        : names.length === 2
          ? t('chat.typing.two', { first: names[0], second: names[1] })
          : t('chat.typing.several');
  return (
    <div className="typing-indicator" aria-live="polite">
      {text}
    </div>
  );
}
