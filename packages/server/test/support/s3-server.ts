/**
 * A local S3-compatible server for the tests of the S3 file storage: s3rver (a dev dependency), run
 * in this process on 127.0.0.1 with a random port and a fresh directory, with one bucket. Its
 * credentials are s3rver's fixed ones; it checks request signatures like S3 does.
 */
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tempDir } from './helpers.js';
import type { S3Settings } from '../../src/files-storage/s3.js';

interface S3rverInstance {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverClass = new (options: Record<string, unknown>) => S3rverInstance;

// s3rver ships no types: its constructor and run/close are all the tests use.
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverClass;

export interface LocalS3 {
  settings: S3Settings;
  close(): Promise<void>;
}

export async function startLocalS3(bucket = 'switchboard-files'): Promise<LocalS3> {
  const dir = tempDir('sb-s3-');
  const server = new S3rver({ address: '127.0.0.1', port: 0, silent: true, directory: dir.path, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  return {
    settings: {
      endpoint: `http://127.0.0.1:${address.port}`,
      region: 'us-east-1',
      bucket,
      accessKeyId: 'S3RVER',
      secretAccessKey: 'S3RVER',
      forcePathStyle: true,
    },
    async close() {
      await server.close();
      dir.remove();
    },
  };
}
