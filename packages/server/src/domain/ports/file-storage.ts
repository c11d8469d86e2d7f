/**
 * Where file bytes live (docs/pumble-app-platform.md §11.2): one small interface in front of the
 * engines — the local disk under the data directory, or an S3-compatible object store shared by
 * several nodes (files-storage/). Which one is a setting (FILES_STORAGE); the domain never knows.
 *
 * Keys are the domain's (`<workspace>/<file id>` and its thumbnail's); an adapter maps them to paths
 * or object names. Bodies are streams both ways: a file is never held whole in memory.
 */
import type { Readable } from 'node:stream';

/** An inclusive byte range (HTTP `Range: bytes=start-end`, already checked against the size). */
export interface ByteRange {
  start: number;
  end: number;
}

export interface FileStorage {
  /** `disk` or `s3`: for logs and the readiness report */
  readonly kind: string;
  /**
   * Stores `body` under `key`. It is there only once the promise resolves: when `body` fails (the
   * client went away) or is refused, nothing is left behind — no partial object, no temporary file.
   */
  put(key: string, body: Readable, opts: { contentType: string }): Promise<{ size: number }>;
  /** The object's bytes, or a range of them. Rejects with NotStored when there is no such object. */
  get(key: string, range?: ByteRange): Promise<Readable>;
  /** Its size, or undefined when there is no such object. */
  head(key: string): Promise<{ size: number } | undefined>;
  /** Removes it; removing what is not there is no error. */
  delete(key: string): Promise<void>;
}

/** The object a key names is not stored (a swept orphan, a lost disk). */
export class NotStored extends Error {
  constructor(key: string) {
    super(`no stored object ${key}`);
  }
}

/** What the image processor found, and the thumbnail it wrote. */
export interface ImageFacts {
  width: number;
  height: number;
  thumbnail?: { bytes: Buffer; width: number; height: number; mimeType: string };
}

/**
 * Dimensions and a thumbnail of a raster image (docs/web-client.md §6.7: images previewed inline
 * with thumbnails). Implemented with sharp, whose work runs on libuv's thread pool, off the event
 * loop. Undefined when the bytes are not an image it can read.
 */
export interface ImageProcessor {
  probe(body: Readable, opts: { thumbnailEdge: number }): Promise<ImageFacts | undefined>;
  /**
   * docs/web-client.md §6.8: an avatar — the image cropped to its centre square and scaled to
   * `edge` pixels, as WebP; undefined when the bytes are not an image it can read. Optional: a
   * processor without it refuses avatars.
   */
  square?(body: Readable, edge: number): Promise<Buffer | undefined>;
}
