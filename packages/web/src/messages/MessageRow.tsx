import { memo, useMemo, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message, WorkspaceUser } from '../lib/types';
import { renderMarkdown } from '../lib/markdown';
import { formatFull, formatTime } from '../lib/format';
import { Avatar } from '../ui/Avatar';
import { Reactions } from './Reactions';
import { MessageActions } from './MessageActions';
import { EditBox } from './EditBox';
import { DeleteMessageDialog } from './DeleteMessageDialog';
import { startEditing, stopEditing, useIsEditing } from './editing';
import { useMentionEnv } from '../mentions/useMentionEnv';
import { mentionsMe } from '../mentions/markdownMentions';
import { ThreadReplyContext, ThreadSummary } from '../threads/ThreadSummary';
import { MessageExtras } from '../apps/MessageExtras';
import { MessageFiles } from '../files/MessageFiles';
import { LinkPreviews } from '../previews/LinkPreviews';
import { PinnedMarker } from '../pins/PinnedMarker';
import { StatusEmoji } from '../profile/StatusEmoji';

/** Sanitised markdown: the only HTML this app puts into the page. */
export function MessageText({ text }: { text: string }) {
  const env = useMentionEnv();
  const html = useMemo(() => renderMarkdown(text, env), [text, env]);
  return <div className="message-text" dangerouslySetInnerHTML={{ __html: html }} />;
}

export const MessageRow = memo(function MessageRow({ message, grouped, people, meId }: { message: Message; grouped: boolean; people: Map<string, WorkspaceUser> | undefined; meId: string | undefined }) {
  const { t, i18n } = useTranslation();
  const editing = useIsEditing(message.id);
  const setEditing = (on: boolean) => (on ? startEditing(message.id) : stopEditing(message.id));
  const [deleting, setDeleting] = useState(false);
  const author = people?.get(message.author);
  const name = message.alias ?? author?.name ?? t('messages.unknownAuthor');
  const isBot = !!message.integrationId || !!author?.isAddonBot;
  const mine = message.author === meId && !message.integrationId;
  const ephemeral = !!message.isEphemeral;
  const forMe = !mine && mentionsMe(message.text, meId);
  const time = formatTime(message.timestampMilli, i18n.language);
  const full = formatFull(message.timestampMilli, i18n.language);

  return (
    <div className={`message${grouped ? ' message-grouped' : ''}${editing ? ' message-editing' : ''}${ephemeral ? ' message-ephemeral' : ''}${forMe ? ' message-mentions-me' : ''}`} data-message-id={message.id}>
      <div className="message-gutter">
        {grouped ? (
          <time className="message-gutter-time" dateTime={message.timestamp} title={full}>
            {time}
          </time>
        ) : (
          <Avatar id={message.author} name={name} />
        )}
      </div>
      <div className="message-main">
        <PinnedMarker message={message} people={people} />
        {!grouped && (
          <div className="message-meta">
            <span className="message-author">{name}</span>
            {!message.alias && <StatusEmoji status={author?.customStatus} />}
            {isBot && <span className="badge">{t('messages.app')}</span>}
            <time className="message-time" dateTime={message.timestamp} title={full}>
              {time}
            </time>
          </div>
        )}
        <ThreadReplyContext message={message} />
        {editing ? (
          <EditBox message={message} onDone={() => setEditing(false)} />
        ) : (
          <div className="message-body">
            {/* With blocks, the text is their fallback (notifications, clients without blocks), as in Slack and Pumble: shown once, as the blocks. */}
            {!hasBlocks(message) && <MessageText text={message.text} />}
            {message.edited && <span className="message-edited">{t('messages.edited')}</span>}
          </div>
        )}
        <MessageFiles files={message.files} />
        {message.linkPreviews && message.linkPreviews.length > 0 && <LinkPreviews message={message} mine={mine} />}
        <MessageExtras message={message} />
        <ThreadSummary message={message} people={people} />
        <Reactions message={message} people={people} meId={meId} />
      </div>
      {!editing && !ephemeral && <MessageActions message={message} mine={mine} meId={meId} onEdit={() => setEditing(true)} onDelete={() => setDeleting(true)} />}
      {deleting && <DeleteMessageDialog message={message} onClose={() => setDeleting(false)} />}
    </div>
  );
});

function hasBlocks(message: Message): boolean {
  const blocks = (message as { blocks?: unknown }).blocks;
  return Array.isArray(blocks) && blocks.length > 0;
}
