/**
 * Files on the wire (docs/pumble-app-platform.md §11.2; docs/web-client.md §6.7): the app flow's
 * token and complete, a person's streamed upload, downloads (with Range), signed URLs, public links,
 * editAttachments and `calls/permanent`. Two plugins: `fileRoutes` inside `/v1`'s authentication,
 * and `fileTransferRoutes` for what carries its own credential — the upload of the app flow
 * (`authtoken`, at `{PUMBLE_FILEUPLOAD_URL}/upload/files`: this server's base URL), signed URLs and
 * public links.
 *
 * Every file response is safe to open: the sniffed type, `X-Content-Type-Options: nosniff`, a
 * sandboxing Content-Security-Policy, and `Content-Disposition: attachment` for anything but raster
 * images, video and audio — never SVG or HTML in place.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyReply, FastifyRequest } from 'fastify';
import multipart from '@fastify/multipart';
import { Transform, type Readable } from 'node:stream';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { CHANNEL_FILES_PAGE, MAX_CHANNEL_FILES_PAGE, type FileContent, type IncomingFile } from '../../../domain/files.js';
import type { StoredFile } from '../../../domain/ports/files.js';
import { NotStored, type ByteRange } from '../../../domain/ports/file-storage.js';
import { invalid, notFound } from '../../../domain/errors.js';
import { ErrorRef, errorBody } from '../../http/errors.js';
import { sessionSecurity } from '../authenticate.js';
import { presentFiles, presentMessage } from './present.js';
import { AttachmentsInput, Empty, IdParam, MessageParams, ref, responses } from './schemas.js';

/** What a multipart body may add around its one file: boundaries, part headers, a few small fields. */
const MULTIPART_OVERHEAD = 64 * 1024;

const FileParams = Type.Object({ fileId: IdParam, name: Type.String({ maxLength: 1024 }) });
const SignedQuery = Type.Object({ expires: Type.Optional(Type.String({ maxLength: 20 })), signature: Type.Optional(Type.String({ maxLength: 100 })) });

/** §11.2 FileData (decision), as the upload answers it. */
const FileData = Type.Object(
  {
    path: Type.String(),
    name: Type.String(),
    size: Type.Number(),
    mimeType: Type.String(),
    width: Type.Optional(Type.Number()),
    height: Type.Optional(Type.Number()),
    requestedFileUploadId: Type.String(),
  },
  { additionalProperties: true },
);

/** A person's upload, as the web client gets it back: the FileRef, and the thumbnail's URL for images. */
const UploadedFile = Type.Object({
  id: Type.String(),
  name: Type.String(),
  path: Type.String(),
  size: Type.Number(),
  mimeType: Type.String(),
  width: Type.Optional(Type.Number()),
  height: Type.Optional(Type.Number()),
  thumbnailPath: Type.Optional(Type.String()),
});

/** A channel's files gallery page (docs/web-client.md §6.7): each file with the message that holds it. */
const ChannelFilesPage = Type.Object({
  files: Type.Array(
    Type.Object({
      file: Type.Object(
        { id: Type.String(), name: Type.String(), path: Type.String(), size: Type.Number(), mimeType: Type.String(), width: Type.Optional(Type.Number()), height: Type.Optional(Type.Number()) },
        { description: 'the FileRef (docs/pumble-app-platform.md §12.1)' },
      ),
      messageId: Type.String(),
      author: Type.String({ description: "the message's author" }),
      timestamp: Type.String({ format: 'date-time', description: 'when the message was posted' }),
      timestampMilli: Type.Number(),
      threadRootId: Type.Optional(Type.String({ description: 'set when the message is a thread reply' })),
    }),
  ),
  nextCursor: Type.Optional(Type.String({ description: 'absent on the last page' })),
});

/**
 * A multipart body the parser cannot read (no boundary, a broken part, a body that ends early) is the
 * client's mistake: 400 with the parser's reason, unless the error says its own 4xx (413 limits).
 */
function unreadable(e: unknown): Error {
  const err = e as Error & { statusCode?: number };
  if (typeof err.statusCode === 'number' && err.statusCode >= 400 && err.statusCode < 500) return err;
  return invalid('file', `the multipart body cannot be read (${err.message ?? 'unknown error'})`);
}

/** An error answered with a status of its own (413) by the shared error handler. */
function tooLarge(maxBytes: number): Error & { statusCode: number } {
  return Object.assign(new Error(`The file is larger than the limit of ${maxBytes} bytes`), { statusCode: 413 });
}

/**
 * 413 before a byte of the body is read when Content-Length already says it is too large, and the
 * connection closed after it, so the client's body is not read either (issue #14).
 */
