import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import { detach } from './detach.js';
import type { Core } from '../../../domain/index.js';
import { sessionSecurity } from '../authenticate.js';
import { presentLoad, presentView } from './present-views.js';
import { Empty, IdParam, responses } from './schemas.js';

const Loose = Type.Object({}, { additionalProperties: true });
const SourceType = Type.Union([Type.Literal('MESSAGE'), Type.Literal('EPHEMERAL_MESSAGE'), Type.Literal('VIEW')]);
const State = Type.Object(
  { values: Type.Record(Type.String(), Type.Record(Type.String(), Loose)) },
  { description: '{values: {<blockId>: {<onAction>: {type, value} | {type, values}}}} (docs/pumble-api.md §12.7)' },
);

export const PresentedView = Type.Object(
  {
    id: Type.String(),
    appId: Type.String(),
    type: Type.Union([Type.Literal('MODAL'), Type.Literal('HOME')]),
    title: Type.Optional(Loose),
    blocks: Type.Array(Loose),
    state: Loose,
    version: Type.Integer({ description: '+1 per change; frames carry it, so a stale one can be dropped' }),
    updatedAt: Type.Number({ description: 'epoch ms' }),
    callbackId: Type.Optional(Type.String()),
    submit: Type.Optional(Loose),
    close: Type.Optional(Loose),
    notifyOnClose: Type.Optional(Type.Boolean()),
    showIcon: Type.Optional(Type.Boolean()),
    parentViewId: Type.Optional(Type.String({ description: 'the modal below this one in the stack' })),
    depth: Type.Optional(Type.Integer({ minimum: 1, maximum: 3 })),
    channelId: Type.Optional(Type.String({ description: 'the channel the stack was opened from' })),
  },
  { additionalProperties: true },
);

const Load = Type.Object({
  triggerId: Type.String(),
  appId: Type.String(),
  sourceType: Type.String(),
  sourceId: Type.String(),
  channelId: Type.Optional(Type.String()),
  blockId: Type.Optional(Type.String()),
  onAction: Type.String(),
  endsAt: Type.Number({ description: 'epoch ms: the loading state ends by itself then' }),
});

const Identifier = Type.String({ minLength: 1, maxLength: 255 });
const SourceFields = {
  sourceType: SourceType,
  sourceId: Type.String({ minLength: 1, maxLength: 64 }),
  channelId: Type.Optional(Type.String({ description: 'required for MESSAGE and EPHEMERAL_MESSAGE' })),
  blockId: Type.Optional(Identifier),
  onAction: Identifier,
};

/**
 * What a person does with apps (docs/app-platform.md §7.2–§7.5, §9.3–§9.5, §11.2): people only;
 * each route checks that the person may (membership, visibility, ownership of the view).
 */
