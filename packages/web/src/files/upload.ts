/**
 * A person's upload, `POST /v1/files` (multipart, field `file`), through XMLHttpRequest: fetch
 * cannot report upload progress. Same origin, so the HttpOnly session cookie goes with it.
 */
import { ApiError, SESSION_LOST, sessionEvents } from '../lib/api';

/** What the server answers: the FileRef whose `id` goes into a message's `files`. */
export interface UploadedFile {
  id: string;
  name: string;
  path: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
  thumbnailPath?: string;
}

export interface UploadHandle {
  promise: Promise<UploadedFile>;
  abort(): void;
}

export class UploadAborted extends Error {
  constructor() {
    super('aborted');
    this.name = 'UploadAborted';
  }
}

export function uploadFile(file: File, onProgress: (fraction: number) => void): UploadHandle {
  const xhr = new XMLHttpRequest();
  const promise = new Promise<UploadedFile>((resolve, reject) => {
    xhr.open('POST', '/v1/files');
    xhr.withCredentials = true;
    xhr.setRequestHeader('accept', 'application/json');
    xhr.responseType = 'text';
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data: { code?: unknown; message?: unknown } | undefined;
      try {
        data = xhr.responseText ? (JSON.parse(xhr.responseText) as typeof data) : undefined;
      } catch {
        /* not JSON */
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        onProgress(1);
        resolve(data as unknown as UploadedFile);
        return;
      }
      if (xhr.status === 401) sessionEvents.dispatchEvent(new Event(SESSION_LOST));
      reject(new ApiError(xhr.status, typeof data?.code === 'string' ? data.code : undefined, typeof data?.message === 'string' ? data.message : xhr.statusText));
    };
    xhr.onerror = () => reject(new ApiError(0, 'network', 'network error'));
    xhr.onabort = () => reject(new UploadAborted());
    const body = new FormData();
    body.append('file', file, file.name);
    xhr.send(body);
  });
  return { promise, abort: () => xhr.abort() };
}

/** The path of a server URL when it is this origin's (the cookie goes with same-origin requests, and Vite's proxy serves /v1 in dev). */
export function localPath(url: string): string {
  try {
    const u = new URL(url, window.location.origin);
    return u.pathname.startsWith('/v1/files/') ? `${u.pathname}${u.search}` : url;
  } catch {
    return url;
  }
}

/** The thumbnail of a file ref (the server makes a WebP one for raster images). */
export function thumbnailPath(path: string): string {
  const local = localPath(path);
  return local.replace(/^(\/v1\/files\/[^/]+)\/(?!thumbnail\/)/, '$1/thumbnail/');
}

export const isImage = (mimeType: string) => /^image\/(png|jpe?g|gif|webp|avif|bmp)$/i.test(mimeType);
export const isVideo = (mimeType: string) => /^video\//i.test(mimeType);

/** 1536 → "1.5 KB", in the UI's language. */
export function formatSize(bytes: number, lang: string): string {
  const units = ['B', 'KB', 'MB', 'GB'];
  let n = bytes;
  let u = 0;
  while (n >= 1024 && u < units.length - 1) {
    n /= 1024;
    u++;
  }
  return `${new Intl.NumberFormat(lang, { maximumFractionDigits: u === 0 ? 0 : 1 }).format(n)} ${units[u]}`;
}
