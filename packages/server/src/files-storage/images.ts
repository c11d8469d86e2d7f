/**
 * The ImageProcessor with sharp (libvips): an image's dimensions and a WebP thumbnail. sharp does
 * its work on libuv's thread pool, so decoding and resizing never block the event loop. Its input
 * is bounded (the domain probes images of at most IMAGE_PROBE_MAX_BYTES; sharp refuses more than
 * 100 megapixels), and only the first frame of an animation is read.
 */
import sharp from 'sharp';
import type { Readable } from 'node:stream';
import type { ImageFacts, ImageProcessor } from '../domain/ports/file-storage.js';

export class SharpImages implements ImageProcessor {
  async probe(body: Readable, opts: { thumbnailEdge: number }): Promise<ImageFacts | undefined> {
    const image = sharp({ failOn: 'error', limitInputPixels: 100_000_000, animated: false });
    body.on('error', (e) => image.destroy(e));
    body.pipe(image);
    const meta = await image.metadata().catch(() => undefined);
    if (!meta?.width || !meta.height) return undefined;
    // EXIF orientation: a portrait photo is as tall as it looks.
    const swapped = (meta.orientation ?? 1) >= 5;
    const width = swapped ? meta.height : meta.width;
    const height = swapped ? meta.width : meta.height;
    const { data, info } = await image
      .clone()
      .rotate()
      .resize({ width: opts.thumbnailEdge, height: opts.thumbnailEdge, fit: 'inside', withoutEnlargement: true })
      .webp({ quality: 80 })
      .toBuffer({ resolveWithObject: true });
    return { width, height, thumbnail: { bytes: data, width: info.width, height: info.height, mimeType: 'image/webp' } };
  }

  /** An avatar: the centre square, `edge` pixels, WebP; the input's own errors (a size limit) reject as they are. */
  async square(body: Readable, edge: number): Promise<Buffer | undefined> {
    const image = sharp({ failOn: 'error', limitInputPixels: 100_000_000, animated: false });
    let failure: unknown;
    body.on('error', (e) => {
      failure = e;
      image.destroy(e);
    });
    body.pipe(image);
    try {
      return await image.rotate().resize({ width: edge, height: edge, fit: 'cover', position: 'centre' }).webp({ quality: 85 }).toBuffer();
    } catch (e) {
      if (failure) throw failure;
      return undefined;
    }
  }
}