export function refuseOversizedBodies(maxBytes: number) {
  return async (request: FastifyRequest, reply: FastifyReply) => {
    const length = Number(request.headers['content-length']);
    if (Number.isFinite(length) && length > maxBytes + MULTIPART_OVERHEAD) {
      reply.header('connection', 'close');
      return reply.code(413).send(errorBody(413, `The file is larger than the limit of ${maxBytes} bytes`, [{ field: 'file', message: `must be at most ${maxBytes} bytes` }]));
    }
  };
}

/**
 * The multipart field `file` (§11.2: the SDK's FormData `file`), as a stream that fails with 413
 * past the limit — busboy only truncates — and with the request's own error when the client goes away.
 */
export async function filePart(request: FastifyRequest, maxBytes: number): Promise<IncomingFile> {
  if (!request.isMultipart()) throw invalid('file', 'the body must be multipart/form-data with the file in the field `file`');
  const part = await request.file({ limits: { fileSize: maxBytes + 1, files: 1, parts: 20, fieldSize: 64 * 1024 } }).catch((e: unknown) => {
    throw unreadable(e);
  });
  if (!part) throw invalid('file', 'the multipart body has no file');
  if (part.fieldname !== 'file') {
    part.file.resume();
    throw invalid('file', `the file must be in the field \`file\` (got \`${part.fieldname}\`)`);
  }
  let bytes = 0;
  const guarded = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      bytes += chunk.length;
      if (bytes > maxBytes) done(tooLarge(maxBytes));
      else done(null, chunk);
    },
  });
  part.file.on('limit', () => guarded.destroy(tooLarge(maxBytes)));
  part.file.on('error', (e) => guarded.destroy(unreadable(e)));
  part.file.pipe(guarded);
  return { filename: part.filename, stream: guarded as Readable };
}

/**
 * `Range: bytes=…` (RFC 9110 §14): one range, `start-end`, `start-` or `-suffix`. Several ranges or
 * a malformed header are ignored (the whole file, 200), as the RFC allows; a range that starts past
 * the end is unsatisfiable (416).
 */
