import { useId, useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { loadDraft, saveDraft } from '../composer/drafts';
import { SendIcon } from '../ui/icons';
import { describeError } from '../ui/ErrorNotice';
import { useAutocomplete } from '../mentions/useAutocomplete';
import { useTypingNotifier } from '../typing/typing';
import { TypingIndicator } from '../typing/TypingIndicator';
import { startEditing } from '../messages/editing';
import { useMe } from '../people/usePeople';
import { useSendReply } from './useThread';
import { threadKey, type ThreadData } from './cache';
import '../composer/composer.css';

const MAX_HEIGHT = 200;

/** The thread's own composer, with "Also send to #channel". */
export function ThreadComposer({ channelId, rootId, channelLabel, isChannel }: { channelId: string; rootId: string; channelLabel: string; isChannel: boolean }) {
  const { t } = useTranslation();
  const draftKey = `${channelId}.thread.${rootId}`;
  const [text, setText] = useState(() => loadDraft(draftKey));
  const [alsoSend, setAlsoSend] = useState(false);
  const reply = useSendReply(channelId, rootId);
  const ref = useRef<HTMLTextAreaElement>(null);
  const qc = useQueryClient();
  const meId = useMe().data?.id;
  const typing = useTypingNotifier(channelId, rootId);
  const checkId = useId();
  const label = t('chat.threads.replyPlaceholder');

  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [text]);

  const change = (value: string) => {
    setText(value);
    saveDraft(draftKey, value);
  };
  const auto = useAutocomplete({ text, setText: change, inputRef: ref });

  const submit = () => {
    const body = text.trim();
    if (!body || reply.isPending) return;
    change('');
    reply.mutate(
      { text: body, alsoSendToChannel: alsoSend },
      {
        onSuccess: () => setAlsoSend(false),
        // nothing is lost: the text comes back to the box
        onError: () => change(body),
      },
    );
  };

  return (
    <form
      className="composer thread-composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <TypingIndicator channelId={channelId} threadRootId={rootId} />
      <div className="composer-box composer-box-assist">
        {auto.popup}
        <textarea
          ref={ref}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={label}
          aria-label={label}
          {...auto.aria}
          onChange={(e) => {
            change(e.target.value);
            auto.track(e.target);
            if (e.target.value) typing();
          }}
          onSelect={(e) => auto.track(e.currentTarget)}
          onKeyDown={(e) => {
            if (auto.onKeyDown(e)) return;
            if (e.key === 'ArrowUp' && !text && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey) {
              const replies = qc.getQueryData<ThreadData>(threadKey(channelId, rootId))?.replies ?? [];
              const last = [...replies].reverse().find((m) => m.author === meId && !m.integrationId);
              if (last) {
                e.preventDefault();
                startEditing(last.id, e.currentTarget);
              }
              return;
            }
            if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
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
