import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useSendMessage } from '../messages/useMessages';
import { loadDraft, saveDraft } from './drafts';
import { SendIcon } from '../ui/icons';

const MAX_HEIGHT = 240;

/** Multi-line; Enter sends, Shift+Enter is a new line; the draft is kept per channel. */
export function Composer({ channelId, placeholder }: { channelId: string; placeholder: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => loadDraft(channelId));
  const send = useSendMessage(channelId);
  const ref = useRef<HTMLTextAreaElement>(null);

  // grow with the text, up to a limit
  useLayoutEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.style.height = 'auto';
    el.style.height = `${Math.min(el.scrollHeight, MAX_HEIGHT)}px`;
  }, [text]);

  useLayoutEffect(() => {
    if (window.matchMedia('(pointer: fine)').matches) ref.current?.focus();
  }, []);

  const change = (value: string) => {
    setText(value);
    saveDraft(channelId, value);
  };

  const submit = () => {
    const body = text.trim();
    if (!body) return;
    send.mutate({ channelId, text: body, at: Date.now() });
    change('');
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <div className="composer-box">
        <textarea
          id="composer-input"
          ref={ref}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          aria-describedby="composer-hint"
          onChange={(e) => change(e.target.value)}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.altKey && !e.nativeEvent.isComposing) {
              e.preventDefault();
              submit();
            }
          }}
        />
        <button type="submit" className="composer-send" aria-label={t('composer.send')} title={t('composer.send')} disabled={!text.trim()}>
          <SendIcon size={18} />
        </button>
      </div>
      <p id="composer-hint" className="composer-hint">
        {t('composer.hint')}
      </p>
    </form>
  );
}
