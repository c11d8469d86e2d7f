import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import type { FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Core } from '../../../domain/index.js';
import { forbidden, unauthenticated } from '../../../domain/errors.js';
import type { AppView } from '../../../domain/apps/apps.js';
import { ErrorRef } from '../../http/errors.js';
import { responses } from '../v1/schemas.js';
import { authenticate, sessionSecurity } from '../authenticate.js';
import { RefusalLog } from '../../../outbound/ssrf.js';

/** The app as the management API shows it: the manifest's fields, `id`, `published`, and secrets where allowed. */
function presentApp(app: AppView) {
  return { ...app.manifest, id: app.id, published: app.published, ...app.secrets };
}

const AppBody = Type.Object({}, { additionalProperties: true, description: 'an app manifest (docs/app-platform.md §3)' });
const AppParams = Type.Object({ workspaceId: Type.String(), workspaceUserId: Type.String(), appId: Type.String() });
const UserParams = Type.Object({ workspaceId: Type.String(), workspaceUserId: Type.String() });
const TokenPair = Type.Object({ token: Type.String(), refreshToken: Type.String() });
const authtoken = [{ developerToken: [] }];

/**
 * The developer surface (docs/app-platform.md §4): apps managed with a developer token in the
 * `Authtoken` header, under `/workspaces/{ws}/workspaceUsers/{u}` where `{u}` must be the token's
 * own user.
 */
