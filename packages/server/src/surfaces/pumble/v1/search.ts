/**
 * `POST /v1/messages/search` (docs/pumble-api.md §11.2; issue #14 item 5): the body the Pumble SDK's
 * `searchMessages` sends (`V1.MessageSearchRequest`), answered with `{content, totalElements,
 * hasMore}`, each hit a Message with `highlightedBlocks` where its text matched. What is found, and
 * who may see it, is the domain's (domain/search.ts); this is the wire.
 */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from 'typebox';
import type { FastifyRequest } from 'fastify';
import type { Core } from '../../../domain/index.js';
import { forbidden } from '../../../domain/errors.js';
import { MAX_SEARCH_TEXT, SEARCH_STRATEGIES, matchRanges, type SearchTerm } from '../../../domain/search.js';
import type { Message } from '../../../domain/model.js';
import { sessionSecurity } from '../authenticate.js';
import { presentMessage } from './present.js';
import { Id, Message as MessageSchema, responses } from './schemas.js';

/** §11.2: at most 20 a page; the SDK's default is 10 (`V1.MessageSearchRequest.limit`). */
export const MAX_V1_SEARCH_PAGE = 20;

const Loose = Type.Object({}, { additionalProperties: true });
const Day = Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'deprecated (SDK): YYYY-MM-DD in the caller’s time zone' });

export const SearchBody = Type.Object({
  text: Type.Optional(
    Type.String({
      maxLength: MAX_SEARCH_TEXT,
      description: 'words (all of them), "exact phrases", prefix*, and the filters in:#channel from:@person before:YYYY-MM-DD after:YYYY-MM-DD on:YYYY-MM-DD',
    }),
  ),
  from: Type.Optional(Type.Array(Id, { maxItems: 50, description: 'author workspace user ids' })),
  in: Type.Optional(Type.Array(Type.String({ minLength: 1, maxLength: 81 }), { maxItems: 50, description: 'channel ids (names, with or without #, also work)' })),
  strategy: Type.Optional(
    Type.Union(
      SEARCH_STRATEGIES.map((s) => Type.Literal(s)),
      { description: 'MOST_RECENT and NEWEST: newest first (the default); OLDEST; MOST_RELEVANT: best match first, then newest' },
    ),
  ),
  beforeTs: Type.Optional(Type.Integer({ minimum: 1, description: 'created before (epoch ms, exclusive)' })),
  afterTs: Type.Optional(Type.Integer({ minimum: 1, description: 'created after (epoch ms, exclusive)' })),
  before: Type.Optional(Day),
  after: Type.Optional(Day),
  fromMyChannelsOnly: Type.Optional(Type.Boolean({ description: 'only channels the caller is a member of, not every public one' })),
  skip: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_000_000, default: 0, description: 'matches to skip (paging)' })),
  limit: Type.Optional(Type.Integer({ minimum: 1, maximum: MAX_V1_SEARCH_PAGE, default: 10 })),
});

/** A hit: the Message of §12.1, and its text as rich_text with the matches in bold. */
const SearchHit = Type.Object({
  ...MessageSchema.properties,
  highlightedBlocks: Type.Optional(Type.Array(Loose, { description: 'the text as rich_text blocks, each match in bold' })),
});

/**
 * The message's text as one rich_text block (§12.7) whose matched words are bold text elements —
 * `undefined` when nothing in the text matched (a hit by the filters alone, or a match in words the
 * index splits differently).
 */
export function highlightedBlocks(text: string, terms: readonly SearchTerm[]): unknown[] | undefined {
  const ranges = matchRanges(text, terms);
  if (ranges.length === 0) return undefined;
  const elements: unknown[] = [];
  let at = 0;
  for (const [start, end] of ranges) {
    if (start > at) elements.push({ type: 'text', text: text.slice(at, start) });
    elements.push({ type: 'text', text: text.slice(start, end), style: { bold: true } });
    at = end;
  }
  if (at < text.length) elements.push({ type: 'text', text: text.slice(at) });
  return [{ type: 'rich_text', elements: [{ type: 'rich_text_section', elements }] }];
}

/** §11.2: the route needs channels:list beside messages:read (the route's own `scope`). */
async function alsoChannelsList(request: FastifyRequest): Promise<void> {
  if (request.app && !request.app.scopes.has('channels:list')) throw forbidden('Missing scope: channels:list');
}

export const searchRoutes: FastifyPluginAsyncTypebox<{ core: Core }> = async (app, { core }) => {
  const present = (m: Message, terms: readonly SearchTerm[]) => {
    const blocks = highlightedBlocks(m.text, terms);
    return { ...presentMessage(m), ...(blocks && { highlightedBlocks: blocks }) };
  };

  app.post(
    '/v1/messages/search',
    {
      config: { scope: 'messages:read' },
      onRequest: alsoChannelsList,
      schema: {
        tags: ['messages'],
        security: sessionSecurity,
        summary: 'Search the messages the caller can read (words, "phrases", prefix*, in: from: before: after: on:)',
        body: SearchBody,
        response: responses({ 200: Type.Object({ content: Type.Array(SearchHit), totalElements: Type.Integer(), hasMore: Type.Boolean() }) }),
      },
    },
    async (request) => {
      const { skip, limit, fromMyChannelsOnly, ...rest } = request.body;
      const found = await core.messages.search(request.user, {
        ...rest,
        ...(fromMyChannelsOnly === true && { myChannelsOnly: true }),
        ...(skip !== undefined && { offset: skip }),
        ...(limit !== undefined && { limit }),
      });
      return { content: found.messages.map((m) => present(m, found.terms)), totalElements: found.total, hasMore: found.hasMore };
    },
  );
};