export function parseRange(header: string | undefined, size: number): ByteRange | 'unsatisfiable' | undefined {
  if (!header) return undefined;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return size === 0 ? 'unsatisfiable' : { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (start >= size) return 'unsatisfiable';
  if (end < start) return undefined;
  return { start, end };
}

/** `attachment` or `inline`, with an ASCII fallback name and the exact one (RFC 6266, RFC 8187). */
export function contentDisposition(kind: 'inline' | 'attachment', name: string): string {
  const fallback = name.replace(/[^\x20-\x7e]/g, '_').replace(/["\\]/g, '_');
  const exact = encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${kind}; filename="${fallback}"; filename*=UTF-8''${exact}`;
}

/** The bytes with the headers that make them safe to open (see the file's head). */
async function sendContent(request: FastifyRequest, reply: FastifyReply, content: FileContent, cache: string) {
  const range = parseRange(request.headers.range, content.size);
  reply.header('x-content-type-options', 'nosniff');
  // A file is never a page: no script, no plugin, no form, no same-origin access, whatever it holds.
  reply.header('content-security-policy', "sandbox; default-src 'none'; img-src 'self' data:; media-src 'self'; style-src 'unsafe-inline'");
  reply.header('content-disposition', contentDisposition(content.inline ? 'inline' : 'attachment', content.name));
  reply.header('accept-ranges', 'bytes');
  reply.header('cache-control', cache);
  if (range === 'unsatisfiable') {
    reply.header('content-range', `bytes */${content.size}`);
    return reply.code(416).type('application/json').send(errorBody(416, `The range is outside the file's ${content.size} bytes`));
  }
  let stream: Readable;
  try {
    stream = await content.open(range);
  } catch (e) {
    if (e instanceof NotStored) throw notFound('File');
    throw e;
  }
  reply.type(content.mimeType);
  if (range) {
    reply.code(206);
    reply.header('content-range', `bytes ${range.start}-${range.end}/${content.size}`);
    reply.header('content-length', String(range.end - range.start + 1));
  } else {
    reply.header('content-length', String(content.size));
  }
  return reply.send(stream);
}

function presentUploaded(core: Core, f: StoredFile) {
  return { ...core.files.ref(f), ...(f.thumbnail && { thumbnailPath: core.files.downloadUrl(f, 'thumbnail') }) };
}

/** The routes inside `/v1`'s authentication (server.ts registers this in the `/v1` scope). */
export const fileRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['files'];
  const security = sessionSecurity;
  const maxBytes = core.files.maxBytes;
  // Multipart for this plugin's routes only; the body limit is the file limit, checked on the stream.
  await app.register(multipart, { limits: { fileSize: maxBytes + 1 } });

  app.post(
    '/v1/files/upload/token',
    {
      config: { scope: 'files:write' },
      schema: {
        tags,
        security,
        summary: 'An upload token for one file of this name and length (single use, 10 minutes)',
        body: Type.Object({ filename: Type.String({ minLength: 1, maxLength: 255 }), length: Type.Integer({ minimum: 0 }) }),
        response: responses({ 200: Type.Object({ token: Type.String(), remoteProductToken: Type.String() }) }),
      },
    },
    async (request) => core.files.uploadToken(request.user, request.app?.appId, request.body),
  );

  app.post(
    '/v1/files/upload/complete',
    {
      config: { scope: 'files:write' },
      schema: {
        tags,
        security,
        summary: 'Complete an upload: send the upload response verbatim; its `id` goes into a message\'s `files`',
        body: Type.Object({ original: FileData, thumbs: Type.Array(FileData), signature: Type.String() }, { additionalProperties: true }),
        response: responses({ 200: Type.Object({ id: Type.String(), path: Type.String(), name: Type.String() }) }),
      },
    },
    async (request) => core.files.complete(request.user, request.body),
  );

  app.get(
    '/v1/files/limits',
    {
      config: { scope: 'people' },
      schema: {
        tags,
        security,
        summary: 'The upload limits, so a client refuses a too-large file before sending a byte (web client; extension)',
        response: responses({ 200: Type.Object({ maxBytes: Type.Integer({ description: 'FILE_MAX_BYTES: larger uploads answer 413' }) }) }),
      },
    },
    async () => ({ maxBytes }),
  );

  app.post(
    '/v1/files',
    {
      config: { scope: 'people' },
      onRequest: refuseOversizedBodies(maxBytes),
      schema: {
        tags,
        security,
        summary: `Upload a file (multipart/form-data, field \`file\`; at most FILE_MAX_BYTES): its id goes into a message's \`files\``,
        consumes: ['multipart/form-data'],
        response: responses({ 200: UploadedFile }),
      },
    },
    async (request) => presentUploaded(core, await core.files.upload(request.user, await filePart(request, maxBytes))),
  );

  const download = (variant: FileContent['variant']) => async (request: FastifyRequest<{ Params: { fileId: string } }>, reply: FastifyReply) =>
    sendContent(request, reply, await core.files.open(request.user, request.params.fileId, variant), 'private, max-age=300');

  app.get(
    '/v1/files/:fileId/:name',
    {
      config: { scope: 'messages:read' },
      schema: { tags, security, summary: 'Download a file of a message you can see (Range requests answer 206)', params: FileParams },
    },
    download('original'),
  );

  app.get(
    '/v1/files/:fileId/thumbnail/:name',
    {
      config: { scope: 'messages:read' },
      schema: { tags, security, summary: "An image's thumbnail (WebP)", params: FileParams },
    },
    download('thumbnail'),
  );

  app.post(
    '/v1/files/:fileId/signedUrl',
    {
      config: { scope: 'messages:read' },
      schema: {
        tags,
        security,
        summary: 'A URL that downloads the file without credentials for a few minutes (for <img src> and download links)',
        params: Type.Object({ fileId: IdParam }),
        body: Type.Optional(Type.Object({ thumbnail: Type.Optional(Type.Boolean()) })),
        response: responses({ 200: Type.Object({ url: Type.String(), expiresAt: Type.Number() }) }),
      },
    },
    async (request) => core.files.signedUrl(request.user, request.params.fileId, request.body?.thumbnail ? 'thumbnail' : 'original'),
  );

  app.post(
    '/v1/files/:fileId/public',
    {
      config: { scope: 'files:write' },
      schema: {
        tags,
        security,
        summary: 'A public, unguessable link to a file you can see (the same one until revoked)',
        params: Type.Object({ fileId: IdParam }),
        response: responses({ 200: Type.Object({ publicPath: Type.String() }) }),
      },
    },
    async (request) => core.files.makePublic(request.user, request.params.fileId),
  );

  app.delete(
    '/v1/files/:fileId/public',
    {
      config: { scope: 'files:write' },
      schema: { tags, security, summary: "Revoke a file's public link (its uploader or an admin)", params: Type.Object({ fileId: IdParam }), response: responses({ 200: Empty }) },
    },
    async (request, reply) => {
      await core.files.revokePublic(request.user, request.params.fileId);
      return reply.code(200).send(undefined);
    },
  );

  app.get(
    '/v1/channels/:channelId/files',
    {
      config: { scope: 'messages:read' },
      schema: {
        tags,
        security,
        summary: "Extension: the files of a channel's messages, newest first, in pages (`nextCursor` → `cursor`); for whoever may read its history",
        params: Type.Object({ channelId: IdParam }),
        querystring: Type.Object({
          cursor: Type.Optional(Type.String({ maxLength: 100, description: 'the nextCursor of the previous page' })),
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_CHANNEL_FILES_PAGE, default: CHANNEL_FILES_PAGE })),
        }),
        response: responses({ 200: ChannelFilesPage }),
      },
    },
    async (request) => {
      const page = await core.files.channelFiles(request.user, request.params.channelId, request.query);
      return {
        files: page.files.map((f) => ({
          file: presentFiles([f.file])[0]!,
          messageId: f.messageId,
          author: f.authorId,
          timestamp: new Date(f.postedAt).toISOString(),
          timestampMilli: f.postedAt,
          ...(f.threadRootId !== null && { threadRootId: f.threadRootId }),
        })),
        ...(page.nextCursor !== null && { nextCursor: page.nextCursor }),
      };
    },
  );

  app.put(
    '/v1/channels/:channelId/messages/:messageId/attachments',
    {
      config: { scope: 'attachments:write' },
      schema: {
        tags: ['messages'],
        security,
        summary: "Replace a message's attachments (its author or an admin); text, blocks and files stay",
        params: MessageParams,
        body: Type.Object({ attachments: AttachmentsInput }),
        response: responses({ 200: ref('Message') }),
      },
    },
    async (request) =>
      presentMessage(await core.messages.editAttachments(request.user, request.params.channelId, request.params.messageId, request.body.attachments)),
  );

  // §11.2: "501 if calls are disabled on the server" — Switchboard has no calls.
  app.post(
    '/v1/calls/permanent',
    {
      config: { scope: 'calls:write' },
      schema: { tags: ['calls'], security, summary: 'Permanent call links: not available (calls are disabled on this server)', response: { ...responses({}), 501: ErrorRef } },
    },
    async (_request, reply) => reply.code(501).send(errorBody(501, 'Calls are disabled on this server: Switchboard does not host calls')),
  );
};

