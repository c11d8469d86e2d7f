import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fileURLToPath } from 'node:url';
import type { Socket } from 'node:net';
import { registerWebClient } from './surfaces/web/plugin.js';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Config } from './config.js';
import { createCore, type Core } from './domain/index.js';
import type { Bootstrap } from './domain/accounts.js';
import { newId } from './domain/ids.js';
import { migrate, openDatabase, ping, type DatabaseHandle } from './store/database.js';
import { durabilityOf } from './store/wal-durability.js';
import { Store } from './store/store.js';
import { LocalBus, RedisBus, type NoticeBus } from './realtime/bus.js';
import { RealtimeHub } from './realtime/hub.js';
import { pumbleRealtimeProtocol } from './surfaces/pumble/v1/realtime-protocol.js';
import { OutboxDispatcher } from './workers/dispatcher.js';
import { ScheduledSender } from './workers/scheduled-sender.js';
import { Housekeeping } from './workers/housekeeping.js';
import { GuardedAgent } from './outbound/ssrf.js';
import { HttpTriggerSender } from './outbound/triggers.js';
import { DeliveryQueue } from './workers/delivery-queue.js';
import { appEventExpander } from './workers/app-event-expander.js';
import { outgoingWebhookExpander } from './workers/outgoing-expander.js';
import { OutgoingExecutor } from './workers/outgoing-executor.js';
import { appRequestHeaders } from './outbound/signing.js';
import { signingSecretsOf } from './domain/apps/apps.js';
import { errorBody, registerErrorHandling } from './surfaces/http/errors.js';
import { acceptEmptyBodies, inspectBodies, installValidation, parseJsonBodies } from './surfaces/http/validation.js';
import { Metrics, opsRoutes } from './surfaces/http/ops.js';
import { authRoutes } from './surfaces/pumble/auth-routes.js';
import { appManagementRoutes } from './surfaces/pumble/apps/routes.js';
import { appSelfRoutes, oauthRoutes } from './surfaces/pumble/apps/oauth-routes.js';
import { toolingLoginRoutes } from './surfaces/pumble/apps/tooling-login-routes.js';
import { LogMailer, SmtpMailer, smtpHost } from './outbound/mailer.js';
import { loadServerKey } from './server-key.js';
import { MemoryRateLimiter, RedisRateLimiter } from './limits/rate-limiter.js';
import { IpcRateLimiter } from './limits/ipc-rate-limiter.js';
import { IpcBus, IpcPresenceRegistry, IpcWriteTurn, type WorkerLink } from './realtime/ipc.js';
import { AdoptedConnections } from './connection-balancer.js';
import { appRateLimits } from './surfaces/pumble/v1/app-limits.js';
import { authenticatePersonOrApp, checkScope } from './surfaces/pumble/authenticate.js';
import { renderAppEvent } from './surfaces/pumble/app-events.js';
import { declareRequestState } from './surfaces/http/request-state.js';
import { channelRoutes } from './surfaces/pumble/v1/channels.js';
import { messageRoutes } from './surfaces/pumble/v1/messages.js';
import { scheduledRoutes } from './surfaces/pumble/v1/scheduled.js';
import { userRoutes } from './surfaces/pumble/v1/users.js';
import { userGroupRoutes } from './surfaces/pumble/v1/user-groups.js';
import { searchRoutes } from './surfaces/pumble/v1/search.js';
import { appDirectoryRoutes } from './surfaces/pumble/v1/app-directory.js';
import { interactionRoutes } from './surfaces/pumble/v1/interactions.js';
import { appUiRoutes } from './surfaces/pumble/v1/app-ui.js';
import { readMarkerRoutes } from './surfaces/pumble/v1/read-markers.js';
import { presenceRoutes } from './surfaces/pumble/v1/presence.js';
import { notificationLevelRoutes } from './surfaces/pumble/v1/notification-levels.js';
import { RedisPresenceRegistry } from './realtime/presence.js';
import { LocalPresenceRegistry } from './domain/presence.js';
import { pinRoutes } from './surfaces/pumble/v1/pins.js';
import { API_KEYS_BASE, apiKeysAddon, apiKeysAddonAtRoot } from './surfaces/pumble/api-keys-addon/plugin.js';
import { sharedSchemas } from './surfaces/pumble/v1/schemas.js';
import { SandboxedIntegrationScripts } from './scripts/integration-scripts.js';
import { redactString } from './domain/integrations/history-redaction.js';
import { rocketChatApi } from './surfaces/rocketchat/plugin.js';
import { rocketChatInfo } from './surfaces/rocketchat/info.js';
import { lazySchemas, type LazySchemas } from './surfaces/http/lazy-schemas.js';
import { incomingHookRoutes } from './surfaces/rocketchat/hooks.js';
import { rocketChatOutgoing } from './surfaces/rocketchat/outgoing/index.js';
import { slackHookRoutes } from './surfaces/slack/services.js';
import { boundedStep } from './shutdown.js';
import { AppSockets } from './surfaces/pumble/socket-mode/app-sockets.js';
import { appSocketProtocol } from './surfaces/pumble/socket-mode/protocol.js';
import { socketModeRoutes } from './surfaces/pumble/socket-mode/routes.js';
import { SocketTriggerSender } from './surfaces/pumble/socket-mode/trigger-sender.js';
import { TransportRouter } from './domain/apps/transport-router.js';
import { join } from 'node:path';
import { DiskFileStorage } from './files-storage/disk.js';
import { S3FileStorage } from './files-storage/s3.js';
import { SharpImages } from './files-storage/images.js';
import { fileRoutes, fileTransferRoutes } from './surfaces/pumble/v1/files.js';
import { linkPreviewRoutes } from './surfaces/pumble/v1/link-previews.js';
import { HttpLinkFetcher } from './outbound/link-fetch.js';
import { LinkPreviewWorker, linkPreviewExpander } from './workers/link-previews.js';
import { SearchIndexer } from './workers/search-indexer.js';

