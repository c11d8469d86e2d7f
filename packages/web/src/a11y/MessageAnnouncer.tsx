import { useEffect, useRef, useState } from 'react';
import { useMatch } from 'react-router';
import { useTranslation } from 'react-i18next';
import { listenForMessages, type Announcement } from './announcer';
import './strings';

/** At most one announcement this often: a busy channel becomes "5 new messages", not a stream. */
export const ANNOUNCE_EVERY_MS = 3000;
/** Said, then taken away: stale news is not read again by someone browsing the page (react-aria's live announcer does the same). */
const CLEAR_AFTER_MS = 7000;

/**
 * A polite live region (visually hidden) that says "New message from X: text" for others' messages
 * arriving in the open channel; messages arriving faster than ANNOUNCE_EVERY_MS are counted together.
 */
export function MessageAnnouncer() {
  const { t } = useTranslation();
  const channelId = useMatch({ path: '/c/:channelId', end: false })?.params.channelId;
  const [said, setSaid] = useState('');
  const waiting = useRef<Announcement[]>([]);
  const quietUntil = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  useEffect(() => {
    if (!channelId) return;
    const sayNow = () => {
      timer.current = undefined;
      const batch = waiting.current;
      waiting.current = [];
      if (batch.length === 0) return;
      quietUntil.current = Date.now() + ANNOUNCE_EVERY_MS;
      const one = batch.length === 1 ? batch[0] : undefined;
      setSaid(
        one
          ? one.text
            ? t('a11y.newMessage', { author: one.author, text: one.text })
            : t('a11y.newMessageNoText', { author: one.author })
          : t('a11y.newMessages', { count: batch.length }),
      );
    };
    const stop = listenForMessages(channelId, (a) => {
      waiting.current.push(a);
      if (timer.current === undefined) timer.current = setTimeout(sayNow, Math.max(0, quietUntil.current - Date.now()));
    });
    return () => {
      stop();
      clearTimeout(timer.current);
      timer.current = undefined;
      waiting.current = [];
    };
  }, [channelId, t]);

  // Leaving the channel: what was said there is no longer news.
  useEffect(() => setSaid(''), [channelId]);
  useEffect(() => {
    if (!said) return;
    const clear = setTimeout(() => setSaid(''), CLEAR_AFTER_MS);
    return () => clearTimeout(clear);
  }, [said]);

  return (
    <div className="visually-hidden message-announcer" aria-live="polite" aria-atomic="true">
      {said}
    </div>
  );
}
