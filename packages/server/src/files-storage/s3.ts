/**
 * FileStorage on an S3-compatible object store (AWS S3, MinIO, Ceph, R2 …), for several nodes
 * sharing one store: the FILES_S3_* settings (docs/operations.md). Uploads stream through
 * @aws-sdk/lib-storage's multipart Upload (parts of 8 MiB, a few in flight): the bytes are never held
 * whole. When the body fails part-way, the multipart upload is aborted, so no object (and no
 * orphaned part) is left behind.
 */
import { DeleteObjectCommand, GetObjectCommand, HeadObjectCommand, S3Client, S3ServiceException } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import type { Readable } from 'node:stream';
import { NotStored, type ByteRange, type FileStorage } from '../domain/ports/file-storage.js';
import { byteCounter } from './disk.js';

export interface S3Settings {
  /** e.g. https://s3.eu-west-1.amazonaws.com or http://minio:9000; unset: AWS's own for the region */
  endpoint?: string;
  region: string;
  bucket: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** path-style URLs (`endpoint/bucket/key`), which most self-hosted stores need */
  forcePathStyle: boolean;
  /** under this prefix in the bucket (no leading or trailing slash), if any */
  prefix?: string;
}

const PART_BYTES = 8 * 1024 * 1024;

const isMissing = (e: unknown) =>
  e instanceof S3ServiceException && (e.name === 'NoSuchKey' || e.name === 'NotFound' || e.$metadata?.httpStatusCode === 404);

export class S3FileStorage implements FileStorage {
  readonly kind = 's3';
  private readonly client: S3Client;

  constructor(private readonly settings: S3Settings) {
    this.client = new S3Client({
      region: settings.region,
      ...(settings.endpoint && { endpoint: settings.endpoint }),
      forcePathStyle: settings.forcePathStyle,
      credentials: { accessKeyId: settings.accessKeyId, secretAccessKey: settings.secretAccessKey },
    });
  }

  private keyOf(key: string): string {
    return this.settings.prefix ? `${this.settings.prefix}/${key}` : key;
  }

  async put(key: string, body: Readable, opts: { contentType: string }): Promise<{ size: number }> {
    const counter = byteCounter();
    let bodyError: unknown;
    body.on('error', (e) => {
      bodyError ??= e;
      counter.destroy(e);
    });
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.settings.bucket, Key: this.keyOf(key), Body: body.pipe(counter), ContentType: opts.contentType },
      partSize: PART_BYTES,
      queueSize: 4,
      leavePartsOnError: false,
    });
    try {
      await upload.done();
    } catch (e) {
      // A single-part upload may have been written before the failure was seen: remove it too.
      await upload.abort().catch(() => {});
      await this.delete(key).catch(() => {});
      // The body's failure is the cause: an error of the clean-up after it (a store that cannot abort
      // a multipart upload) must not hide it.
      throw bodyError ?? e;
    }
    return { size: counter.bytes };
  }

  async get(key: string, range?: ByteRange): Promise<Readable> {
    try {
      const out = await this.client.send(
        new GetObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(key), ...(range && { Range: `bytes=${range.start}-${range.end}` }) }),
      );
      return out.Body as Readable;
    } catch (e) {
      if (isMissing(e)) throw new NotStored(key);
      throw e;
    }
  }

  async head(key: string): Promise<{ size: number } | undefined> {
    try {
      const out = await this.client.send(new HeadObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(key) }));
      return { size: Number(out.ContentLength ?? 0) };
    } catch (e) {
      if (isMissing(e)) return undefined;
      throw e;
    }
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.settings.bucket, Key: this.keyOf(key) }));
  }

  close(): void {
    this.client.destroy();
  }
}