/**
 * The routes that carry their own credential, outside `/v1`'s authentication: the app flow's upload
 * (`POST /upload/files`, PUMBLE_FILEUPLOAD_URL being this server's base URL), signed URLs, public links.
 */
export const fileTransferRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['files'];
  const maxBytes = core.files.maxBytes;
  await app.register(multipart, { limits: { fileSize: maxBytes + 1 } });

  app.post(
    '/upload/files',
    {
      onRequest: refuseOversizedBodies(maxBytes),
      schema: {
        tags,
        summary: 'The app flow\'s upload (§11.2): multipart field `file`, headers `authtoken` (the upload token) and `Remote-Product-Token`',
        consumes: ['multipart/form-data'],
        headers: Type.Object({ authtoken: Type.Optional(Type.String({ maxLength: 200 })), 'remote-product-token': Type.Optional(Type.String({ maxLength: 200 })) }),
        response: responses({ 200: Type.Object({ original: FileData, thumbs: Type.Array(FileData), signature: Type.String() }) }),
      },
    },
    async (request) => {
      const token = request.headers.authtoken as string | undefined;
      const productToken = request.headers['remote-product-token'] as string | undefined;
      // The token is checked before the body is read: a bad one is refused without taking the file.
      return core.files.receiveAppUpload({ token, productToken }, () => filePart(request, maxBytes));
    },
  );

  const signed = (variant: FileContent['variant']) => async (request: FastifyRequest<{ Params: { fileId: string }; Querystring: { expires?: string; signature?: string } }>, reply: FastifyReply) =>
    sendContent(request, reply, await core.files.openSigned(request.params.fileId, variant, request.query.expires, request.query.signature), 'private, max-age=60');

  app.get('/files/:fileId/:name', { schema: { tags, summary: 'Download through a signed URL (POST /v1/files/{id}/signedUrl)', params: FileParams, querystring: SignedQuery } }, signed('original'));
  app.get('/files/:fileId/thumbnail/:name', { schema: { tags, summary: "A thumbnail through a signed URL", params: FileParams, querystring: SignedQuery } }, signed('thumbnail'));

  app.get(
    '/files/public/:token/:name',
    { schema: { tags, summary: 'A file through its public link (makeFilePublic)', params: Type.Object({ token: Type.String({ maxLength: 200 }), name: Type.String({ maxLength: 1024 }) }) } },
    // Revocable: a link must stop working at once, so no shared cache may keep the file.
    async (request, reply) => sendContent(request, reply, await core.files.openPublic(request.params.token), 'private, no-cache'),
  );
};
