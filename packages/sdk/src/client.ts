/**
 * A typed client for the `/v1` routes apps call (pumble-api.md §11), bound to one token: a bot
 * token, a user token, or (without `appKey`) a person's session token. Every route it uses is in
 * `ROUTES`, which a test checks against the live server's `/openapi.json` so the two cannot drift.
 */
import type { Block, View } from './blocks.js';
import type {
  Attachment,
  ChannelInfo,
  ChannelType,
  Message,
  OAuthTokens,
  ScheduledMessage,
  UserGroup,
  WorkspaceUser,
} from './types.js';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/** Every route the client calls: [method, path as /openapi.json spells it]. */
export const ROUTES = {
  getMessage: ['GET', '/v1/channels/{channelId}/messages/{messageId}'],
  listMessages: ['GET', '/v1/channels/{channelId}/messages'],
  postMessage: ['POST', '/v1/channels/{channelId}/messages'],
  postReply: ['POST', '/v1/channels/{channelId}/messages/{messageId}'],
  editMessage: ['PUT', '/v1/channels/{channelId}/messages/{messageId}'],
  deleteMessage: ['DELETE', '/v1/channels/{channelId}/messages/{messageId}'],
  deleteEphemeral: ['DELETE', '/v1/channels/{channelId}/messages/{messageId}/ephemeral'],
  listReplies: ['GET', '/v1/channels/{channelId}/messages/{messageId}/replies'],
  editAttachments: ['PUT', '/v1/channels/{channelId}/messages/{messageId}/attachments'],
  searchMessages: ['POST', '/v1/messages/search'],
  addReaction: ['POST', '/v1/messages/{messageId}/reactions'],
  removeReaction: ['DELETE', '/v1/messages/{messageId}/reactions'],
  listScheduled: ['GET', '/v1/messages/scheduled'],
  getScheduled: ['GET', '/v1/messages/scheduled/{id}'],
  createScheduled: ['POST', '/v1/messages/scheduled'],
  updateScheduled: ['PUT', '/v1/messages/scheduled/{id}'],
  deleteScheduled: ['DELETE', '/v1/messages/scheduled/{id}'],
  listChannels: ['GET', '/v1/channels'],
  getChannel: ['GET', '/v1/channels/{channelId}'],
  createChannel: ['POST', '/v1/channels'],
  addChannelUsers: ['POST', '/v1/channels/{channelId}/users'],
  removeChannelUser: ['DELETE', '/v1/channels/{channelId}/users/{userId}'],
  getDirect: ['GET', '/v1/channels/direct'],
  createDirect: ['POST', '/v1/channels/direct'],
  listUsers: ['GET', '/v1/workspaceUsers'],
  getUser: ['GET', '/v1/workspaceUsers/{userId}'],
  listGroups: ['GET', '/v1/workspaceUsers/groups'],
  setCustomStatus: ['PUT', '/v1/workspaceUsers/customStatus'],
  getWorkspace: ['GET', '/v1/workspace'],
  me: ['GET', '/oauth2/me'],
  publishHome: ['POST', '/v1/app/homeView/workspaceUsers/{workspaceUserId}'],
  completeInteraction: ['POST', '/v1/interactions/complete'],
  unauthorize: ['DELETE', '/v1/app/authorization'],
  uninstall: ['DELETE', '/v1/app/installation'],
  uploadToken: ['POST', '/v1/files/upload/token'],
  uploadFile: ['POST', '/upload/files'],
  uploadComplete: ['POST', '/v1/files/upload/complete'],
  exchangeCode: ['POST', '/oauth2/access'],
  deleteChannel: ['DELETE', '/v1/channels/{channelId}'],
  joinChannel: ['POST', '/v1/channels/{channelId}/join'],
  leaveChannel: ['POST', '/v1/channels/{channelId}/leave'],
  archiveChannel: ['POST', '/v1/channels/{channelId}/archive'],
  unarchiveChannel: ['POST', '/v1/channels/{channelId}/unarchive'],
  updateChannel: ['PATCH', '/v1/channels/{channelId}'],
  editScheduledAttachments: ['PUT', '/v1/messages/scheduled/{id}/attachments'],
  clearCustomStatus: ['DELETE', '/v1/workspaceUsers/customStatus'],
  downloadFile: ['GET', '/v1/files/{fileId}/{name}'],
  downloadThumbnail: ['GET', '/v1/files/{fileId}/thumbnail/{name}'],
  fileSignedUrl: ['POST', '/v1/files/{fileId}/signedUrl'],
  makeFilePublic: ['POST', '/v1/files/{fileId}/public'],
  channelFiles: ['GET', '/v1/channels/{channelId}/files'],
  userAvatar: ['GET', '/v1/workspaceUsers/{userId}/avatar/{avatarId}'],
  removeLinkPreviews: ['DELETE', '/v1/channels/{channelId}/messages/{messageId}/linkPreviews'],
  linkPreviewSetting: ['GET', '/v1/workspace/linkPreviews'],
  revokeFilePublic: ['DELETE', '/v1/files/{fileId}/public'],
  permanentCall: ['POST', '/v1/calls/permanent'],
} as const satisfies Record<string, readonly [Method, string]>;

