/**
 * Bench phase "upload" (issue #14 item 7 (f)): the throughput of one 50 MB upload through
 * `POST /v1/files` — HTTP, authentication, multipart parsing, the type sniffed from the first bytes,
 * the bytes streamed into the disk storage (a temporary file renamed into place), the row written —
 * beside a bare streaming write to disk: a plain `node:http` server in this process that pipes the
 * very same multipart request body into a file, and answers when it is written.
 *
 * Both sides get the same bytes from the same client (a file on disk streamed into `http.request`
 * with a Content-Length, one request at a time); each side runs `runs` times after one unmeasured
 * warm-up and reports the median. `ratios.uploadVsBareDisk` = Switchboard MB/s ÷ bare MB/s.
 * The payload is random bytes (no image work: thumbnails are for raster images only).
 *
 * `npm run bench` runs it after the other phases; `BENCH_ONLY=upload npm run bench` runs it alone.
 */
import { createReadStream, createWriteStream, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { pipeline } from 'node:stream/promises';
import { performance } from 'node:perf_hooks';

export const UPLOAD_SETTINGS = {
  /** the file: 50 MB */
  bytes: Number(process.env.BENCH_UPLOAD_BYTES ?? 50 * 1024 * 1024),
  /** measured uploads per side, after one warm-up */
  runs: Number(process.env.BENCH_UPLOAD_RUNS ?? 3),
};
/** The most this phase takes with its set-up (the bench's overall deadline grows by it). */
export const UPLOAD_PHASE_BUDGET_MS = 20_000;
/** Switchboard ÷ bare: the upload path may cost at most half the throughput of a bare write. */
export const UPLOAD_GOAL = 0.5;

const OWNER = { email: 'owner@upload.bench.invalid', password: 'bench-upload-owner-password' };
const BOUNDARY = '----switchboard-bench-upload';

export interface UploadSide {
  /** median of the measured runs */
  megabytesPerSec: number;
  /** median wall time of one upload, request start → answer */
  seconds: number;
  runs: number[];
}

export interface UploadBench {
  settings: typeof UPLOAD_SETTINGS;
  switchboard: UploadSide;
  bareDisk: UploadSide;
  uploadVsBareDisk: number;
}

const round = (x: number, d = 2) => Math.round(x * 10 ** d) / 10 ** d;
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** One multipart upload of `file` (streamed from disk) to `url`; resolves with the answer. */
function upload(url: string, file: string, headers: Record<string, string>): Promise<{ status: number; text: string }> {
  const head = Buffer.from(`--${BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="bench.bin"\r\nContent-Type: application/octet-stream\r\n\r\n`);
  const tail = Buffer.from(`\r\n--${BOUNDARY}--\r\n`);
  const length = head.length + statSync(file).size + tail.length;
  return new Promise((resolve, reject) => {
    const req = http.request(url, {
      method: 'POST',
      headers: { ...headers, 'content-type': `multipart/form-data; boundary=${BOUNDARY}`, 'content-length': String(length) },
    });
    req.on('error', reject);
    req.on('response', (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
    });
    req.write(head);
    const body = createReadStream(file);
    body.on('error', reject);
    body.on('end', () => req.end(tail));
    body.pipe(req, { end: false });
  });
}

async function measure(name: string, once: () => Promise<void>, bytes: number, runs: number, log: (...a: unknown[]) => void): Promise<UploadSide> {
  await once();
  const seconds: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    await once();
    seconds.push((performance.now() - t0) / 1000);
  }
  const s = median(seconds);
  const side = { megabytesPerSec: round(bytes / 1e6 / s), seconds: round(s, 3), runs: seconds.map((x) => round(bytes / 1e6 / x)) };
  log(`    ${name}: ${side.megabytesPerSec} MB/s (median of ${runs}; ${side.runs.join(', ')})`);
  return side;
}

/** The bare side: a node:http server that streams each request body into a new file. */
async function bareDiskServer(dir: string): Promise<{ url: string; close(): Promise<void> }> {
  let n = 0;
  const server = http.createServer((req, res) => {
    pipeline(req, createWriteStream(join(dir, `bare-${n++}.bin`))).then(
      () => res.writeHead(200, { 'content-type': 'application/json' }).end('{}'),
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/upload`, close: () => new Promise((r) => server.close(() => r())) };
}

export async function uploadBench(o: {
  dir: string;
  startServer(env: Record<string, string>): Promise<{ url: string; stop(): Promise<void> }>;
  log: (...a: unknown[]) => void;
}): Promise<UploadBench> {
  const { bytes, runs } = UPLOAD_SETTINGS;
  const file = join(o.dir, 'payload.bin');
  writeFileSync(file, randomBytes(bytes));
  const server = await o.startServer({
    DATABASE_URL: `sqlite:${join(o.dir, 'upload.db')}`,
    SWITCHBOARD_DATA_DIR: o.dir,
    LOG_LEVEL: 'warn',
    SWITCHBOARD_ADMIN_EMAIL: OWNER.email,
    SWITCHBOARD_ADMIN_PASSWORD: OWNER.password,
    FILE_MAX_BYTES: String(bytes + 1024 * 1024),
  });
  const bare = await bareDiskServer(o.dir);
  try {
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(OWNER) });
    if (login.status !== 200) throw new Error(`login failed: ${login.status} ${await login.text()}`);
    const { token } = (await login.json()) as { token: string };
    const sbOnce = async () => {
      const r = await upload(`${server.url}/v1/files`, file, { authorization: `Bearer ${token}` });
      if (r.status !== 200) throw new Error(`upload failed: ${r.status} ${r.text}`);
      if ((JSON.parse(r.text) as { size: number }).size !== bytes) throw new Error(`upload stored the wrong size: ${r.text}`);
    };
    const bareOnce = async () => {
      const r = await upload(bare.url, file, {});
      if (r.status !== 200) throw new Error(`bare upload failed: ${r.status}`);
    };
    const switchboard = await measure('Switchboard POST /v1/files', sbOnce, bytes, runs, o.log);
    const bareDisk = await measure('bare http → disk', bareOnce, bytes, runs, o.log);
    return { settings: UPLOAD_SETTINGS, switchboard, bareDisk, uploadVsBareDisk: round(switchboard.megabytesPerSec / bareDisk.megabytesPerSec, 3) };
  } finally {
    await bare.close();
    await server.stop();
  }
}

/** The phase's rows of the results table. */
export function uploadRows(u: UploadBench, goal: number): string[] {
  const met = u.uploadVsBareDisk >= goal ? 'met' : 'not met';
  return [
    `| **(upload) ${round(u.settings.bytes / 2 ** 20, 1)} MiB upload, MB/s** (bare: \`node:http\` piping the same body to a file) | ${u.switchboard.megabytesPerSec} | ${u.bareDisk.megabytesPerSec} | **${u.uploadVsBareDisk.toFixed(2)}** (goal ≥ ${goal.toFixed(2)}: ${met}) |`,
    `| (upload) seconds per upload (median of ${u.switchboard.runs.length}) | ${u.switchboard.seconds} | ${u.bareDisk.seconds} | |`,
  ];
}