export interface Switchboard {
  app: FastifyInstance;
  dispatcher: OutboxDispatcher;
  deliveryQueue: DeliveryQueue;
  /** idle modals, old loading states, socket-mode tickets and stale socket rows (workers/housekeeping.ts) */
  housekeeping: Housekeeping;
  core: Core;
  /** the storage the core runs on: for the composition root, tools and tests, never for surfaces */
  store: Store;
  hub: RealtimeHub;
  database: DatabaseHandle;
  /** http://host:port the server listens on */
  url: string;
  /** the URL to tell people: PUBLIC_URL, else http://localhost:<port> */
  publicUrl: string;
  /** what the first start created, when this start found an empty database */
  bootstrap: Bootstrap | undefined;
  /** A connection the primary accepted and handed over (a worker: StartOptions.worker). */
  adoptConnection(socket: Socket): void;
  /** the route schemas, compiled at each route's first use; `compileAll` for a check of them all */
  schemas: LazySchemas;
  close(): Promise<void>;
}

/** Tokens may arrive in query strings (WebSocket clients): never let them reach a log line. */
export function redactUrl(url: string): string {
  // Incoming webhook URLs carry their token in the path (docs/integrations.md §7.1, §10, §11).
  // Socket mode's handshake carries the appKey (or appSecret), its WebSocket URL a ticket (app-platform.md §10.1).
  return redactString(url.replace(/([?&](?:token|access_token|authToken|appKey|appSecret|ticket)=)[^&#]*/gi, '$1[redacted]'));
}

/**
 * Each shutdown step after the drain (closing sockets, the outbound agent, sandboxes, the bus, the
 * database) gets this long; with SHUTDOWN_TIMEOUT_MS for the drain, a stop takes at most about
 * SHUTDOWN_TIMEOUT_MS + 6 s whatever is stuck (main.ts exits by force a little after that).
 */
export const SHUTDOWN_STEP_MS = 1000;

/**
 * What only one process of a machine may do, before its workers start (WORKERS > 1; main.ts): bring the
 * schema up to date, make the server key file, and create the first workspace on an empty database.
 * Answers what the first start created, for the banner; a start that finds the work done repeats nothing.
 */
export async function prepareDatabase(config: Config): Promise<{ bootstrap: Bootstrap | undefined; database: { engine: string; location: string } }> {
  const database = await openDatabase(config.databaseUrl);
  try {
    await migrate(database.db);
    const { keyring } = loadServerKey({ secretKey: config.secretKey, dataDir: config.dataDir });
    const core = createCore(new Store(database.db, database.engine), { publish: () => {} }, {
      keyring,
      limiter: new MemoryRateLimiter(),
      publicUrl: () => config.publicUrl ?? `http://localhost:${config.port}`,
    });
    const bootstrap = await core.accounts.bootstrap(config.admin);
    // The built-in apps exist before several workers would race to create them (each updates them once it listens).
    await core.ensureBuiltinApps();
    return { bootstrap, database: { engine: database.engine, location: database.location } };
  } finally {
    await database.close();
  }
}

/** How this process serves: alone (the default), or as one worker of several on this machine (main.ts). */
export interface StartOptions {
  /**
   * the channel to the primary: without REDIS_URL, notices, node messages, limits and presence go
   * through it; the primary listens on PORT and hands this worker its connections (connection-balancer.ts)
   */
  worker?: WorkerLink;
}

export async function startSwitchboard(config: Config, opts: StartOptions = {}): Promise<Switchboard> {
  let log: FastifyBaseLogger | undefined;
  // Workers sharing a SQLite file write in turns the primary hands out (domain/ports/write-turn.ts).
  const writeTurn = opts.worker ? new IpcWriteTurn(opts.worker) : undefined;
  const database = await openDatabase(config.databaseUrl, (err) => log?.warn({ err: err.message }, 'idle database connection failed; the pool replaces it'), writeTurn);
  // A write-ahead log that could not be synced may have lost commits under later ones: stop at once
  // rather than answer 2xx for writes a crash would take back (store/wal-durability.ts).
  durabilityOf(database.db)?.onFatal((err) => {
    const why = 'the database could not sync its write-ahead log to disk; stopping so that nothing more is answered as saved';
    if (log) log.fatal({ err }, why);
    else console.error(why, err);
    process.exit(1);
  });
  let bus: NoticeBus | undefined;
  try {
    await migrate(database.db);
    const schemas = lazySchemas();
    const app = Fastify({
      bodyLimit: config.bodyLimitBytes,
      // validators and response serializers compiled at each route's first use (lazy-schemas.ts)
      schemaController: { compilersFactory: { buildSerializer: schemas.buildSerializer } },
      // A client's x-request-id is kept only when it is short and plain: it lands in every log line.
      requestIdHeader: false,
      genReqId: (req) => {
        const given = req.headers['x-request-id'];
        return typeof given === 'string' && /^[\w.:-]{1,64}$/.test(given) ? given : newId();
      },
      forceCloseConnections: 'idle',
      // Slow clients cannot hold connections (slowloris): the headers must be in within
      // headersTimeoutMs (checked every second), the whole request within requestTimeoutMs, and an
      // idle keep-alive connection is closed after keepAliveTimeoutMs (Node's 5 s, not Fastify's 72 s).
      http: { headersTimeout: config.http.headersTimeoutMs, connectionsCheckingInterval: 1000 },
      requestTimeout: config.http.requestTimeoutMs,
      keepAliveTimeout: config.http.keepAliveTimeoutMs,
      // A socket with no traffic at all (not even a byte of a request) is closed too.
      connectionTimeout: config.http.idleSocketTimeoutMs,
      // Errors Node's HTTP parser raises (bad method, oversized headers...) get our body too.
      clientErrorHandler: (err, socket) => {
        const code = (err as { code?: string }).code;
        // Too slow (headersTimeout / requestTimeout: a slowloris client), too large, or malformed.
        const [status, text, message] =
          code === 'ERR_HTTP_REQUEST_TIMEOUT'
            ? [408, 'Request Timeout', 'The request did not arrive in time']
            : code === 'HPE_HEADER_OVERFLOW'
              ? [431, 'Request Header Fields Too Large', 'Request headers are too large']
              : [400, 'Bad Request', 'Malformed HTTP request'];
        const body = JSON.stringify(errorBody(status, message));
        // A HEAD request gets the headers alone: a body there would read as the next response.
        const raw = (err as unknown as { rawPacket?: unknown }).rawPacket;
        const head = Buffer.isBuffer(raw) && raw.subarray(0, 5).toString('latin1') === 'HEAD ';
        if (socket.writable) {
          socket.end(
            `HTTP/1.1 ${status} ${text}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${head ? '' : body}`,
          );
        } else socket.destroy();
      },
      // Errors Fastify raises before routing (a malformed URL, an overlong parameter) get our body too.
      frameworkErrors: (err, request, reply) => {
        const status = err.statusCode && err.statusCode >= 400 && err.statusCode < 500 ? err.statusCode : 400;
        request.log.info({ err: err.message }, 'request refused before routing');
        void (reply as FastifyReply).code(status).send(errorBody(status, err.message));
      },
      // One line per request, once answered (onResponse below), not two.
      logController: new LogController({ disableRequestLogging: true }),
      logger: {
        level: config.logLevel,
        serializers: {
          req: (req: { method: string; url: string; ip?: string }) => ({ method: req.method, url: redactUrl(req.url), remoteAddress: req.ip }),
        },
      },
    }).withTypeProvider<TypeBoxTypeProvider>();
    log = app.log;
    // docs/operations.md §10: reads that succeed at `debug`, so that clients polling (a dashboard,
    // `switchboard dev`'s delivery tail every second) do not fill the log; writes and failures at `info`.
    app.addHook('onResponse', (request, reply, done) => {
      const quiet = (request.method === 'GET' || request.method === 'HEAD') && reply.statusCode < 400;
      request.log[quiet ? 'debug' : 'info']({ req: request, res: { statusCode: reply.statusCode }, responseTime: Math.round(reply.elapsedTime) }, 'request');
      done();
    });

    const redisBus = config.redisUrl ? await RedisBus.connect(config.redisUrl, (err) => app.log.error({ err }, 'redis')) : undefined;
    // Workers of one machine without Redis: the primary relays between them (realtime/ipc.ts).
    const ipc = !redisBus && opts.worker ? opts.worker : undefined;
    const ipcBus = ipc ? await IpcBus.connect(ipc, (err) => app.log.error({ err }, 'worker channel')) : undefined;
    bus = redisBus ?? ipcBus ?? new LocalBus();
    const store = new Store(database.db, database.engine);
    const { keyring } = loadServerKey({ secretKey: config.secretKey, dataDir: config.dataDir });
    const outboundAgent = new GuardedAgent({ policy: config.outbound });
    const metrics = new Metrics();
    // Socket mode (docs/app-platform.md §10): this node's app sockets, and the link to other nodes' beside the bus.
    const appSockets = new AppSockets({ socketMode: () => core.socketMode, cluster: bus.cluster(), onBacklog: () => deliveryQueue.wake(), log: app.log });
    // app-platform.md §10.1: a revocation closes every socket of the app each node holds, registered or not.
    bus.subscribe((notices) => appSockets.onNotices(notices));
    // Events to apps: signed with the app's current signing secret at each attempt; a delivery
    // whose app is gone is cancelled (null).
    const deliveryQueue = new DeliveryQueue({
      store: store.deliveries,
      agent: outboundAgent,
      log: app.log,
      sign: async (d, now) => {
        const target = d.signingKeyRef ? await store.appReadOnly(d.signingKeyRef) : undefined;
        if (!target || !d.payload) return null;
        const secrets = signingSecretsOf(target, keyring, now);
        return appRequestHeaders({ deliveryId: d.id, body: d.payload, signingSecret: secrets.current, previousSigningSecrets: secrets.previous, now });
      },
      // docs/delivery.md §2.4's 60 s lease, renewed while an attempt runs (an outgoing webhook's scripts and call can
      // take a minute); a restarted node takes its dead predecessors' leases back at once.
      ...(config.nodeId && { nodeId: config.nodeId }),
      // Outgoing webhooks (docs/integrations.md §8) make their own attempts; `core` exists by the time any runs.
      executors: {
        outgoing: new OutgoingExecutor({ webhooks: () => core.outgoingWebhooks, agent: outboundAgent, historyRetentionDays: config.integrations.historyRetentionDays }),
      },
      // docs/delivery.md §5/§7: an app's owner hears (a DM from the system bot) when its event deliveries
      // are disabled or failing; the notice is written with the decision and told exactly once.
      ownerNotices: [
        {
          endpointType: 'app',
          deliver: async (notice) => {
            const outcome = await core.appNotices.deliver(notice);
            if ('dropped' in outcome) app.log.warn({ endpointId: notice.endpointId, kind: notice.kind, why: outcome.dropped }, 'app owner notice dropped');
            else if ('told' in outcome) app.log.info({ endpointId: notice.endpointId, kind: notice.kind, reason: notice.reason, told: outcome.told }, 'app owner notified');
          },
        },
      ],
      onAttempt: (d, attempt) => metrics.deliveryAttempt(d, attempt),
      // docs/delivery.md §2.7: socket-mode apps' events are written to one of their sockets, on whichever node holds it.
      socketSender: async (d) => ((await store.appReadOnly(d.endpointId)) ? appSockets.sendEvent(d.endpointId, d.id, d.payload ?? '') : null),
    });
    metrics.watchDeliveries({ read: () => store.deliveries.stats(Date.now()) });
    // Expanders: app events and outgoing webhooks, each event expanded for both in one transaction,
    // each rendered by its surface (docs/architecture.md §3.4); and link preview jobs (docs/web-client.md §6.1).
    const dispatcher = new OutboxDispatcher(
      store,
      [
        { expand: appEventExpander(renderAppEvent), wake: () => deliveryQueue.wakeAfterExpansion() },
        { expand: outgoingWebhookExpander(rocketChatOutgoing, () => publicUrl), wake: () => deliveryQueue.wakeAfterExpansion() },
        { expand: linkPreviewExpander(() => core.linkPreviews), wake: () => linkPreviewWorker.wake() },
      ],
      // Deliveries leased to the queue as the expansion inserted them (SQLite): attempted without a claim.
      { log: app.log, adoptLeased: (leased) => deliveryQueue.adopt(leased) },
    );
    const limiter = redisBus ? new RedisRateLimiter(redisBus.client) : ipc ? new IpcRateLimiter((request) => ipc.request({ kind: 'limit', request })) : new MemoryRateLimiter();
    // Presence (docs/web-client.md §4): who each node holds, shared through Redis when there are nodes to share with.
    const presenceRegistry = redisBus
      ? new RedisPresenceRegistry(redisBus.client, redisBus.cluster(), (err) => app.log.error({ err }, 'presence registry'))
      : ipc
        ? new IpcPresenceRegistry(ipc, (err) => app.log.error({ err }, 'presence registry'))
        : undefined;
    // Known for sure once listening (PORT=0 picks a port); until then the configured one.
    let publicUrl = config.publicUrl ?? `http://localhost:${config.port}`;
    const fileStorage = config.files.storage === 's3' && config.files.s3 ? new S3FileStorage(config.files.s3) : new DiskFileStorage(config.files.dir ?? join(config.dataDir, 'files'));
    const scripts = new SandboxedIntegrationScripts({ setting: config.integrations.scripts, policy: config.outbound, limits: config.integrations.sandboxLimits });
    const core = createCore(store, bus, {
      scripts,
      hookRateLimits: config.integrations.hookRateLimits,
      outgoingRenderer: rocketChatOutgoing,
      keyring,
      limiter,
      // A socket-mode app's triggers go over its sockets, every other app's over HTTP; same answers either way.
      triggerSender: new TransportRouter(
        new HttpTriggerSender(outboundAgent, (r) => metrics.triggerAttempt(r)),
        new SocketTriggerSender(appSockets, (r) => metrics.triggerAttempt(r)),
        async (appId) => (await store.app(appId))?.manifest.socketMode === true,
      ),
      onOutboxWrite: () => dispatcher.wake(),
      publicUrl: () => publicUrl,
      mailer: config.smtp ? new SmtpMailer(config.smtp, app.log) : new LogMailer(app.log),
      // Files' bytes on disk (the default) or in an S3-compatible store (FILES_STORAGE; docs/operations.md).
      files: { storage: fileStorage, images: new SharpImages(), maxBytes: config.files.maxBytes },
      socketLiveness: appSockets,
      // Linked pages for previews: through the same SSRF-guarded agent as every outbound request.
      linkFetcher: new HttpLinkFetcher(outboundAgent),
      presence: { registry: presenceRegistry ?? new LocalPresenceRegistry(), onError: (err) => app.log.error({ err }, 'presence notice failed') },
    });
    // A node that hears a person it holds called offline (two nodes raced) says again that they are online.
    bus.subscribe((notices) => core.presence.heard(notices));
    if (presenceRegistry instanceof RedisPresenceRegistry) await presenceRegistry.start();
    if (config.smtp) app.log.info({ smtp: smtpHost(config.smtp.url), from: config.smtp.from }, 'e-mail goes out through SMTP');
    else app.log.warn('e-mail is not configured (SMTP_URL is unset): login codes of the tooling login (POST /lead, pumble-cli login) go to this log');
    const bootstrap = await core.accounts.bootstrap(config.admin);
    await core.ensureBuiltinApps();
    const scheduledSender = new ScheduledSender(core.scheduled, { log: app.log });
    const housekeeping = new Housekeeping({ views: core.views, socketMode: core.socketMode, files: core.files, retention: core.retention }, { log: app.log });
    // Link previews (docs/web-client.md §6.1): fetched after the post, woken when the dispatcher writes jobs.
    const linkPreviewWorker = new LinkPreviewWorker(core.linkPreviews, { log: app.log, ...(config.nodeId && { nodeId: config.nodeId }) });
    // Posted messages wait for the full-text index on SQLite (migration 0029): indexed in batches soon
    // after. PostgreSQL indexes in the message's own statement; nothing ever waits there.
    const searchIndexer = database.engine === 'sqlite' ? new SearchIndexer((limit) => core.messages.indexWaiting(limit), { log: app.log }) : undefined;

    const hub = new RealtimeHub({
      protocols: [pumbleRealtimeProtocol({
        authenticate: (token) => core.accounts.authenticate(token),
        ...(config.publicUrl && { publicUrl: config.publicUrl }),
        onTyping: (user, channelId, threadRootId) => void core.reads.typing(user, channelId, threadRootId).catch((err: unknown) => app.log.error({ err }, 'typing notice failed')),
        onConnected: (user) => void core.presence.connected(user).catch((err: unknown) => app.log.error({ err }, 'presence failed')),
        onDisconnected: (user) => void core.presence.disconnected(user).catch((err: unknown) => app.log.error({ err }, 'presence failed')),
      }), appSocketProtocol(appSockets)],
      bus,
      log: app.log,
      onConnectionsChanged: (n) => metrics.websocketConnections.set(n),
    });

    // Echo the request id so a client can quote it when reporting a problem.
    app.addHook('onSend', async (request, reply) => {
      reply.header('x-request-id', request.id);
    });
    declareRequestState(app);
    installValidation(app, schemas);
    parseJsonBodies(app);
    acceptEmptyBodies(app);
    inspectBodies(app);
    // The web client's pages answer browser navigations no API route matched (registered below).
    let webPage: (request: FastifyRequest, reply: FastifyReply) => boolean = () => false;
    registerErrorHandling(app, (request, reply) => webPage(request, reply));
    for (const schema of sharedSchemas) app.addSchema(schema);
    metrics.install(app);

    await app.register(swagger, {
      openapi: {
        openapi: '3.1.0',
        info: {
          title: 'Switchboard',
          version: '0.1.0',
          description:
            'Team chat for people and apps. `/v1` follows the Pumble API; people authenticate with the token from `POST /auth/login` ' +
            'as `Authorization: Bearer <token>` or as a `token` header. Realtime: a WebSocket at `/v1/realtime`. ' +
            'Every 4xx body is `ErrorBody`.',
        },
        // Without PUBLIC_URL, '/' makes "Try it out" call whichever host served the page.
        servers: [{ url: config.publicUrl ?? '/' }],
        components: {
          securitySchemes: {
            bearerAuth: { type: 'http', scheme: 'bearer', description: 'The token from POST /auth/login' },
            tokenHeader: { type: 'apiKey', in: 'header', name: 'token', description: 'The same token, as Pumble apps send it' },
            developerToken: { type: 'apiKey', in: 'header', name: 'Authtoken', description: 'A developer token from POST /auth/developer-token' },
            appKey: { type: 'apiKey', in: 'header', name: 'x-app-token', description: "An app's appKey, sent with its token" },
            rocketChatUserId: { type: 'apiKey', in: 'header', name: 'X-User-Id', description: 'Rocket.Chat face (/api/v1): data.userId from POST /api/v1/login, sent with X-Auth-Token' },
            rocketChatAuthToken: { type: 'apiKey', in: 'header', name: 'X-Auth-Token', description: 'Rocket.Chat face (/api/v1): data.authToken from POST /api/v1/login' },
          },
        },
      },
      refResolver: { buildLocalReference: (json, _base, _fragment, i) => (typeof json.$id === 'string' ? json.$id : `def-${i}`) },
    });
    await app.register(swaggerUi, { routePrefix: '/docs', uiConfig: { persistAuthorization: true } });
    app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

    await app.register(opsRoutes, {
      metrics,
      readiness: [
        { name: 'database', check: () => ping(database.db) },
        ...(redisBus ? [{ name: 'redis', check: () => redisBus.ping() }] : []),
      ],
    });
    await app.register(authRoutes, { core, ...(config.publicUrl && { publicUrl: config.publicUrl }) });
    await app.register(appManagementRoutes, { core, ...(config.publicUrl && { publicUrl: config.publicUrl }) });
    await app.register(toolingLoginRoutes, { core });
    await app.register(oauthRoutes, { core });
    await app.register(socketModeRoutes, { core, publicUrl: () => publicUrl });
    await app.register(async (v1) => {
      // /openapi.json says who may call each route (`x-switchboard-scope`: the app scope it needs,
      // 'people' for people only, 'app' for app tokens only), so clients, the SDK's among them, can
      // check against it (packages/server/test/sdk).
      v1.addHook('onRoute', (route) => {
        const scope = route.config?.scope;
        if (scope !== undefined && route.schema) (route.schema as Record<string, unknown>)['x-switchboard-scope'] = scope;
      });
      // onRequest: an unauthenticated request is refused before its body is even read.
      v1.addHook('onRequest', authenticatePersonOrApp(core.accounts, core.installs, config.publicUrl));
      // Every app call counts against its limits, refused ones included, so the limiter runs first.
      v1.addHook('onRequest', appRateLimits(limiter, config.appRateLimits));
      v1.addHook('onRequest', checkScope);
      await v1.register(appSelfRoutes, { core });
      await v1.register(channelRoutes, { core });
      await v1.register(messageRoutes, { core });
      await v1.register(searchRoutes, { core });
      await v1.register(scheduledRoutes, { scheduled: core.scheduled });
      await v1.register(userRoutes, { core });
      await v1.register(userGroupRoutes, { userGroups: core.userGroups });
      await v1.register(appDirectoryRoutes, { core });
      await v1.register(interactionRoutes, { core });
      await v1.register(appUiRoutes, { core });
      await v1.register(readMarkerRoutes, { core });
      await v1.register(presenceRoutes, { core });
      await v1.register(notificationLevelRoutes, { core });
      await v1.register(pinRoutes, { core });
      await v1.register(fileRoutes, { core });
      await v1.register(linkPreviewRoutes, { core });
    });

    // The API addon's public API: its own error body, key header and rate limit (docs/api-keys.md).
    await app.register(apiKeysAddon, { prefix: API_KEYS_BASE, core, limiter, requestsPerMinute: config.apiKeyRequestsPerMinute });
    // ...also at the root for requests with a key header, and at / on API_KEYS_HOST (docs/api-keys.md §5.1).
    await app.register(apiKeysAddonAtRoot, { core, limiter, requestsPerMinute: config.apiKeyRequestsPerMinute, host: config.apiKeysHost });

    // Rocket.Chat's REST face (docs/integrations.md §2–§6) and the incoming webhook URLs: Rocket.Chat's
    // and Pumble's (§7, §11), Slack's (§10).
    await app.register(rocketChatApi, { prefix: '/api/v1', core, schemas, ...(config.publicUrl && { publicUrl: config.publicUrl }) });
    // GET /api/info: outside /api/v1, as Rocket.Chat serves it (clients read the version there first).
    await app.register(rocketChatInfo, { prefix: '/api' });
    await app.register(incomingHookRoutes, { core, limiter, rateLimits: config.integrations.hookRateLimits });
    await app.register(slackHookRoutes, { core, limiter, rateLimits: config.integrations.hookRateLimits });
    // The app flow's upload (its own upload token), signed URLs and public links (docs/pumble-app-platform.md §11.2).
    await app.register(fileTransferRoutes, { core });

    // docs/web-client.md §2: the client's build, served by this process.
    webPage = await registerWebClient(app, { dist: config.webDist ?? fileURLToPath(new URL('../../web/dist', import.meta.url)) });

    hub.attach(app.server);
    dispatcher.start();
    scheduledSender.start();
    deliveryQueue.start();
    appSockets.start();
    housekeeping.start();
    linkPreviewWorker.start();
    searchIndexer?.start();
    // A worker's connections come from the primary (connection-balancer.ts); it listens on loopback only for Node's bookkeeping.
    if (opts.worker) await app.listen({ port: 0, host: '127.0.0.1', exclusive: true });
    else await app.listen({ port: config.port, host: config.host });
    const address = app.server.address();
    const port = typeof address === 'object' && address && !opts.worker ? address.port : config.port;
    const url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
    const adopted = new AdoptedConnections(app.server);

    const openBus = bus;
    let closing: Promise<void> | undefined;
    const close = () =>
      (closing ??= (async () => {
        const log = app.log;
        // Live sockets first (they would hold the HTTP server open): a client that never answers
        // the close frame is cut after the step's deadline.
        // This node's app sockets leave the registry first, so no other node routes to them meanwhile.
        await boundedStep(log, 'app sockets', SHUTDOWN_STEP_MS, () => appSockets.stop());
        // Whom this node held is offline unless connected elsewhere: told before its sockets close (and then count no more).
        await boundedStep(log, 'presence', SHUTDOWN_STEP_MS, () => core.presence.stop());
        await boundedStep(log, 'realtime', SHUTDOWN_STEP_MS, () => hub.close());
        // A terminated socket's close callback runs after hub.close() returns, and may start a store
        // write (its unread events back to pending): those land before the database closes below.
        await boundedStep(log, 'app socket cleanup', SHUTDOWN_STEP_MS, () => appSockets.drained());
        // Requests in flight get SHUTDOWN_TIMEOUT_MS to finish; then their connections are cut.
        // Meanwhile the workers stop claiming and wait for what they hold, as long as the requests
        // may: an attempt still running then keeps its lease, which this node reclaims when it starts
        // again (or another node once it runs out), so nothing is lost by leaving it behind.
        const cut = setTimeout(() => app.server.closeAllConnections(), config.shutdownTimeoutMs);
        await Promise.all([
          boundedStep(log, 'http', config.shutdownTimeoutMs + SHUTDOWN_STEP_MS, async () => {
            await app.close();
            await adopted.closed();
          }),
          boundedStep(log, 'scheduled messages', config.shutdownTimeoutMs, () => scheduledSender.stop()),
          boundedStep(log, 'housekeeping', config.shutdownTimeoutMs, () => housekeeping.stop()),
          boundedStep(log, 'link previews', config.shutdownTimeoutMs, () => linkPreviewWorker.stop()),
          boundedStep(log, 'search index', config.shutdownTimeoutMs, async () => searchIndexer?.stop()),
          boundedStep(log, 'outbox dispatcher', config.shutdownTimeoutMs, () => dispatcher.stop()),
          boundedStep(log, 'delivery queue', config.shutdownTimeoutMs, () => deliveryQueue.stop()),
        ]);
        clearTimeout(cut);
        if (!(await boundedStep(log, 'outbound connections', SHUTDOWN_STEP_MS, () => outboundAgent.close()))) await outboundAgent.destroy().catch(() => {});
        await boundedStep(log, 'script sandboxes', SHUTDOWN_STEP_MS, () => scripts.close());
        await boundedStep(log, 'realtime bus', SHUTDOWN_STEP_MS, () => openBus.close());
        await boundedStep(log, 'database', SHUTDOWN_STEP_MS, () => database.close());
        if (fileStorage instanceof S3FileStorage) fileStorage.close();
      })());
    publicUrl = config.publicUrl ?? `http://localhost:${port}`;
    // The built-in apps' manifests carry links to this server: now with the port it really got.
    await core.ensureBuiltinApps();
    return { app, schemas, dispatcher, deliveryQueue, housekeeping, core, store, hub, database, url, publicUrl, bootstrap, adoptConnection: (socket) => (closing ? socket.destroy() : adopted.adopt(socket)), close };
  } catch (err) {
    await bus?.close();
    await database.close();
    throw err;
  }
}
