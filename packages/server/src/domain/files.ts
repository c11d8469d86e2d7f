/**
 * Files (docs/pumble-app-platform.md §11.2, §12.1; docs/web-client.md §6.7; docs/api-keys-addon.md §5
 * makeFilePublic): uploads as apps send them (token → upload → complete) and as people send them
 * (one streamed upload), the files a message takes, who may download them, short-lived signed URLs,
 * public links, and the sweep of files no message holds.
 *
 * The bytes go through a FileStorage (disk or S3, a setting) as streams, never whole in memory. The
 * type is sniffed from the first bytes (file-type), never taken from the client; images get their
 * dimensions and a thumbnail through the ImageProcessor (sharp, off the event loop).
 */
import { Readable } from 'node:stream';
import { fileTypeFromBuffer } from 'file-type';
import type { ByteRange, FileStorage, ImageProcessor } from './ports/file-storage.js';
import type { ChannelFileCursor, StoredFile } from './ports/files.js';
import type { ChatStore } from './ports/chat-store.js';
import type { FileRef, User } from './model.js';
import { isAdmin } from './model.js';
import type { Keyring } from './keyring.js';
import { commit, type CoreContext } from './context.js';
import { DomainError, invalid, notFound, unauthenticated } from './errors.js';
import { isId, newId } from './ids.js';
import { constantTimeEqual, hashToken, newToken } from './secrets.js';
import { visibleChannel } from './channels.js';

/** §11.2: upload tokens are valid 10 minutes. */
export const UPLOAD_TOKEN_TTL_MS = 10 * 60_000;
/** §11.2: at most 20 files per message. */
export const MAX_FILES_PER_MESSAGE = 20;
/** An orphan (a file no message holds) is swept a day after it became one (issue #14). */
export const ORPHAN_GRACE_MS = 24 * 60 * 60_000;
/** A signed download URL lives this long: minutes, enough to start a download or show an image. */
export const SIGNED_URL_TTL_MS = 5 * 60_000;
/** The thumbnail's longer edge, in pixels. */
export const THUMBNAIL_EDGE = 360;
/** Images larger than this get no dimensions or thumbnail: the processor reads an image whole. */
export const IMAGE_PROBE_MAX_BYTES = 32 * 1024 * 1024;
/** How many bytes the type is sniffed from (file-type needs at most 4100). */
const SNIFF_BYTES = 4100;
const MAX_NAME = 255;

/**
 * Raster images, video and audio are shown in place; everything else — SVG and HTML above all,
 * which can carry script — is only ever downloaded (`Content-Disposition: attachment`).
 */
const INLINE_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp', 'video/mp4', 'video/webm', 'audio/mpeg', 'audio/ogg', 'audio/wav', 'audio/mp4']);
const PROBED_IMAGES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

export const isInlineType = (mimeType: string): boolean => INLINE_TYPES.has(mimeType);

/** A channel's files gallery: the page's default size and its largest. */
export const CHANNEL_FILES_PAGE = 30;
export const MAX_CHANNEL_FILES_PAGE = 100;

/** A page of a channel's files, newest first; `nextCursor` is null on the last page. */
export interface ChannelFilesPage {
  files: Array<{ file: FileRef; messageId: string; authorId: string; postedAt: number; threadRootId: string | null }>;
  nextCursor: string | null;
}

/** §11.2 FileData (decision): what an upload answers, and `complete` takes back verbatim. */
export interface FileData {
  path: string;
  name: string;
  size: number;
  mimeType: string;
  width?: number;
  height?: number;
  /** the file's id (the SDK's FileDataResponse names it so): `complete` finds the upload by it */
  requestedFileUploadId: string;
}

export interface UploadResponse {
  original: FileData;
  thumbs: FileData[];
  signature: string;
}

/** A file's bytes, once the caller may read them. */
export interface FileContent {
  file: StoredFile;
  /** the original or its thumbnail */
  variant: 'original' | 'thumbnail';
  name: string;
  mimeType: string;
  size: number;
  /** whether the type may be shown in place (else `Content-Disposition: attachment`) */
  inline: boolean;
  open(range?: ByteRange): Promise<Readable>;
}

