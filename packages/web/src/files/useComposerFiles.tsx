import { useEffect, useRef, useState, type ClipboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { filesOf, useAttachments } from './useAttachments';
import { AttachmentTray } from './AttachmentTray';
import { PaperclipIcon } from './icons';
import './files.css';

const hasFiles = (e: DragEvent) => !!e.dataTransfer && Array.from(e.dataTransfer.types).includes('Files');

/**
 * Files for a composer: the paperclip button, paste, and drag and drop anywhere on the channel (an
 * overlay says where they go); the tray of uploads; the ids to send.
 */
export function useComposerFiles() {
  const { t } = useTranslation();
  const attachments = useAttachments();
  const input = useRef<HTMLInputElement>(null);
  const [dragging, setDragging] = useState(false);
  const { add } = attachments;

  useEffect(() => {
    let depth = 0;
    const enter = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth++;
      setDragging(true);
    };
    const over = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      if (e.dataTransfer) e.dataTransfer.dropEffect = 'copy';
    };
    const leave = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      depth = Math.max(0, depth - 1);
      if (depth === 0) setDragging(false);
    };
    const drop = (e: DragEvent) => {
      if (!hasFiles(e)) return;
      e.preventDefault();
      depth = 0;
      setDragging(false);
      add(filesOf(e.dataTransfer));
    };
    window.addEventListener('dragenter', enter);
    window.addEventListener('dragover', over);
    window.addEventListener('dragleave', leave);
    window.addEventListener('drop', drop);
    return () => {
      window.removeEventListener('dragenter', enter);
      window.removeEventListener('dragover', over);
      window.removeEventListener('dragleave', leave);
      window.removeEventListener('drop', drop);
    };
  }, [add]);

  const onPaste = (e: ClipboardEvent) => {
    const files = filesOf(e.clipboardData);
    if (files.length === 0) return;
    e.preventDefault();
    add(files);
  };

  const button = (
    <>
      <button type="button" className="composer-attach icon-button" onClick={() => input.current?.click()} aria-label={t('files.attach')} title={t('files.attach')}>
        <PaperclipIcon size={18} />
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        tabIndex={-1}
        aria-hidden="true"
        data-testid="file-input"
        onChange={(e) => {
          add(Array.from(e.target.files ?? []));
          e.target.value = '';
        }}
      />
    </>
  );

  const overlay = dragging ? (
    <div className="drop-overlay" aria-hidden="true">
      <div className="drop-overlay-card">
        <PaperclipIcon size={28} />
        <p>{t('files.dropHere')}</p>
      </div>
    </div>
  ) : null;

  return { attachments, button, overlay, onPaste, tray: <AttachmentTray attachments={attachments} /> };
}
