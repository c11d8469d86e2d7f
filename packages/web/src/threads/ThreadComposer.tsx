import { useId, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { SendIcon } from '../ui/icons';
import { describeError } from '../ui/ErrorNotice';
import { TypingIndicator } from '../typing/TypingIndicator';
import { useComposerBox } from '../composer/useComposerBox';
import { useSendReply } from './useThread';
import { threadKey, type ThreadData } from './cache';
import '../composer/composer.css';

const MAX_HEIGHT = 200;

/** The thread's own composer (the text box is the channel composer's, useComposerBox), with "Also send to #channel". */
export function ThreadComposer({ channelId, rootId, channelLabel, isChannel }: { channelId: string; rootId: string; channelLabel: string; isChannel: boolean }) {
  const { t } = useTranslation();
  const [alsoSend, setAlsoSend] = useState(false);
  const reply = useSendReply(channelId, rootId);
  const checkId = useId();
  const label = t('chat.threads.replyPlaceholder');
  const box = useComposerBox({
    draftKey: `${channelId}.thread.${rootId}`,
    channelId,
    threadRootId: rootId,
    maxHeight: MAX_HEIGHT,
    lastOwn: (qc, meId) => {
      const replies = qc.getQueryData<ThreadData>(threadKey(channelId, rootId))?.replies ?? [];
      return [...replies].reverse().find((m) => m.author === meId && !m.integrationId);
    },
    onSubmit: (body, setText) => {
      if (!body || reply.isPending) return;
      setText('');
      reply.mutate(
        { text: body, alsoSendToChannel: alsoSend },
        {
          onSuccess: () => setAlsoSend(false),
          // nothing is lost: the text comes back to the box
          onError: () => setText(body),
        },
      );
    },
  });
  const text = box.text;

  return (
    <form
      className="composer thread-composer"
      onSubmit={(e) => {
        e.preventDefault();
        box.submit();
      }}
    >
      <TypingIndicator channelId={channelId} threadRootId={rootId} />
      <div className="composer-box composer-box-assist">
        {box.popup}
        <textarea {...box.inputProps} placeholder={label} aria-label={label} />
        <button type="submit" className="composer-send" aria-label={t('chat.threads.send')} title={t('chat.threads.send')} disabled={!text.trim() || reply.isPending}>
          <SendIcon size={18} />
        </button>
      </div>
      <label className="thread-also-send" htmlFor={checkId}>
        <input id={checkId} type="checkbox" checked={alsoSend} onChange={(e) => setAlsoSend(e.target.checked)} />
        {isChannel ? t('chat.threads.alsoSendChannel', { name: channelLabel }) : t('chat.threads.alsoSendDirect')}
      </label>
      {reply.isError && (
        <p className="form-error" role="alert">
          {t('chat.threads.sendFailed')} {describeError(reply.error, t)}
        </p>
      )}
    </form>
  );
}