export const appManagementRoutes: FastifyPluginAsyncTypebox<{ core: Core; publicUrl?: string }> = async (app, { core, publicUrl }) => {
  const tags = ['app management'];

  // Extension: a logged-in person gets developer tokens here (the web client's "Developer token").
  app.post(
    '/auth/developer-token',
    {
      onRequest: authenticate(core.accounts, publicUrl),
      schema: { tags, security: sessionSecurity, summary: 'Developer tokens for the Authtoken header (1 h, refresh 30 days)', response: { 200: TokenPair, 401: ErrorRef } },
    },
    async (request) => core.developerTokens.issue(request.user),
  );

  app.post(
    '/workspaces/:workspaceId/refresh',
    {
      schema: {
        tags,
        summary: 'New developer tokens from a refresh token',
        params: Type.Object({ workspaceId: Type.String() }),
        body: Type.Object({ refreshToken: Type.String({ minLength: 1 }) }),
        response: { 200: TokenPair, 400: ErrorRef, 401: ErrorRef },
      },
    },
    async (request) => core.developerTokens.refresh(request.params.workspaceId, request.body.refreshToken),
  );

  const developer = async (request: FastifyRequest) => {
    const token = request.headers.authtoken;
    const user = typeof token === 'string' && token ? await core.developerTokens.authenticate(token) : undefined;
    if (!user) throw unauthenticated('Missing or invalid Authtoken');
    const params = request.params as { workspaceId?: string; workspaceUserId?: string };
    if (params.workspaceId !== undefined && params.workspaceId !== user.workspaceId) throw forbidden('This token belongs to another workspace');
    if (params.workspaceUserId !== undefined && params.workspaceUserId !== user.id) throw forbidden('This token belongs to another workspace user');
    request.user = user;
  };

  // Tooling calls this without Authtoken (pumble-cli `info`): {id, name} for anyone who knows the
  // id, so the call neither fails nor costs a refresh. With an Authtoken, it is checked as elsewhere.
  app.get(
    '/workspaces/:workspaceId/info',
    {
      schema: {
        tags,
        summary: "The workspace's id and name (Authtoken optional)",
        params: Type.Object({ workspaceId: Type.String() }),
        response: responses({ 200: Type.Object({ id: Type.String(), name: Type.String() }) }),
      },
    },
    async (request) => {
      if (request.headers.authtoken !== undefined) await developer(request);
      return core.toolingLogin.workspaceInfo(request.params.workspaceId);
    },
  );

  // Tooling calls this without Authtoken: then only {id, name}, never the e-mail (§4.1 decision).
  app.get(
    '/workspaces/:workspaceId/workspaceUsers/:workspaceUserId',
    {
      schema: {
        tags,
        params: UserParams,
        response: responses({ 200: Type.Object({ id: Type.String(), name: Type.String(), email: Type.Optional(Type.String()) }) }),
      },
    },
    async (request) => {
      if (request.headers.authtoken !== undefined) {
        await developer(request);
        return { id: request.user.id, name: request.user.name, email: request.user.email };
      }
      const user = await core.accounts.publicProfile(request.params.workspaceId, request.params.workspaceUserId);
      return { id: user.id, name: user.name };
    },
  );

  app.get(
    '/workspaces/:workspaceId/workspaceUsers/:workspaceUserId/oauth2/grant',
    {
      preHandler: developer,
      schema: {
        tags,
        security: authtoken,
        summary: 'Grant an app as if pressing Allow on the consent page; returns the code and the redirect URL with it',
        params: UserParams,
        querystring: Type.Object({
          clientId: Type.String(),
          scopes: Type.String({ default: '' }),
          redirectUrl: Type.Optional(Type.String()),
          state: Type.Optional(Type.String()),
          isReinstall: Type.Optional(Type.Boolean()),
        }),
        response: responses({ 200: Type.Object({ code: Type.String(), redirectUrl: Type.String() }) }),
      },
    },
    async (request) => core.installs.grant(request.user, request.query),
  );

  const base = '/workspaces/:workspaceId/workspaceUsers/:workspaceUserId/apps';

  app.get(
    `${base}/authorizations`,
    {
      preHandler: developer,
      schema: {
        tags,
        security: authtoken,
        summary: 'Apps you have authorised in this workspace',
        params: UserParams,
        response: responses({ 200: Type.Array(Type.Object({ app: Type.Object({ id: Type.String(), name: Type.String(), displayName: Type.String() }) })) }),
      },
    },
    async (request) => core.installs.authorizationsOf(request.user),
  );
  const Loose = Type.Object({}, { additionalProperties: true });

  // Saved with a URL the outbound policy will refuse: the app is saved, the answer says why its
  // calls will fail (`warnings`), and the server log says so once per app, URL and reason.
  const refusals = new RefusalLog();
  const saved = (request: FastifyRequest, view: AppView) => {
    const warnings = core.apps.outboundWarnings(view.manifest);
    for (const w of warnings) refusals.warnOnce(request.log, { kind: 'app', id: view.id }, w);
    return { ...presentApp(view), ...(warnings.length > 0 && { warnings }) };
  };
  const savedNote = 'Answers `warnings` ({field, url, reason, message, setting}) for URLs the outbound policy will refuse to call.';

  app.post(
    base,
    {
      preHandler: developer,
      schema: { tags, security: authtoken, summary: 'Create an app from a manifest', description: savedNote, params: UserParams, body: AppBody, response: responses({ 200: Loose }) },
    },
    async (request) => saved(request, await core.apps.create(request.user, request.body)),
  );

  app.put(
    `${base}/:appId`,
    {
      preHandler: developer,
      schema: { tags, security: authtoken, summary: 'Replace the manifest (secrets unchanged)', description: savedNote, params: AppParams, body: AppBody, response: responses({ 200: Loose }) },
    },
    async (request) => saved(request, await core.apps.update(request.user, request.params.appId, request.body)),
  );

  app.get(
    `${base}/mine`,
    { preHandler: developer, schema: { tags, security: authtoken, summary: 'Your apps (no secrets)', params: UserParams, response: responses({ 200: Type.Array(Loose) }) } },
    async (request) => (await core.apps.listMine(request.user)).map(presentApp),
  );

  app.get(
    `${base}/mine/:appId`,
    { preHandler: developer, schema: { tags, security: authtoken, summary: 'One of your apps, with its secrets', params: AppParams, response: responses({ 200: Loose }) } },
    async (request) => presentApp(await core.apps.getMine(request.user, request.params.appId)),
  );

  app.delete(
    `${base}/:appId`,
    { preHandler: developer, schema: { tags, security: authtoken, summary: 'Delete an unpublished app', params: AppParams, response: responses({ 204: Type.Unsafe<undefined>({}) }) } },
    async (request, reply) => {
      await core.apps.delete(request.user, request.params.appId);
      return reply.code(204).send(undefined);
    },
  );

  app.put(
    `${base}/:appId/secrets/rotate`,
    {
      preHandler: developer,
      schema: {
        tags,
        security: authtoken,
        summary: 'New clientSecret, appKey and signingSecret; the old ones stop working at once',
        params: AppParams,
        response: responses({ 200: Type.Object({ appKey: Type.String(), clientSecret: Type.String(), signingSecret: Type.String() }) }),
      },
    },
    async (request) => core.apps.rotateSecrets(request.user, request.params.appId),
  );

  // ---- the delivery log (docs/delivery.md §8) ----------------------------------------------------------

  const DeliveryParams = Type.Object({ workspaceId: Type.String(), workspaceUserId: Type.String(), appId: Type.String(), deliveryId: Type.String() });

  app.get(
    `${base}/:appId/deliveries`,
    {
      preHandler: developer,
      schema: {
        tags,
        security: authtoken,
        summary: "Your app's deliveries (events and triggers), newest first, each with its attempts",
        params: AppParams,
        querystring: Type.Object({
          limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 200 })),
          before: Type.Optional(Type.String({ description: 'a delivery id: older ones only' })),
          status: Type.Optional(Type.Union([Type.Literal('pending'), Type.Literal('succeeded'), Type.Literal('failed'), Type.Literal('cancelled')])),
        }),
        response: responses({ 200: Type.Array(Loose) }),
      },
    },
    async (request) =>
      (await core.apps.deliveries(request.user, request.params.appId, request.query)).map(({ lockedBy: _l, lockedUntil: _u, signingKeyRef: _k, ...d }) => d),
  );

  app.post(
    `${base}/:appId/deliveries/:deliveryId/replay`,
    {
      preHandler: developer,
      schema: { tags, security: authtoken, summary: 'Send a delivery again (same webhook-id; attempts marked manual)', params: DeliveryParams, response: responses({ 200: Type.Object({}) }) },
    },
    async (request) => {
      await core.apps.replayDelivery(request.user, request.params.appId, request.params.deliveryId);
      return {};
    },
  );

  app.post(
    `${base}/:appId/deliveries/recover`,
    {
      preHandler: developer,
      schema: {
        tags,
        security: authtoken,
        summary: 'Re-queue every failed delivery created in [since, until) (epoch ms)',
        params: AppParams,
        body: Type.Object({ since: Type.Integer({ minimum: 0 }), until: Type.Integer({ minimum: 0 }) }),
        response: responses({ 200: Type.Object({ requeued: Type.Integer() }) }),
      },
    },
    async (request) => core.apps.recoverDeliveries(request.user, request.params.appId, request.body.since, request.body.until),
  );

  app.post(
    `${base}/:appId/events/enable`,
    { preHandler: developer, schema: { tags, security: authtoken, summary: 'Re-enable a disabled event subscription', params: AppParams, response: responses({ 200: Type.Object({}) }) } },
    async (request) => {
      await core.apps.enableEvents(request.user, request.params.appId);
      return {};
    },
  );
};