/** An upload as the surface hands it over: the file part's stream and the name it came with. */
export interface IncomingFile {
  filename: string;
  stream: Readable;
}

export interface FilesOptions {
  storage: FileStorage;
  images?: ImageProcessor;
  keyring: Keyring;
  publicUrl: () => string;
  /** FILE_MAX_BYTES */
  maxBytes: number;
}

/** JSON with object keys sorted at every depth: the same value always signs the same (§11.2 `signature`). */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined);
    entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

function checkName(name: unknown, field: string): string {
  if (typeof name !== 'string' || name.trim() === '') throw invalid(field, 'a file needs a name');
  if (name.length > MAX_NAME) throw invalid(field, `must be at most ${MAX_NAME} characters`);
  // eslint-disable-next-line no-control-regex
  if (/[\u0000-\u001f\u007f]/.test(name)) throw invalid(field, 'must not contain control characters');
  return name;
}

/**
 * The type of the bytes, from their first SNIFF_BYTES: what file-type recognises; else text when the
 * sample is UTF-8 without NULs (served as text/plain, never as markup); else octet-stream. Returns
 * a stream of the whole body again (the sample, then the rest), with the source's backpressure.
 */
export async function sniff(source: Readable): Promise<{ mimeType: string; body: Readable }> {
  const iterator = source[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  const chunks: Buffer[] = [];
  let have = 0;
  let done = false;
  while (have < SNIFF_BYTES) {
    const next = await iterator.next();
    if (next.done) {
      done = true;
      break;
    }
    const chunk = Buffer.isBuffer(next.value) ? next.value : Buffer.from(next.value);
    chunks.push(chunk);
    have += chunk.length;
  }
  const sample = Buffer.concat(chunks);
  const found = await fileTypeFromBuffer(sample);
  let mimeType = found?.mime ?? 'application/octet-stream';
  if (!found && sample.length > 0 && !sample.includes(0) && isUtf8Prefix(sample)) mimeType = 'text/plain';
  async function* all() {
    try {
      if (sample.length > 0) yield sample;
      if (done) return;
      for (;;) {
        const next = await iterator.next();
        if (next.done) return;
        yield next.value;
      }
    } finally {
      // The consumer stopped early (a storage failure): the upload is abandoned, let it go.
      if (!source.readableEnded) source.destroy();
    }
  }
  return { mimeType, body: Readable.from(all(), { objectMode: false }) };
}

/** UTF-8, allowing the sample to end in the middle of a character. */
function isUtf8Prefix(b: Buffer): boolean {
  for (let cut = 0; cut < 4 && cut < b.length; cut++) {
    try {
      new TextDecoder('utf-8', { fatal: true }).decode(b.subarray(0, b.length - cut));
      return true;
    } catch {
      /* try without a trailing partial character */
    }
  }
  return false;
}

export class Files {
  constructor(
    private readonly ctx: CoreContext,
    private readonly opts: FilesOptions,
  ) {}

  get maxBytes(): number {
    return this.opts.maxBytes;
  }

  /** The absolute URL a file is downloaded from with the viewer's credentials (§12.1 FileRef `path`). */
  downloadUrl(f: Pick<StoredFile, 'id' | 'name'>, variant: 'original' | 'thumbnail' = 'original'): string {
    const base = `${this.opts.publicUrl()}/v1/files/${f.id}/${variant === 'thumbnail' ? 'thumbnail/' : ''}${encodeURIComponent(f.name)}`;
    return base;
  }

  ref(f: StoredFile): FileRef {
    return {
      id: f.id,
      name: f.name,
      path: this.downloadUrl(f),
      size: f.size,
      mimeType: f.mimeType,
      ...(f.width !== null && { width: f.width }),
      ...(f.height !== null && { height: f.height }),
    };
  }

  // ---- a channel's files (docs/web-client.md §6.7: the gallery) ------------------------------------

  /**
   * The files of a channel's messages, newest first, in pages: for whoever may read the channel's
   * history (visibleChannel's rule, as every read — and as downloading them). `cursor` is the
   * previous page's `nextCursor`.
   */
  async channelFiles(actor: User, channelId: string, q: { cursor?: string; limit?: number }): Promise<ChannelFilesPage> {
    const { channel } = await visibleChannel(this.ctx.store, actor, channelId);
    const limit = Math.min(Math.max(q.limit ?? CHANNEL_FILES_PAGE, 1), MAX_CHANNEL_FILES_PAGE);
    let after: ChannelFileCursor | undefined;
    if (q.cursor !== undefined) {
      const parts = q.cursor.split('.');
      const [messageId, fileId] = parts;
      if (parts.length !== 2 || !isId(messageId) || !isId(fileId)) throw invalid('cursor', 'must be the nextCursor of a previous page');
      after = { messageId, fileId };
    }
    const rows = await this.ctx.store.files.channelFiles(channel.id, after, limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    return {
      files: page.map((r) => ({ file: this.ref(r.file), messageId: r.messageId, authorId: r.authorId, postedAt: r.postedAt, threadRootId: r.threadRootId })),
      nextCursor: rows.length > limit && last ? `${last.messageId}.${last.file.id}` : null,
    };
  }

  // ---- the app flow (§11.2) -------------------------------------------------------------------

  /** `POST /v1/files/upload/token`: a single-use token for one file of this name and length. */
  async uploadToken(actor: User, appId: string | undefined, input: { filename: unknown; length: unknown }): Promise<{ token: string; remoteProductToken: string }> {
    const filename = checkName(input.filename, 'filename');
    const length = input.length;
    if (typeof length !== 'number' || !Number.isInteger(length) || length < 0) throw invalid('length', 'must be the file size in bytes');
    if (length > this.opts.maxBytes) throw invalid('length', `must be at most ${this.opts.maxBytes} bytes (the server's file size limit)`);
    const token = newToken('fut_');
    const remoteProductToken = newToken('frp_');
    const now = this.ctx.now();
    await commit(this.ctx, (tx) =>
      tx.files.insertUploadToken({
        tokenHash: hashToken(token),
        productTokenHash: hashToken(remoteProductToken),
        workspaceId: actor.workspaceId,
        userId: actor.id,
        appId: appId ?? null,
        filename,
        length,
        createdAt: now,
        expiresAt: now + UPLOAD_TOKEN_TTL_MS,
      }),
    );
    return { token, remoteProductToken };
  }

  /**
   * `POST {PUMBLE_FILEUPLOAD_URL}/upload/files`: the file of an upload token. The token is used up
   * by the attempt (single use), whatever comes of it. The file must have the token's name and
   * length (else 400, and nothing is kept). `receive` reads the body: only once the token holds.
   */
  async receiveAppUpload(credentials: { token: string | undefined; productToken: string | undefined }, receive: () => Promise<IncomingFile>): Promise<UploadResponse> {
    if (!credentials.token) throw unauthenticated('The authtoken header (an upload token) is missing');
    const grant = await commit(this.ctx, (tx) => tx.files.redeemUploadToken(hashToken(credentials.token!)));
    if (!grant || grant.expiresAt <= this.ctx.now()) throw unauthenticated('The upload token is unknown, used or expired');
    if (!credentials.productToken || !constantTimeEqual(hashToken(credentials.productToken), grant.productTokenHash)) {
      throw unauthenticated('The Remote-Product-Token header does not belong to the upload token');
    }
    const file = await receive();
    if (file.filename !== grant.filename) {
      file.stream.destroy();
      throw invalid('file', `the file's name must be the upload token's (${grant.filename})`);
    }
    const stored = await this.storeUpload(grant.workspaceId, file.stream);
    if (stored.size !== grant.length) {
      await this.discard(stored);
      throw invalid('file', `the file has ${stored.size} bytes, the upload token was made for ${grant.length}`);
    }
    const record: StoredFile = {
      ...stored,
      workspaceId: grant.workspaceId,
      uploaderId: grant.userId,
      appId: grant.appId,
      name: grant.filename,
      completedAt: null,
      messageId: null,
      channelId: null,
      publicToken: null,
      createdAt: this.ctx.now(),
      orphanedAt: this.ctx.now(),
    };
    await this.insertOrDiscard(record);
    const original: FileData = {
      path: this.downloadUrl(record),
      name: record.name,
      size: record.size,
      mimeType: record.mimeType,
      ...(record.width !== null && { width: record.width }),
      ...(record.height !== null && { height: record.height }),
      requestedFileUploadId: record.id,
    };
    const thumbs: FileData[] = record.thumbnail
      ? [{ path: this.downloadUrl(record, 'thumbnail'), name: record.name, size: record.thumbnail.size, mimeType: record.thumbnail.mimeType, width: record.thumbnail.width, height: record.thumbnail.height, requestedFileUploadId: record.id }]
      : [];
    return { original, thumbs, signature: this.sign({ original, thumbs }) };
  }

  /** `POST /v1/files/upload/complete` with the upload's response verbatim: `{id, path, name}`. */
  async complete(actor: User, body: unknown): Promise<{ id: string; path: string; name: string }> {
    const b = (typeof body === 'object' && body !== null ? body : {}) as Record<string, unknown>;
    if (typeof b.original !== 'object' || b.original === null || Array.isArray(b.original)) throw invalid('original', 'must be the upload response\'s original');
    if (!Array.isArray(b.thumbs)) throw invalid('thumbs', "must be the upload response's thumbs");
    if (typeof b.signature !== 'string') throw invalid('signature', "must be the upload response's signature");
    if (!constantTimeEqual(b.signature, this.sign({ original: b.original, thumbs: b.thumbs }))) {
      throw invalid('signature', 'does not match: send the upload response verbatim');
    }
    const id = (b.original as Record<string, unknown>).requestedFileUploadId;
    const file = isId(id) ? await this.ctx.store.files.get(id) : undefined;
    if (!file || file.workspaceId !== actor.workspaceId || file.uploaderId !== actor.id) throw notFound('Upload');
    // Completing twice answers the same: the SDK may retry.
    if (file.completedAt === null) await commit(this.ctx, (tx) => tx.files.markCompleted(file.id, this.ctx.now()));
    return { id: file.id, path: this.downloadUrl(file), name: file.name };
  }

  // ---- a person's upload (docs/web-client.md §6.7) --------------------------------------------

  /** One streamed upload, complete at once: its id goes into a message's `files`. */
  async upload(actor: User, file: IncomingFile): Promise<StoredFile> {
    const name = checkName(file.filename, 'file');
    const stored = await this.storeUpload(actor.workspaceId, file.stream);
    const now = this.ctx.now();
    const record: StoredFile = {
      ...stored,
      workspaceId: actor.workspaceId,
      uploaderId: actor.id,
      appId: null,
      name,
      completedAt: now,
      messageId: null,
      channelId: null,
      publicToken: null,
      createdAt: now,
      orphanedAt: now,
    };
    await this.insertOrDiscard(record);
    return record;
  }

  // ---- messages ---------------------------------------------------------------------------------

  /**
   * The files a new message takes, inside its transaction (§11.2): at most 20, each a completed
   * upload of the poster's that no message holds yet. Locked on PostgreSQL, so two posts cannot
   * both take one file.
   */
  async forPost(tx: ChatStore, actor: User, ids: readonly unknown[]): Promise<FileRef[]> {
    if (ids.length === 0) return [];
    if (ids.length > MAX_FILES_PER_MESSAGE) throw invalid('files', `at most ${MAX_FILES_PER_MESSAGE} files per message`);
    if (new Set(ids).size !== ids.length) throw invalid('files', 'names a file twice');
    const wanted = ids.map((id, i) => {
      if (!isId(id)) throw invalid(`files[${i}]`, 'must be a file id');
      return id;
    });
    const found = new Map((await tx.files.forUpdate(wanted)).map((f) => [f.id, f]));
    return wanted.map((id, i) => {
      const f = found.get(id);
      if (!f || f.workspaceId !== actor.workspaceId || f.uploaderId !== actor.id || f.completedAt === null) {
        throw invalid(`files[${i}]`, 'is not a completed upload of yours');
      }
      if (f.messageId !== null) throw invalid(`files[${i}]`, 'is on another message already');
      return this.ref(f);
    });
  }

  // ---- downloads --------------------------------------------------------------------------------

  /**
   * A file for someone who can see it: the channel of the message that holds it (visibleChannel's
   * rule, as every read); a file no message holds yet, only its uploader. 404 otherwise, as for a
   * file that does not exist.
   */
  async open(actor: User, fileId: string, variant: FileContent['variant'] = 'original'): Promise<FileContent> {
    const file = await this.visibleFile(actor, fileId);
    return this.content(file, variant);
  }

  /** A short-lived URL that downloads the file without credentials (an `<img src>`, a download link). */
  async signedUrl(actor: User, fileId: string, variant: FileContent['variant'] = 'original'): Promise<{ url: string; expiresAt: number }> {
    const file = await this.visibleFile(actor, fileId);
    if (variant === 'thumbnail' && !file.thumbnail) throw notFound('Thumbnail');
    const expiresAt = this.ctx.now() + SIGNED_URL_TTL_MS;
    const signature = this.opts.keyring.fileSignature(`download.${file.id}.${variant}.${expiresAt}`);
    const path = `/files/${file.id}/${variant === 'thumbnail' ? 'thumbnail/' : ''}${encodeURIComponent(file.name)}`;
    return { url: `${this.opts.publicUrl()}${path}?expires=${expiresAt}&signature=${signature}`, expiresAt };
  }

  /** The file of a signed URL, while it is valid and its file still exists. */
  async openSigned(fileId: string, variant: FileContent['variant'], expires: unknown, signature: unknown): Promise<FileContent> {
    const at = typeof expires === 'string' && /^\d{1,15}$/.test(expires) ? Number(expires) : Number.NaN;
    const expected = Number.isFinite(at) ? this.opts.keyring.fileSignature(`download.${fileId}.${variant}.${at}`) : '';
    if (typeof signature !== 'string' || !expected || !constantTimeEqual(signature, expected)) throw new DomainError('forbidden', 'The link is not valid');
    if (at <= this.ctx.now()) throw new DomainError('forbidden', 'The link has expired');
    const file = isId(fileId) ? await this.ctx.store.files.get(fileId) : undefined;
    if (!file) throw notFound('File');
    return this.content(file, variant);
  }

  /**
   * makeFilePublic (api-keys-addon.md §10): a public, unguessable link to a file the caller can see.
   * The same link while it lasts; revoking ends it, and so does deleting the message that holds the file.
   */
  async makePublic(actor: User, fileId: string): Promise<{ publicPath: string }> {
    const file = await this.visibleFile(actor, fileId);
    let token = file.publicToken;
    if (token === null) {
      token = newToken('fpl_');
      await commit(this.ctx, (tx) => tx.files.setPublicToken(file.id, token));
    }
    return { publicPath: this.publicPath(token, file.name) };
  }

  /** Ends a file's public link: its uploader or an admin who can see it. */
  async revokePublic(actor: User, fileId: string): Promise<void> {
    const file = await this.visibleFile(actor, fileId);
    if (file.uploaderId !== actor.id && !isAdmin(actor)) throw new DomainError('forbidden', "Only the file's uploader or an admin can revoke its public link");
    if (file.publicToken !== null) await commit(this.ctx, (tx) => tx.files.setPublicToken(file.id, null));
  }

  async openPublic(token: string, variant: FileContent['variant'] = 'original'): Promise<FileContent> {
    const file = /^fpl_[\w-]{20,}$/.test(token) ? await this.ctx.store.files.byPublicToken(token) : undefined;
    if (!file) throw notFound('File');
    return this.content(file, variant);
  }

  publicPath(token: string, name: string): string {
    return `${this.opts.publicUrl()}/files/public/${token}/${encodeURIComponent(name)}`;
  }

  // ---- housekeeping -----------------------------------------------------------------------------

  /**
   * Removes files no message has held for a day (never attached, their message deleted, or their
   * channel deleted) — the row first, in a statement that checks it is still an orphan, then its
   * objects — and expired upload tokens. Every node may run it: a file goes once.
   */
  async sweepOrphans(now: number, limit = 500): Promise<{ files: number; tokens: number }> {
    const { store } = this.ctx;
    let files = 0;
    for (const f of await store.files.orphansBefore(now - ORPHAN_GRACE_MS, limit)) {
      if (!(await commit(this.ctx, (tx) => tx.files.deleteOrphan(f.id)))) continue;
      await this.discard(f);
      files++;
    }
    const tokens = await commit(this.ctx, (tx) => tx.files.pruneUploadTokens(now));
    return { files, tokens };
  }

  // ---- inside -----------------------------------------------------------------------------------

  private sign(response: { original: unknown; thumbs: unknown }): string {
    return this.opts.keyring.fileSignature(`upload.${canonicalJson(response)}`);
  }

  private async visibleFile(actor: User, fileId: string): Promise<StoredFile> {
    const { store } = this.ctx;
    const file = isId(fileId) ? await store.files.get(fileId) : undefined;
    if (!file || file.workspaceId !== actor.workspaceId) throw notFound('File');
    if (file.messageId !== null && file.channelId !== null) {
      await visibleChannel(store, actor, file.channelId).catch(() => {
        throw notFound('File');
      });
      return file;
    }
    if (file.uploaderId !== actor.id) throw notFound('File');
    return file;
  }

  private content(file: StoredFile, variant: FileContent['variant']): FileContent {
    const { storage } = this.opts;
    if (variant === 'thumbnail') {
      const thumb = file.thumbnail;
      if (!thumb) throw notFound('Thumbnail');
      return { file, variant, name: file.name, mimeType: thumb.mimeType, size: thumb.size, inline: true, open: (range) => storage.get(thumb.key, range) };
    }
    return { file, variant, name: file.name, mimeType: file.mimeType, size: file.size, inline: isInlineType(file.mimeType), open: (range) => storage.get(file.storageKey, range) };
  }

  /**
   * Streams an upload into storage under a new id: sniffed on the way, measured, and — for a raster
   * image — read back once for its dimensions and thumbnail. Nothing stays behind when it fails.
   */
  private async storeUpload(workspaceId: string, source: Readable): Promise<Pick<StoredFile, 'id' | 'size' | 'mimeType' | 'width' | 'height' | 'storageKey' | 'thumbnail'>> {
    const { storage } = this.opts;
    const id = newId(this.ctx.now());
    const storageKey = `${workspaceId}/${id}`;
    const { mimeType, body } = await sniff(source).catch((e: unknown) => {
      source.destroy();
      throw e;
    });
    const { size } = await storage.put(storageKey, body, { contentType: mimeType });
    const stored = { id, size, mimeType, width: null as number | null, height: null as number | null, storageKey, thumbnail: null as StoredFile['thumbnail'] };
    if (!this.opts.images || !PROBED_IMAGES.has(mimeType) || size > IMAGE_PROBE_MAX_BYTES) return stored;
    try {
      const facts = await this.opts.images.probe(await storage.get(storageKey), { thumbnailEdge: THUMBNAIL_EDGE });
      if (facts) {
        stored.width = facts.width;
        stored.height = facts.height;
        if (facts.thumbnail) {
          const key = `${storageKey}.thumb`;
          const t = facts.thumbnail;
          const put = await storage.put(key, Readable.from([t.bytes]), { contentType: t.mimeType });
          stored.thumbnail = { key, size: put.size, width: t.width, height: t.height, mimeType: t.mimeType };
        }
      }
    } catch {
      // An image the processor cannot read is still a file: kept, without dimensions or thumbnail.
    }
    return stored;
  }

  private async insertOrDiscard(record: StoredFile): Promise<void> {
    try {
      await commit(this.ctx, (tx) => tx.files.insert(record));
    } catch (e) {
      await this.discard(record);
      throw e;
    }
  }

  private async discard(f: Pick<StoredFile, 'storageKey' | 'thumbnail'>): Promise<void> {
    await this.opts.storage.delete(f.storageKey);
    if (f.thumbnail) await this.opts.storage.delete(f.thumbnail.key);
  }
}

/** Files that cannot be stored: a server built without storage (tools). */
export const noFileStorage: FileStorage = {
  kind: 'none',
  async put() {
    throw new DomainError('unavailable', 'File uploads are not available on this server');
  },
  async get() {
    throw new DomainError('unavailable', 'File uploads are not available on this server');
  },
  async head() {
    return undefined;
  },
  async delete() {},
};
