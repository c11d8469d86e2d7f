import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { ArrowDownIcon } from '../ui/icons';

/**
 * Shown while the reader is away from the newest messages (scrolled up, or taken to an old message
 * by a search result or a link): back to the bottom in one click, as Slack's "Jump to recent
 * messages" and Mattermost's "New messages" toast do. It counts the others' messages that arrived
 * since the reader left the bottom.
 */
export function JumpToLatest({ away, messages, meId, onJump }: { away: boolean; messages: Message[]; meId: string | undefined; onJump: () => void }) {
  const { t } = useTranslation();
  // the newest message's time when the reader went away: what arrives after it is new to them
  // (state adjusted while rendering, as React's docs advise for state that follows a prop)
  const [leftAt, setLeftAt] = useState<number | undefined>(undefined);
  if (!away) {
    if (leftAt !== undefined) setLeftAt(undefined);
    return null;
  }
  const since = leftAt ?? messages.at(-1)?.timestampMilli ?? 0;
  if (leftAt === undefined) setLeftAt(since);
  let arrived = 0;
  for (let i = messages.length - 1; i >= 0; i--) {
    const m = messages[i]!;
    if (m.timestampMilli <= since) break;
    if (m.author !== meId && !m.isEphemeral) arrived++;
  }
  return (
    <button type="button" className="jump-to-latest" onClick={onJump}>
      <ArrowDownIcon size={16} />
      {arrived > 0 ? t('messages.newBelow', { count: arrived }) : t('messages.jumpToLatest')}
    </button>
  );
}
