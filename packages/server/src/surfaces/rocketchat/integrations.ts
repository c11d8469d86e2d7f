/**
 * `integrations.*` (docs/integrations.md §6): schemas as upstream (a create body of the wrong shape is
 * `invalid-params`; its `type` is matched unanchored, so `webhook-incoming-invalid` passes the schema
 * and the service answers "Invalid integration type."), then core.integrations decides.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type, type TSchema } from 'typebox';
import type { Core } from '../../domain/index.js';
import { INCOMING, OUTGOING, type IntegrationDoc } from '../../domain/integrations/document.js';
import { plainError } from '../../domain/integrations/errors.js';
import { ok, rcResponses, rcSecurity } from './envelope.js';
import { page, paging, PaginationQuery } from './pagination.js';
import { RefusalLog } from '../../outbound/ssrf.js';

const S = Type.String();
const B = Type.Boolean();
const opt = <T extends TSchema>(t: T) => Type.Optional(t);

/** Fields both directions share, beyond the required ones. */
const common = {
  script: opt(S),
  alias: opt(S),
  avatar: opt(S),
  emoji: opt(S),
  scriptEngine: opt(Type.String({ description: "'isolated-vm'; 'vm2' is accepted and stored as 'isolated-vm'" })),
  skipTranspile: opt(Type.Boolean({ description: 'extension (§9.4): run the script without the class transpilation' })),
};

const incomingFields = {
  type: Type.String({ pattern: INCOMING, description: 'webhook-incoming' }),
  username: Type.String({ description: 'the post-as user' }),
  channel: Type.String({ description: 'comma-separated #room / @user' }),
  scriptEnabled: B,
  name: S,
  enabled: B,
  overrideDestinationChannelEnabled: opt(B),
  ...common,
};

const outgoingFields = {
  type: Type.String({ pattern: OUTGOING, description: 'webhook-outgoing' }),
  username: Type.String({ description: 'the post-as user of replies' }),
  channel: Type.String({ description: "comma-separated #room / @user / all_public_channels…; may be '' for events without a channel" }),
  event: Type.String({ description: 'sendMessage, fileUploaded, roomArchived, roomCreated, roomJoined, roomLeft, userCreated' }),
  scriptEnabled: B,
  name: S,
  enabled: B,
  targetRoom: opt(S),
  urls: opt(Type.Array(Type.String({ minLength: 1 }))),
  triggerWords: opt(Type.Array(S)),
  triggerWordAnywhere: opt(B),
  token: opt(S),
  runOnEdits: opt(B),
  retryFailedCalls: opt(B),
  retryCount: opt(Type.Number()),
  retryDelay: opt(S),
  impersonateUser: opt(B),
  ...common,
};

const CreateBody = {
  oneOf: [
    Type.Object(incomingFields, { additionalProperties: false, title: 'incoming' }),
    Type.Object(outgoingFields, { additionalProperties: false, title: 'outgoing' }),
  ],
};

const UpdateBody = {
  oneOf: [
    Type.Object({ integrationId: S, ...incomingFields, username: opt(incomingFields.username) }, { additionalProperties: true, title: 'incoming' }),
    Type.Object(
      {
        integrationId: opt(S),
        target_url: opt(Type.String({ description: 'instead of integrationId: matches any of the urls' })),
        rotateWebhookSecret: opt(Type.Boolean({ description: 'extension: a new webhookSecret; the old one signs 24 h more' })),
        ...outgoingFields,
      },
      { additionalProperties: false, title: 'outgoing' },
    ),
  ],
};

const RemoveBody = {
  oneOf: [
    Type.Object({ type: Type.Literal(INCOMING), integrationId: S }, { additionalProperties: false, title: 'incoming' }),
    Type.Object({ type: Type.Literal(OUTGOING), integrationId: opt(S), target_url: opt(S) }, { additionalProperties: false, title: 'outgoing' }),
  ],
};

const ListQuery = Type.Object({
  ...PaginationQuery,
  name: opt(Type.String({ description: 'case-insensitive substring of the name' })),
  type: opt(Type.String({ description: 'webhook-incoming or webhook-outgoing' })),
});

const HistoryQuery = Type.Object({ id: Type.String({ minLength: 1, description: 'the integration id' }), ...PaginationQuery });

/** As upstream's `IntegrationsClearHistoryProps` / `IntegrationsReplayProps`: non-empty ids, nothing else. */
const Id = Type.String({ minLength: 1 });
const ClearHistoryBody = Type.Object({ integrationId: Id }, { additionalProperties: false });
const ReplayBody = Type.Object({ integrationId: Id, historyId: Id }, { additionalProperties: false });

const LIST_SORTABLE = ['_createdAt', '_updatedAt', 'name', 'type'] as const;
const HISTORY_SORTABLE = ['_createdAt', '_updatedAt'] as const;

/** The document as clients see it (§4: `scriptCompiled` never leaves the server; the previous secret neither). */
function publicIntegration(doc: IntegrationDoc, opts: { withSecret?: boolean } = {}): Record<string, unknown> {
  const { scriptCompiled: _c, previousWebhookSecret: _p, previousWebhookSecretUntil: _u, webhookSecret, ...rest } = doc;
  return { ...rest, ...(opts.withSecret && webhookSecret !== undefined && { webhookSecret }) };
}

/** Every caller who gets a document back was allowed to manage it, so outgoing ones come with their signing key (§4). */
const shown = (doc: IntegrationDoc) => publicIntegration(doc, { withSecret: true });

