import { useTranslation } from 'react-i18next';
import { useSendMessage } from '../messages/useMessages';
import { SendIcon } from '../ui/icons';
import { TypingIndicator } from '../typing/TypingIndicator';
import { lastOwnMessage } from '../messages/lastOwn';
import './composer.css';
import { useSlashMenu } from '../apps/commands/useSlashMenu';
import { CommandFailed, isCommandText, useRunCommand } from '../apps/commands/useRunCommand';
import { GlobalShortcutsButton } from '../apps/shortcuts/ShortcutMenu';
import { useComposerFiles } from '../files/useComposerFiles';
import { useComposerBox } from './useComposerBox';
import { followOwnSend } from '../messages/stickToBottom';

const MAX_HEIGHT = 240;

/**
 * Multi-line; Enter sends, Shift+Enter is a new line; the draft is kept per channel; ↑ in an empty
 * box edits your last message; @ # : autocomplete; others see that you are typing (all in
 * useComposerBox, shared with the thread's composer); / commands, shortcuts and files.
 */
export function Composer({ channelId, placeholder }: { channelId: string; placeholder: string }) {
  const { t } = useTranslation();
  const send = useSendMessage(channelId);
  const files = useComposerFiles();
  const command = useRunCommand(channelId);
  const box = useComposerBox({
    draftKey: channelId,
    channelId,
    maxHeight: MAX_HEIGHT,
    autoFocus: true,
    lastOwn: (qc, meId) => lastOwnMessage(qc, channelId, meId),
    onSubmit: (body, setText) => {
      const fileIds = files.attachments.ready;
      if (files.attachments.busy || (!body && fileIds.length === 0)) return;
      if (body && isCommandText(body) && fileIds.length === 0) {
        command.mutate({ text: body, appId: slash.pickedAppFor(body) });
        slash.clearPick();
      }
      else send.mutate({ channelId, text: body, at: Date.now(), ...(fileIds.length > 0 && { files: fileIds }) });
      setText('');
      files.attachments.clear();
      followOwnSend(channelId);
    },
  });
  const slash = useSlashMenu(box.text, box.setText);
  const text = box.text;

  return (
    <form
      className="composer"
      onSubmit={(e) => {
        e.preventDefault();
        box.submit();
      }}
    >
      <TypingIndicator channelId={channelId} />
      {files.overlay}
      {files.tray}
      <div className="composer-box composer-box-assist">
        {box.popup}
        {slash.menu}
        <textarea
          id="composer-input"
          {...box.inputProps}
          placeholder={placeholder}
          aria-label={placeholder}
          aria-describedby="composer-hint"
          {...slash.inputProps}
          onPaste={files.onPaste}
          onKeyDown={(e) => {
            if (slash.onKeyDown(e)) return;
            box.onKeyDown(e);
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