export const interactionRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const tags = ['apps: interactions'];
  const security = sessionSecurity;
  const config = { scope: 'people' };

  app.get(
    '/v1/appActions',
    {
      config,
      schema: {
        tags,
        security,
        summary: "The installed apps' slash commands and global and message shortcuts (autocomplete, menus)",
        response: responses({
          200: Type.Object({
            slashCommands: Type.Array(Type.Object({ appId: Type.String(), appName: Type.String(), command: Type.String(), description: Type.Union([Type.String(), Type.Null()]), usageHint: Type.Union([Type.String(), Type.Null()]) })),
            shortcuts: Type.Array(
              Type.Object({
                appId: Type.String(),
                appName: Type.String(),
                shortcutType: Type.Union([Type.Literal('GLOBAL'), Type.Literal('ON_MESSAGE')]),
                name: Type.String(),
                displayName: Type.String(),
                description: Type.Union([Type.String(), Type.Null()]),
              }),
            ),
          }),
        }),
      },
    },
    async (request) => core.interactions.appActions(request.user),
  );

  app.post(
    '/v1/shortcuts',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Run a global shortcut in a channel, or a message shortcut on a message the caller sees: the app gets a SHORTCUT trigger',
        body: Type.Object({
          appId: Type.String({ minLength: 1, maxLength: 64 }),
          name: Type.String({ minLength: 1, maxLength: 255, description: "the shortcut's manifest name" }),
          channelId: Type.String({ minLength: 1, maxLength: 64 }),
          threadRootId: Type.Optional(Type.String({ maxLength: 64 })),
          messageId: Type.Optional(Type.String({ maxLength: 64, description: 'required for ON_MESSAGE shortcuts, refused for GLOBAL ones' })),
        }),
        response: responses({ 200: Type.Object({ triggerId: Type.String() }) }),
      },
    },
    async (request) => {
      const { triggerId, settled } = await core.interactions.runShortcut(request.user, request.body);
      detach(settled, request.log, 'shortcut');
      return { triggerId };
    },
  );

  app.post(
    '/v1/blockInteractions',
    {
      config,
      schema: {
        tags,
        security,
        summary: "A click or a choice on an element of an app's message, ephemeral message or view: the app gets a BLOCK_INTERACTION trigger",
        body: Type.Object({
          ...SourceFields,
          actionType: Type.Optional(Type.String({ minLength: 1, maxLength: 40, description: 'checked against the element when given; the server computes it' })),
          payload: Type.Optional(
            Type.Object({ value: Type.Optional(Type.Unknown()), values: Type.Optional(Type.Array(Type.String())) }, { description: '{value} (text, option, date) or {values} (checkboxes, [start, end]); a button needs none' }),
          ),
          state: Type.Optional(State),
        }),
        response: responses({ 200: Type.Object({ triggerId: Type.String(), loadingTimeout: Type.Integer({ description: 'ms; 0: no loading state' }) }) }),
      },
    },
    async (request) => {
      const { triggerId, loadingTimeout, settled } = await core.interactions.blockInteraction(request.user, request.body);
      detach(settled, request.log, 'block interaction');
      return { triggerId, loadingTimeout };
    },
  );

  const ViewParams = Type.Object({ viewId: IdParam });

  app.get(
    '/v1/views',
    {
      config,
      schema: {
        tags,
        security,
        summary: "The caller's open modals, bottom first, and running loading states (after a reconnect)",
        response: responses({ 200: Type.Object({ views: Type.Array(PresentedView), loading: Type.Array(Load) }) }),
      },
    },
    async (request) => ({
      views: (await core.views.openModals(request.user)).map(presentView),
      loading: (await core.interactions.activeLoads(request.user)).map(presentLoad),
    }),
  );

  app.post(
    '/v1/views/:viewId/submit',
    {
      config,
      schema: {
        tags,
        security,
        summary: 'Submit the top modal with its inputs: the app gets VIEW_ACTION SUBMIT; its answer arrives as view.* frames',
        params: ViewParams,
        body: Type.Object({ state: Type.Optional(State), version: Type.Optional(Type.Integer({ minimum: 1, description: '409 when the view changed since' })) }),
        response: responses({ 200: Empty }),
      },
    },
    async (request, reply) => {
      const { settled } = await core.interactions.submitView(request.user, request.params.viewId, request.body);
      detach(settled, request.log, 'view submit');
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/v1/views/:viewId/close',
    {
      config,
      schema: { tags, security, summary: 'Close a modal (and any above it); VIEW_ACTION CLOSE goes to apps that asked (notifyOnClose)', params: ViewParams, response: responses({ 200: Empty }) },
    },
    async (request, reply) => {
      const { settled } = await core.interactions.closeView(request.user, request.params.viewId);
      detach(settled, request.log, 'view close');
      return reply.code(200).send(undefined);
    },
  );

  app.post(
    '/v1/dynamicMenus/options',
    {
      config,
      schema: {
        tags,
        security,
        summary: "A dynamic menu's options for what the caller typed: the app gets DYNAMIC_MENU and has 3 s; no options on a nack or silence",
        body: Type.Object({
          ...SourceFields,
          query: Type.Optional(Type.String({ maxLength: 1000 })),
          // what the modal shows now, as with a block interaction from a view: a menu may depend on another input
          state: Type.Optional(State),
        }),
        response: responses({ 200: Type.Object({ options: Type.Array(Loose), message: Type.Optional(Type.String()) }) }),
      },
    },
    async (request) => {
      const { error, ...answer } = await core.interactions.dynamicMenuOptions(request.user, request.body);
      // The person gets no options; why is for the operator (docs/app-platform.md §9.5).
      if (error !== undefined) request.log.error({ err: error }, 'dynamic menu failed');
      return answer;
    },
  );

  app.get(
    '/v1/apps/:appId/homeView',
    {
      config,
      schema: {
        tags,
        security,
        summary: "An installed app's home view for the caller: the one it published, else its manifest's default",
        params: Type.Object({ appId: IdParam }),
        response: responses({ 200: PresentedView }),
      },
    },
    async (request) => presentView(await core.views.homeFor(request.user, request.params.appId)),
  );
};
