import { useTranslation } from 'react-i18next';
import type { Message, WorkspaceUser } from '../lib/types';
import { emojiOf } from '../lib/emoji';
import { lookupEmoji, useEmojiData } from '../emoji/data';
import { useToggleReaction } from './useMessages';

/** One chip per emoji with its count; pressed when it is yours; click toggles yours. */
export function Reactions({ message, people, meId }: { message: Message; people: Map<string, WorkspaceUser> | undefined; meId: string | undefined }) {
  const { t } = useTranslation();
  const toggle = useToggleReaction(meId);
  // the full emoji set is fetched only when a reaction is not one of the common few
  const emojiData = useEmojiData(message.reactions.some((r) => !emojiOf(r.code))).data;
  if (message.reactions.length === 0) return null;
  const byCode = new Map<string, string[]>();
  for (const r of message.reactions) byCode.set(r.code, [...(byCode.get(r.code) ?? []), r.user]);
  return (
    <div className="reactions">
      {[...byCode].map(([code, users]) => {
        const mine = meId !== undefined && users.includes(meId);
        const emoji = lookupEmoji(emojiData, code);
        const names = users.map((id) => (id === meId ? t('reactions.you') : (people?.get(id)?.name ?? '…'))).join(', ');
        return (
          <button
            key={code}
            type="button"
            className={`reaction-chip${mine ? ' is-mine' : ''}`}
            aria-pressed={mine}
            aria-label={t('reactions.chipLabel', { emoji: code, count: users.length, names })}
            title={t('reactions.who', { names, emoji: code })}
            disabled={toggle.isPending}
            onClick={() => toggle.mutate({ message, code, add: !mine })}
          >
            <span className="reaction-emoji" aria-hidden="true">
              {emoji ?? code}
            </span>
            <span className="reaction-count" aria-hidden="true">
              {users.length}
            </span>
          </button>
        );
      })}
      {toggle.isError && (
        <span className="inline-error" role="alert">
          {t('reactions.failed')}
        </span>
      )}
    </div>
  );
}
