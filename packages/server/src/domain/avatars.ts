/**
 * People's avatars (docs/web-client.md §6.8): a person uploads an image, the server keeps a small
 * square of it (AVATAR_EDGE pixels, WebP, made by the ImageProcessor off the event loop) in the
 * file storage, and the person's `avatarId` points at it; removing it brings the initials back.
 *
 * The type is sniffed from the bytes (as for every file), never taken from the client: only raster
 * images are accepted, and what is kept is always the re-encoded WebP, never the upload — so an
 * avatar can carry no script, metadata or second payload. Each upload gets a new id (the URL of an
 * image never changes, and may be cached); the previous image is removed once the new one is set.
 */
import { Readable } from 'node:stream';
import type { FileStorage, ImageProcessor } from './ports/file-storage.js';
import type { User } from './model.js';
import type { Accounts } from './accounts.js';
import { DomainError, forbidden, invalid, notFound } from './errors.js';
import { isId, newId } from './ids.js';
import { sniff, type IncomingFile } from './files.js';

/** The avatar's edge in pixels: twice the largest size the web client shows it at. */
export const AVATAR_EDGE = 256;
/** The largest upload read (the stored square is a few KB whatever the upload). */
export const AVATAR_MAX_BYTES = 10 * 1024 * 1024;
const AVATAR_TYPES = new Set(['image/jpeg', 'image/png', 'image/gif', 'image/webp']);

/** An avatar's bytes, for the route that serves them. */
export interface AvatarContent {
  mimeType: 'image/webp';
  size: number;
  open(): Promise<Readable>;
}

export class Avatars {
  constructor(
    private readonly accounts: Pick<Accounts, 'setAvatarId' | 'userOf'>,
    private readonly opts: { storage: FileStorage; images?: ImageProcessor; maxBytes: number },
  ) {}

  /** The upload limit: the avatar's, or the server's file limit when that is smaller. */
  get maxBytes(): number {
    return Math.min(AVATAR_MAX_BYTES, this.opts.maxBytes);
  }

  /** The person's new avatar from an uploaded image; every user hears of it (user.updated). */
  async set(actor: User, file: IncomingFile): Promise<User> {
    if (actor.isBot) {
      file.stream.destroy();
      throw forbidden('Bots have no avatar to change here');
    }
    const square = this.opts.images?.square?.bind(this.opts.images);
    if (!square) {
      file.stream.destroy();
      throw new DomainError('unavailable', 'Avatars are not available on this server');
    }
    const { mimeType, body } = await sniff(file.stream).catch((e: unknown) => {
      file.stream.destroy();
      throw e;
    });
    if (!AVATAR_TYPES.has(mimeType)) {
      body.destroy();
      throw invalid('file', 'must be a JPEG, PNG, GIF or WebP image');
    }
    const bytes = await square(body, AVATAR_EDGE);
    if (!bytes) throw invalid('file', 'is not an image that can be read');
    const avatarId = newId(Date.now());
    const key = this.key(actor, avatarId);
    await this.opts.storage.put(key, Readable.from([bytes]), { contentType: 'image/webp' });
    try {
      const { user, previous } = await this.accounts.setAvatarId(actor, avatarId);
      if (previous) await this.discard(actor, previous);
      return user;
    } catch (e) {
      await this.opts.storage.delete(key);
      throw e;
    }
  }

  /** Back to initials; the image is removed. */
  async remove(actor: User): Promise<User> {
    const { user, previous } = await this.accounts.setAvatarId(actor, null);
    if (previous) await this.discard(actor, previous);
    return user;
  }

  /** A user's current avatar, for anyone of their workspace; an earlier one is 404. */
  async open(actor: User, userId: string, avatarId: string): Promise<AvatarContent> {
    const { storage } = this.opts;
    if (!isId(userId) || !isId(avatarId)) throw notFound('Avatar');
    const owner = await this.accounts.userOf(actor, userId);
    if (!owner || owner.avatarId !== avatarId) throw notFound('Avatar');
    const key = this.key(owner, avatarId);
    const head = await storage.head(key);
    if (!head) throw notFound('Avatar');
    return { mimeType: 'image/webp', size: head.size, open: () => storage.get(key) };
  }

  private key(user: Pick<User, 'workspaceId' | 'id'>, avatarId: string): string {
    return `${user.workspaceId}/avatars/${user.id}/${avatarId}`;
  }

  /** Removing an image nobody points at any more; a failure leaves an unreachable object, no error. */
  private async discard(user: User, avatarId: string): Promise<void> {
    await this.opts.storage.delete(this.key(user, avatarId)).catch(() => undefined);
  }
}
