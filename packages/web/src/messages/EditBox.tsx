import { useEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { useEditMessage } from './useMessages';
import { describeError } from '../ui/ErrorNotice';
import { usePeople } from '../people/usePeople';
import { useChannels } from '../channels/useChannels';
import { mentionedPeople, toDisplay, toWire } from '../mentions/composerText';

/** Editing in place: Enter saves, Shift+Enter is a new line, Esc cancels. Mentions show as names. */
export function EditBox({ message, onDone }: { message: Message; onDone(): void }) {
  const { t } = useTranslation();
  const names = { people: usePeople().data, channels: useChannels().data };
  const [text, setText] = useState(() => toDisplay(message.text, names));
  const edit = useEditMessage();
  const ref = useRef<HTMLTextAreaElement>(null);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    el.focus();
    el.setSelectionRange(el.value.length, el.value.length);
  }, []);
  const save = () => {
    // unchanged as shown: nothing to save (a plain "#word" of the original stays plain)
    if (!text.trim() || text.trim() === toDisplay(message.text, names).trim()) return onDone();
    // each name back to the person the message mentioned (two people may share a name)
    const trimmed = toWire(text.trim(), names, mentionedPeople(message.text, names));
    if (trimmed === message.text) return onDone();
    edit.mutate({ message, text: trimmed }, { onSuccess: onDone });
  };
  return (
    <div className="edit-box">
      <textarea
        ref={ref}
        className="textarea"
        aria-label={t('messages.editLabel')}
        value={text}
        rows={Math.min(8, text.split('\n').length + 1)}
        onChange={(e) => setText(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') {
            e.preventDefault();
            onDone();
          } else if (e.key === 'Enter' && !e.shiftKey && !e.nativeEvent.isComposing) {
            e.preventDefault();
            save();
          }
        }}
      />
      <div className="edit-box-actions">
        <span className="edit-box-hint">{t('messages.editHint')}</span>
        <button type="button" className="button button-secondary button-small" onClick={onDone}>
          {t('common.cancel')}
        </button>
        <button type="button" className="button button-primary button-small" onClick={save} disabled={edit.isPending}>
          {t('common.save')}
        </button>
      </div>
      {edit.isError && (
        <p className="form-error" role="alert">
          {t('messages.editFailed')} {describeError(edit.error, t)}
        </p>
      )}
    </div>
  );
}