export const integrationRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['rocket.chat integrations'];
  const security = rcSecurity;
  const auth = { auth: true } as const;
  const integrations = core.integrations;

  // Extension: saved with a URL the outbound policy will refuse, or one that is no http(s) URL at
  // all (which upstream saves too), the integration is saved, the answer says why its calls will
  // fail (`warnings`), and the server log says so once per integration, URL and reason — rather
  // than the receiver just never hearing anything.
  const refusals = new RefusalLog();
  const saved = (request: FastifyRequest, doc: IntegrationDoc) => {
    const warnings = integrations.outboundWarnings(doc);
    for (const w of warnings) refusals.warnOnce(request.log, { kind: 'integration', id: doc._id }, w);
    return ok({ integration: shown(doc), ...(warnings.length > 0 && { warnings }) });
  };
  const savedNote = `${security.description} Extension: \`warnings\` ({field, url, reason, message, setting}) lists URLs that will not be called: refused by the outbound policy, or no http(s) URL at all (reason \`invalid-url\`).`;

  app.post(
    '/integrations.create',
    {
      config: { rocketChat: auth },
      schema: {
        tags,
        ...security,
        summary: 'Create an incoming or outgoing integration → {integration, warnings?}',
        description: savedNote,
        body: Type.Unsafe<Record<string, unknown>>(CreateBody),
        response: rcResponses(),
      },
    },
    async (request) => saved(request, await integrations.create(request.user, request.body)),
  );

  app.put(
    '/integrations.update',
    {
      config: { rocketChat: auth },
      schema: {
        tags,
        ...security,
        summary: 'Update an integration; an incoming token never changes → {integration, warnings?}',
        description: savedNote,
        body: Type.Unsafe<Record<string, unknown>>(UpdateBody),
        response: rcResponses(),
      },
    },
    // §6.2: over REST an outgoing update carries its token, as upstream's (error-invalid-token).
    async (request) => saved(request, await integrations.update(request.user, request.body, { requireToken: true })),
  );

  app.get(
    '/integrations.get',
    {
      config: { rocketChat: auth },
      schema: {
        tags,
        ...security,
        summary: 'One integration → {integration}',
        querystring: Type.Object({ integrationId: S, createdBy: opt(Type.String({ description: 'only when this user created it' })) }),
        response: rcResponses(),
      },
    },
    async (request) => {
      const { integrationId, createdBy } = request.query;
      return ok({ integration: shown(await integrations.get(request.user, { integrationId, ...(createdBy !== undefined && { createdBy }) })) });
    },
  );

  app.get(
    '/integrations.list',
    {
      config: { rocketChat: { ...auth, permission: 'list' } },
      schema: { tags, ...security, summary: 'The integrations the caller may manage → {integrations, offset, items, count, total}', querystring: ListQuery, response: rcResponses() },
    },
    async (request) => {
      const { name, type } = request.query;
      const p = paging(request.query, LIST_SORTABLE, { field: '_createdAt', direction: 'desc' });
      const { items, total } = await integrations.list(request.user, { ...p, ...(name !== undefined && { name }), ...(type !== undefined && { type }) });
      return ok(page('integrations', items.map(shown), p.offset, total));
    },
  );

  app.post(
    '/integrations.remove',
    {
      config: { rocketChat: { ...auth, permission: 'remove' } },
      schema: { tags, ...security, summary: 'Delete an integration and all its history → {integration}', body: Type.Unsafe<{ type: string; integrationId?: string; target_url?: string }>(RemoveBody), response: rcResponses() },
    },
    async (request) => ok({ integration: publicIntegration(await integrations.remove(request.user, request.body)) }),
  );

  for (const [url, kind, permission, what] of [
    ['/integrations.history', 'outgoing-webhook', 'history', 'outgoing calls'],
    ['/integrations.incomingHistory', 'incoming-webhook', 'incomingHistory', 'incoming requests (extension)'],
  ] as const) {
    app.get(
      url,
      {
        config: { rocketChat: { ...auth, permission } },
        schema: { tags, ...security, summary: `History of an integration's ${what} → {history, offset, items, count, total}`, querystring: HistoryQuery, response: rcResponses() },
      },
      async (request) => {
        // Upstream's own check after the schema: an id of blanks names nothing.
        if (request.query.id.trim() === '') throw plainError('Invalid integration id.');
        const p = paging(request.query, HISTORY_SORTABLE, { field: '_updatedAt', direction: 'desc' });
        const { items, total } = await integrations.history(request.user, { id: request.query.id, ...p }, kind);
        return ok(page('history', items, p.offset, total));
      },
    );
  }

  app.post(
    '/integrations.clearHistory',
    {
      config: { rocketChat: auth },
      schema: { tags, ...security, summary: "Delete an integration's history", body: ClearHistoryBody, response: rcResponses() },
    },
    async (request) => {
      await integrations.clearHistory(request.user, request.body.integrationId);
      return ok({});
    },
  );

  app.post(
    '/integrations.replayOutgoing',
    {
      config: { rocketChat: auth },
      schema: {
        tags,
        ...security,
        summary: 'Send a recorded outgoing call again, with the same webhook-id',
        body: ReplayBody,
        response: rcResponses(),
      },
    },
    async (request) => {
      await integrations.replayOutgoing(request.user, request.body.integrationId, request.body.historyId);
      return ok({});
    },
  );
};
