import { useLayoutEffect, useRef, useState } from 'react';
import { useTranslation } from 'react-i18next';
import { useQueryClient } from '@tanstack/react-query';
import { useSendMessage } from '../messages/useMessages';
import { loadDraft, saveDraft } from './drafts';
import { SendIcon } from '../ui/icons';
import { useAutocomplete } from '../mentions/useAutocomplete';
import { useTypingNotifier } from '../typing/typing';
import { TypingIndicator } from '../typing/TypingIndicator';
import { lastOwnMessage } from '../messages/lastOwn';
import { startEditing } from '../messages/editing';
import { useMe } from '../people/usePeople';
import './composer.css';
import { useSlashMenu } from '../apps/commands/useSlashMenu';
import { CommandFailed, isCommandText, useRunCommand } from '../apps/commands/useRunCommand';
import { GlobalShortcutsButton } from '../apps/shortcuts/ShortcutMenu';
import { useComposerFiles } from '../files/useComposerFiles';

const MAX_HEIGHT = 240;

/**
 * Multi-line; Enter sends, Shift+Enter is a new line; the draft is kept per channel; ↑ in an empty
 * box edits your last message; @ # : autocomplete; others see that you are typing.
 */
export function Composer({ channelId, placeholder }: { channelId: string; placeholder: string }) {
  const { t } = useTranslation();
  const [text, setText] = useState(() => loadDraft(channelId));
  const send = useSendMessage(channelId);
  const ref = useRef<HTMLTextAreaElement>(null);
  const qc = useQueryClient();
  const meId = useMe().data?.id;
  const typing = useTypingNotifier(channelId);
  const files = useComposerFiles();

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
  const auto = useAutocomplete({ text, setText: change, inputRef: ref });
  const slash = useSlashMenu(text, change);
  const command = useRunCommand(channelId);

  const submit = () => {
    const body = text.trim();
    const fileIds = files.attachments.ready;
    if (files.attachments.busy || (!body && fileIds.length === 0)) return;
    if (body && isCommandText(body) && fileIds.length === 0) command.mutate(body);
    else send.mutate({ channelId, text: body, at: Date.now(), ...(fileIds.length > 0 && { files: fileIds }) });
    change('');
    files.attachments.clear();
  };

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <TypingIndicator channelId={channelId} />
      {files.overlay}
      {files.tray}
      <div className="composer-box composer-box-assist">
        {auto.popup}
        {slash.menu}
        <textarea
          id="composer-input"
          ref={ref}
          className="composer-input"
          rows={1}
          value={text}
          placeholder={placeholder}
          aria-label={placeholder}
          aria-describedby="composer-hint"
          {...auto.aria}
          {...slash.inputProps}
          onChange={(e) => {
            change(e.target.value);
            auto.track(e.target);
            if (e.target.value) typing();
          }}
          onSelect={(e) => auto.track(e.currentTarget)}
          onPaste={files.onPaste}
          onKeyDown={(e) => {
            if (slash.onKeyDown(e)) return;
            if (auto.onKeyDown(e)) return;
            if (e.key === 'ArrowUp' && !text && !e.shiftKey && !e.altKey && !e.metaKey && !e.ctrlKey) {
              const last = lastOwnMessage(qc, channelId, meId);
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
        {files.button}
        <GlobalShortcutsButton channelId={channelId} />
        <button type="submit" className="composer-send" aria-label={t('composer.send')} title={t('composer.send')} disabled={files.attachments.busy || (!text.trim() && files.attachments.ready.length === 0)}>
          <SendIcon size={18} />
        </button>
      </div>
      {command.isError && <CommandFailed error={command.error} />}
      <p id="composer-hint" className="composer-hint">
        {t('composer.hint')}
      </p>
    </form>
  );
}
