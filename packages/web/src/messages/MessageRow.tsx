import { memo, useContext, useMemo, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message, WorkspaceUser } from '../lib/types';
import { renderMarkdown, type RenderEnv } from '../lib/markdown';
import { needsEmojiSet } from '../emoji/markdownEmoji';
import { useWithEmojiSet } from '../emoji/data';
import { formatFullCached as formatFull, formatTimeCached as formatTime } from '../lib/dateFormatters';
import { useDisplayTimeZone } from '../lib/timeZone';
import { MessageAvatar } from './MessageAvatar';
import { Reactions } from './Reactions';
import { MessageActions } from './MessageActions';
import { EditBox } from './EditBox';
import { DeleteMessageDialog } from './DeleteMessageDialog';
import { startEditing, stopEditing, useIsEditing } from './editing';
import { useMentionEnv } from '../mentions/useMentionEnv';
import { mentionsMe, type MentionEnv } from '../mentions/markdownMentions';
import { SharedMentionEnv } from './sharedMentionEnv';
import { ThreadReplyContext, ThreadSummary } from '../threads/ThreadSummary';
import { MessageExtras } from '../apps/MessageExtras';
import { MessageFiles } from '../files/MessageFiles';
import { LinkPreviews } from '../previews/LinkPreviews';
import { PinnedMarker } from '../pins/PinnedMarker';
import { StatusEmoji } from '../profile/StatusEmoji';
import { useOpenProfile } from '../people/profileContext';

/** Sanitised markdown: the only HTML this app puts into the page. */
export function MessageText({ text }: { text: string }) {
  const shared = useContext(SharedMentionEnv);
  return shared ? <MarkdownHtml text={text} env={shared} /> : <MessageTextOwnEnv text={text} />;
}

function MessageTextOwnEnv({ text }: { text: string }) {
  return <MarkdownHtml text={text} env={useMentionEnv()} />;
}

/** A text with a `:code:` beyond the common few loads the emoji set (once per tab) to show it. */
function MarkdownHtml({ text, env }: { text: string; env: MentionEnv }) {
  return needsEmojiSet(text) ? <MarkdownWithEmojiSet text={text} env={env} /> : <Html text={text} env={env} />;
}

function MarkdownWithEmojiSet({ text, env }: { text: string; env: MentionEnv }) {
  return <Html text={text} env={useWithEmojiSet(env)} />;
}

function Html({ text, env }: { text: string; env: RenderEnv }) {
  const html = useMemo(() => renderMarkdown(text, env), [text, env]);
  return <div className="message-text" dangerouslySetInnerHTML={{ __html: html }} />;
}

export const MessageRow = memo(function MessageRow({ message, grouped, people, meId }: { message: Message; grouped: boolean; people: Map<string, WorkspaceUser> | undefined; meId: string | undefined }) {
  const { t, i18n } = useTranslation();
  const editing = useIsEditing(message.id);
  const setEditing = (on: boolean) => (on ? startEditing(message.id) : stopEditing(message.id));
  const [deleting, setDeleting] = useState(false);
  // The hover toolbar is hidden (display: none) until the row is hovered or holds focus (a tap on a
  // touch screen focuses it), so it is mounted then, and kept: a row that never is spares a
  // toolbar's hooks and DOM on every mount while the list scrolls.
  const [actionsMounted, setActionsMounted] = useState(false);
  const mountActions = actionsMounted ? undefined : () => setActionsMounted(true);
  const author = people?.get(message.author);
  const openProfile = useOpenProfile();
  // an alias (an app posting under another name) is not the person behind it: no profile for it
  const profileOf = author && !message.alias && openProfile ? (e: MouseEvent<HTMLElement>) => openProfile(message.author, e.currentTarget) : undefined;
  const name = message.alias ?? author?.name ?? t('messages.unknownAuthor');
  const isBot = !!message.integrationId || !!author?.isAddonBot;
  const mine = message.author === meId && !message.integrationId;
  const ephemeral = !!message.isEphemeral;
  const forMe = !mine && mentionsMe(message.text, meId);
  const zone = useDisplayTimeZone(); // the person's saved zone: a row renders again when it changes
  const time = formatTime(message.timestampMilli, i18n.language, zone);
  const full = formatFull(message.timestampMilli, i18n.language, zone);

  return (
    <div className={`message${grouped ? ' message-grouped' : ''}${editing ? ' message-editing' : ''}${ephemeral ? ' message-ephemeral' : ''}${forMe ? ' message-mentions-me' : ''}`} data-message-id={message.id} tabIndex={-1} onPointerEnter={mountActions} onFocus={mountActions}>
      <div className="message-gutter">
        {grouped ? (
          <time className="message-gutter-time" dateTime={message.timestamp} title={full}>
            {time}
          </time>
        ) : profileOf ? (
          // the name beside it is the same button for the keyboard and screen readers
          <button type="button" className="message-avatar-button" tabIndex={-1} aria-hidden="true" onClick={profileOf}>
            <MessageAvatar message={message} name={name} />
          </button>
        ) : (
          <MessageAvatar message={message} name={name} />
        )}
      </div>
      <div className="message-main">
        <PinnedMarker message={message} people={people} />
        {!grouped && (
          <div className="message-meta">
            {profileOf ? (
              <button type="button" className="message-author message-author-button" onClick={profileOf}>
                {name}
              </button>
            ) : (
              <span className="message-author">{name}</span>
            )}
            {!message.alias && <StatusEmoji status={author?.customStatus} />}
            {isBot && <span className="badge">{t('messages.app')}</span>}
            <time className="message-time" dateTime={message.timestamp} title={full}>
              {time}
            </time>
          </div>
        )}
        {/* Parts that show nothing for most messages are not mounted for them: each would cost hooks on every row the list mounts while scrolling. */}
        {!!message.threadReplyInfo?.rootId && <ThreadReplyContext message={message} />}
        {editing ? (
          <EditBox message={message} onDone={() => setEditing(false)} />
        ) : (
          <div className="message-body">
            {/* With blocks, the text is their fallback (notifications, clients without blocks), as in Slack and Pumble: shown once, as the blocks. */}
            {!hasBlocks(message) && <MessageText text={message.text} />}
            {message.edited && <span className="message-edited">{t('messages.edited')}</span>}
          </div>
        )}
        {message.files.length > 0 && <MessageFiles files={message.files} />}
        {message.linkPreviews && message.linkPreviews.length > 0 && <LinkPreviews message={message} mine={mine} />}
        <MessageExtras message={message} />
        {!!message.threadRootInfo?.repliesCount && <ThreadSummary message={message} people={people} />}
        {message.reactions.length > 0 && <Reactions message={message} people={people} meId={meId} />}
      </div>
      {actionsMounted && !editing && !ephemeral && <MessageActions message={message} mine={mine} meId={meId} onEdit={() => setEditing(true)} onDelete={() => setDeleting(true)} />}
      {deleting && <DeleteMessageDialog message={message} authorName={mine ? undefined : name} onClose={() => setDeleting(false)} />}
    </div>
  );
});

function hasBlocks(message: Message): boolean {
  const blocks = (message as { blocks?: unknown }).blocks;
  return Array.isArray(blocks) && blocks.length > 0;
}
