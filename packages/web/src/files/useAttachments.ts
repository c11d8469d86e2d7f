import { useCallback, useEffect, useRef, useState } from 'react';
import { uploadFile, UploadAborted, type UploadedFile, type UploadHandle } from './upload';
import { useQueryClient } from '@tanstack/react-query';
import { fileLimit } from './fileLimit';

export interface Attachment {
  key: number;
  name: string;
  size: number;
  type: string;
  status: 'uploading' | 'done' | 'error' | 'tooLarge';
  progress: number;
  uploaded?: UploadedFile;
  /** FILE_MAX_BYTES when known */
  maxBytes?: number;
  error?: unknown;
  /** an image's own file, for the tray's thumbnail (files/AttachmentTray.tsx) */
  image?: File;
}

let nextKey = 1;

/** The image types shown as a thumbnail in the tray (raster ones the browser decodes; not SVG). */
const THUMBNAILED = /^image\/(png|jpeg|gif|webp|avif|bmp)$/;

/**
 * The files attached in a composer before it sends: each uploads at once (with progress, and can be
 * cancelled); the message goes out with the ids of those done. This is the composer's own state — the
 * uploads are not yet anything the server shows.
 */
export function useAttachments() {
  const [items, setItems] = useState<Attachment[]>([]);
  const handles = useRef(new Map<number, UploadHandle>());
  const qc = useQueryClient();

  const patch = useCallback((key: number, change: Partial<Attachment>) => setItems((all) => all.map((a) => (a.key === key ? { ...a, ...change } : a))), []);

  const add = useCallback(
    async (list: Iterable<File>) => {
      const files = Array.from(list);
      if (files.length === 0) return;
      const maxBytes = (await fileLimit(qc)) ?? undefined;
      const added: Attachment[] = [];
      for (const file of files) {
        const key = nextKey++;
        const base = { key, name: file.name || 'file', size: file.size, type: file.type, progress: 0, ...(maxBytes !== undefined && { maxBytes }), ...(THUMBNAILED.test(file.type) && { image: file }) };
        if (maxBytes !== undefined && file.size > maxBytes) {
          added.push({ ...base, status: 'tooLarge' });
          continue;
        }
        added.push({ ...base, status: 'uploading' });
        const handle = uploadFile(file, (progress) => patch(key, { progress }));
        handles.current.set(key, handle);
        handle.promise
          .then(
            (uploaded) => patch(key, { status: 'done', progress: 1, uploaded }),
            (error: unknown) => {
              if (!(error instanceof UploadAborted)) patch(key, { status: 'error', error });
            },
          )
          .finally(() => handles.current.delete(key));
      }
      setItems((all) => [...all, ...added]);
    },
    [qc, patch],
  );

  /** Cancels an upload in flight, or takes a finished (or refused) one off the message. */
  const remove = useCallback((key: number) => {
    handles.current.get(key)?.abort();
    setItems((all) => all.filter((a) => a.key !== key));
  }, []);

  const clear = useCallback(() => setItems([]), []);

  // leaving the channel cancels what is still uploading
  useEffect(() => {
    const current = handles.current;
    return () => current.forEach((h) => h.abort());
  }, []);

  const ready = items.filter((a) => a.status === 'done' && a.uploaded).map((a) => a.uploaded!.id);
  const busy = items.some((a) => a.status === 'uploading');
  const addFiles = useCallback((files: Iterable<File>) => void add(files), [add]);
  return { items, add: addFiles, remove, clear, ready, busy };
}

export type Attachments = ReturnType<typeof useAttachments>;

/** The files a paste or a drop carries. */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  return Array.from(data.files ?? []);
}