export type RouteName = keyof typeof ROUTES;

export class SwitchboardApiError extends Error {
  constructor(
    readonly status: number,
    readonly method: string,
    readonly path: string,
    readonly body: { code?: number; message?: string; field?: string; errors?: Array<{ field: string; message: string }> } | undefined,
  ) {
    super(`${method} ${path} → ${status}${body?.message ? `: ${body.message}` : ''}`);
    this.name = 'SwitchboardApiError';
  }
}

export interface ClientOptions {
  /** the server's base URL, e.g. http://localhost:3000 (no trailing /v1) */
  baseUrl: string;
  /** a bot or user token (sent as `token`), or a person's session token */
  token: string;
  /** the app's key (sent as `x-app-token`); absent for a person's session */
  appKey?: string;
  /** attempts after a 429 before giving up (default 3) */
  maxRetries?: number;
  /** longest wait for one `Retry-After`, in ms (default 60 000) */
  maxRetryWaitMs?: number;
  fetch?: typeof fetch;
}

export interface MessageBody {
  text: string;
  blocks?: Block[];
  attachments?: Attachment[];
  files?: string[];
}

type Query = Record<string, string | number | boolean | undefined>;

/** Reads `Retry-After` (seconds or an HTTP date) as ms. */
export function retryAfterMs(value: string | null, now = Date.now()): number | undefined {
  if (!value) return undefined;
  if (/^\d+(\.\d+)?$/.test(value.trim())) return Math.round(Number(value) * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class SwitchboardClient {
  readonly baseUrl: string;
  private readonly fetchImpl: typeof fetch;

  constructor(readonly options: ClientOptions) {
    this.baseUrl = options.baseUrl.replace(/\/+$/, '');
    this.fetchImpl = options.fetch ?? fetch;
  }

  /** Calls one route of `ROUTES`; `params` fill the `{…}` of its path. 429s are retried after `Retry-After`. */
  async call<T = unknown>(
    route: RouteName,
    params: Record<string, string> = {},
    opts: { body?: unknown; query?: Query; headers?: Record<string, string>; form?: FormData; auth?: boolean; bytes?: boolean } = {},
  ): Promise<T> {
    const [method, template] = ROUTES[route];
    const path = template.replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = params[name];
      if (v === undefined) throw new Error(`${route}: missing ${name}`);
      return encodeURIComponent(v);
    });
    const qs = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.query ?? {})) if (v !== undefined) qs.set(k, String(v));
    const url = `${this.baseUrl}${path}${qs.size ? `?${qs}` : ''}`;
    const headers: Record<string, string> = { 'user-agent': 'switchboard-sdk/0.1', ...opts.headers };
    if (opts.auth !== false) {
      headers.token = this.options.token;
      if (this.options.appKey) headers['x-app-token'] = this.options.appKey;
    }
    let body: string | FormData | undefined;
    if (opts.form) body = opts.form;
    else if (opts.body !== undefined) {
      body = JSON.stringify(opts.body);
      headers['content-type'] = 'application/json';
    }
    const maxRetries = this.options.maxRetries ?? 3;
    for (let attempt = 0; ; attempt++) {
      const res = await this.fetchImpl(url, { method, headers, ...(body !== undefined && { body }) });
      // A file's bytes, as they are (a download).
      if (opts.bytes && res.ok) return new Uint8Array(await res.arrayBuffer()) as T;
      const text = await res.text();
      let parsed: unknown;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = text;
      }
      if (res.status === 429 && attempt < maxRetries) {
        const wait = retryAfterMs(res.headers.get('retry-after')) ?? 1000 * 2 ** attempt;
        await sleep(Math.min(wait, this.options.maxRetryWaitMs ?? 60_000));
        continue;
      }
      if (!res.ok) throw new SwitchboardApiError(res.status, method, path, typeof parsed === 'object' ? (parsed as SwitchboardApiError['body']) : { message: text });
      return parsed as T;
    }
  }

  // ---- messages ----------------------------------------------------------------------------------

  readonly messages = {
    get: (channelId: string, messageId: string) => this.call<Message>('getMessage', { channelId, messageId }),
    list: (channelId: string, q: { limit?: number; strategy?: 'BEFORE' | 'AROUND' | 'AFTER'; cursor?: string } = {}) =>
      this.call<{ messages: Message[]; hasMoreBefore: boolean; hasMoreAfter: boolean }>('listMessages', { channelId }, { query: q }),
    post: (channelId: string, body: MessageBody | string) => this.call<Message>('postMessage', { channelId }, { body: asBody(body) }),
    reply: (channelId: string, rootId: string, body: MessageBody | string) =>
      this.call<Message>('postReply', { channelId, messageId: rootId }, { body: asBody(body) }),
    /** An ephemeral message only `userIds` see; in a thread when `threadRootId` is given. */
    postEphemeral: (channelId: string, userIds: string[], body: MessageBody | string, threadRootId?: string) =>
      threadRootId
        ? this.call<Message>('postReply', { channelId, messageId: threadRootId }, { body: { ...asBody(body), ephemeral: { sendToUsers: userIds } } })
        : this.call<Message>('postMessage', { channelId }, { body: { ...asBody(body), ephemeral: { sendToUsers: userIds } } }),
    edit: (channelId: string, messageId: string, body: MessageBody | string) =>
      this.call<Message>('editMessage', { channelId, messageId }, { body: asBody(body) }),
    editAttachments: (channelId: string, messageId: string, attachments: Attachment[]) =>
      this.call<Message>('editAttachments', { channelId, messageId }, { body: { attachments } }),
    delete: (channelId: string, messageId: string) => this.call<void>('deleteMessage', { channelId, messageId }),
    /** Removes a message's link preview cards (the author's token): one by its `url`, or all. */
    removeLinkPreviews: (channelId: string, messageId: string, url?: string) => this.call<void>('removeLinkPreviews', { channelId, messageId }, { query: { url } }),
    /** Whether the workspace makes link preview cards of posted links. */
    linkPreviewSetting: () => this.call<{ enabled: boolean }>('linkPreviewSetting'),
    deleteEphemeral: (channelId: string, messageId: string, body: { deleteForUsers: string[]; threadRootId?: string }) =>
      this.call<void>('deleteEphemeral', { channelId, messageId }, { body }),
    replies: (channelId: string, rootId: string, q: { limit?: number; cursor?: string; strategy?: string } = {}) =>
      this.call<Message[]>('listReplies', { channelId, messageId: rootId }, { query: q }),
    search: (body: { text?: string; from?: string[]; in?: string[]; strategy?: string; beforeTs?: number; afterTs?: number; skip?: number; limit?: number }) =>
      this.call<{ content: Message[]; totalElements: number; hasMore: boolean }>('searchMessages', {}, { body }),
    addReaction: (messageId: string, code: string, skinTone?: number) =>
      this.call<void>('addReaction', { messageId }, { body: { code, ...(skinTone !== undefined && { skinTone }) } }),
    removeReaction: (messageId: string, code: string) => this.call<void>('removeReaction', { messageId }, { body: { code } }),
    scheduled: {
      list: (q: { channelId?: string; cursor?: string; limit?: number } = {}) =>
        this.call<{ scheduledMessages: ScheduledMessage[]; hasMore: boolean }>('listScheduled', {}, { query: q }),
      get: (id: string) => this.call<ScheduledMessage>('getScheduled', { id }),
      create: (body: MessageBody & { channelId: string; sendAt: number; recurrence?: Record<string, unknown> }) =>
        this.call<ScheduledMessage>('createScheduled', {}, { body }),
      update: (id: string, body: MessageBody & { channelId: string; sendAt: number }) => this.call<ScheduledMessage>('updateScheduled', { id }, { body }),
      editAttachments: (id: string, attachments: Attachment[]) => this.call<ScheduledMessage>('editScheduledAttachments', { id }, { body: { attachments } }),
      delete: (id: string) => this.call<void>('deleteScheduled', { id }),
    },
  };

  // ---- channels ----------------------------------------------------------------------------------

  readonly channels = {
    list: (types?: ChannelType[]) => this.call<ChannelInfo[]>('listChannels', {}, { query: { types: types?.join(',') } }),
    get: (channelId: string) => this.call<ChannelInfo>('getChannel', { channelId }),
    create: (body: { name: string; type?: 'PUBLIC' | 'PRIVATE'; description?: string }) => this.call<ChannelInfo>('createChannel', {}, { body }),
    addUsers: (channelId: string, userIds: string[]) =>
      this.call<{ channelId: string; addedUserIds: string[] }>('addChannelUsers', { channelId }, { body: { userIds } }),
    removeUser: (channelId: string, userId: string) => this.call<void>('removeChannelUser', { channelId, userId }),
    getDirect: (participantIds: string[]) => this.call<ChannelInfo>('getDirect', {}, { query: { participantIds: participantIds.join(',') } }),
    createDirect: (participantIds: string[]) => this.call<ChannelInfo>('createDirect', {}, { body: { participantIds } }),
    delete: (channelId: string) => this.call<void>('deleteChannel', { channelId }),
    join: (channelId: string) => this.call<ChannelInfo>('joinChannel', { channelId }),
    leave: (channelId: string) => this.call<void>('leaveChannel', { channelId }),
    archive: (channelId: string) => this.call<ChannelInfo>('archiveChannel', { channelId }),
    unarchive: (channelId: string) => this.call<ChannelInfo>('unarchiveChannel', { channelId }),
    /** Renames the channel or changes its description (extension; admins and the channel's creator, docs/pumble-api.md). */
    update: (channelId: string, body: { name?: string; description?: string }) => this.call<ChannelInfo>('updateChannel', { channelId }, { body }),
    /**
     * The DM between the caller and `userIds`, found or created: one `POST /v1/channels/direct`,
     * which answers the existing DM for the same people (docs/app-platform.md §11.2), so
     * `channels:write` is enough. Pumble's SDK GETs first (`channels:read`) and POSTs on a 404;
     * refused the POST, this GETs too, so an app with only `channels:read` still finds a DM that exists.
     */
    openDirect: async (callerId: string, userIds: string[]) => {
      const ids = [callerId, ...userIds.filter((u) => u !== callerId)];
      try {
        return await this.channels.createDirect(ids);
      } catch (err) {
        if (!(err instanceof SwitchboardApiError && err.status === 403)) throw err;
        return this.channels.getDirect(ids).catch(() => Promise.reject(err));
      }
    },
  };

  // ---- users and workspace ------------------------------------------------------------------------

  readonly users = {
    list: () => this.call<WorkspaceUser[]>('listUsers'),
    get: (userId: string) => this.call<WorkspaceUser>('getUser', { userId }),
    /** A user's avatar image (a 256 px WebP): the ids in their `avatar` paths. */
    avatar: (userId: string, avatarId: string) => this.call<Uint8Array>('userAvatar', { userId, avatarId }, { bytes: true }),
    groups: () => this.call<UserGroup[]>('listGroups'),
    setCustomStatus: (body: { code: string; status?: string; expiration?: string; expiresAt: number; pausedNotifications: boolean }) =>
      this.call<WorkspaceUser>('setCustomStatus', {}, { body }),
    clearCustomStatus: () => this.call<WorkspaceUser>('clearCustomStatus'),
    /** Who this token is: `{workspaceId, workspaceName, workspaceUserId, workspaceUserName}`. */
    me: () => this.call<{ workspaceId: string; workspaceName: string; workspaceUserId: string; workspaceUserName: string }>('me'),
  };

  readonly workspace = {
    get: () => this.call<{ id: string; name: string; [key: string]: unknown }>('getWorkspace'),
  };

  // ---- views, interactions, the app --------------------------------------------------------------

  readonly views = {
    /** Replaces `userId`'s home view of this app (20 a minute per person). */
    publishHome: (userId: string, view: Pick<View, 'blocks'> & { title?: View['title']; state?: View['state'] }) =>
      this.call<void>('publishHome', { workspaceUserId: userId }, { body: { blocks: view.blocks, ...(view.title && { title: view.title }), ...(view.state && { state: view.state }) } }),
  };

  readonly interactions = {
    /** Ends a loading state (§9.4); needs the interacting person's user token. */
    complete: (body: { triggerId: string; sourceType: string; sourceId: string; channelId?: string }) =>
      this.call<Record<string, never>>('completeInteraction', {}, { body }),
  };

  readonly calls = {
    /** Permanent call links (§11.2): this server answers 501, thrown as a SwitchboardApiError. */
    permanent: (body: Record<string, unknown> = {}) => this.call<unknown>('permanentCall', {}, { body }),
  };

  readonly app = {
    unauthorize: () => this.call<void>('unauthorize'),
    uninstall: () => this.call<void>('uninstall'),
  };

  // ---- files ----------------------------------------------------------------------------------------

  readonly files = {
    uploadToken: (filename: string, length: number) =>
      this.call<{ token: string; remoteProductToken: string }>('uploadToken', {}, { body: { filename, length } }),
    /** Uploads bytes with an upload token; answers what `complete` takes verbatim. */
    uploadBytes: (token: { token: string; remoteProductToken: string }, filename: string, data: Uint8Array, mimeType = 'application/octet-stream') => {
      const form = new FormData();
      form.set('file', new Blob([new Uint8Array(data)], { type: mimeType }), filename);
      return this.call<Record<string, unknown>>('uploadFile', {}, { form, auth: false, headers: { authtoken: token.token, 'Remote-Product-Token': token.remoteProductToken } });
    },
    complete: (uploaded: Record<string, unknown>) => this.call<{ id: string; path: string; name: string }>('uploadComplete', {}, { body: uploaded }),
    /** A file's bytes (a message's `files[].id` and `name`); `thumbnail` for an image's preview. */
    download: (fileId: string, name: string, variant: 'original' | 'thumbnail' = 'original') =>
      this.call<Uint8Array>(variant === 'thumbnail' ? 'downloadThumbnail' : 'downloadFile', { fileId, name }, { bytes: true }),
    /** A URL anyone holding it may GET for 5 minutes. */
    signedUrl: (fileId: string, thumbnail = false) => this.call<{ url: string; expiresAt: number }>('fileSignedUrl', { fileId }, { body: { thumbnail } }),
    /** The files of a channel's messages, newest first; pass `nextCursor` back as `cursor` for the next page. */
    inChannel: (channelId: string, q: { cursor?: string; limit?: number } = {}) =>
      this.call<{ files: ChannelFile[]; nextCursor?: string }>('channelFiles', { channelId }, { query: q }),
    makePublic: (fileId: string) => this.call<{ publicPath: string }>('makeFilePublic', { fileId }),
    revokePublic: (fileId: string) => this.call<void>('revokeFilePublic', { fileId }),
    /** The trio in one: returns the file id to put in a message's `files`. */
    upload: async (filename: string, data: Uint8Array, mimeType?: string) => {
      const token = await this.files.uploadToken(filename, data.byteLength);
      const uploaded = await this.files.uploadBytes(token, filename, data, mimeType);
      return this.files.complete(uploaded);
    },
  };
}

/** One file of `files.inChannel`: the file and the message that carries it. */
export interface ChannelFile {
  file: { id: string; name: string; path: string; size: number; mimeType: string; width?: number; height?: number };
  messageId: string;
  author: string;
  timestamp: string;
  timestampMilli: number;
  threadRootId?: string;
}

function asBody(body: MessageBody | string): MessageBody {
  return typeof body === 'string' ? { text: body } : body;
}

/** `POST /oauth2/access` as the SDK sends it (multipart). */
export async function exchangeCode(baseUrl: string, input: { clientId: string; clientSecret: string; code: string }, fetchImpl: typeof fetch = fetch): Promise<OAuthTokens> {
  const form = new FormData();
  form.set('client-id', input.clientId);
  form.set('client-secret', input.clientSecret);
  form.set('code', input.code);
  const client = new SwitchboardClient({ baseUrl, token: '', fetch: fetchImpl });
  return client.call<OAuthTokens>('exchangeCode', {}, { form, auth: false });
}
