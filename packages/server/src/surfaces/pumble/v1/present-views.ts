/**
 * Views and loading states as people's clients see them (docs/pumble-api.md §4.2 `view.*`,
 * `interaction.*` frames; §5 `/v1/views`): the server's fields and what the client draws. The
 * app's extra keys (its private metadata) are never sent to clients.
 */
import type { InteractionLoad, View } from '../../../domain/ports/views.js';

export function presentView(v: View) {
  const d = v.document;
  const has = (key: string) => d[key] !== undefined && d[key] !== null;
  return {
    id: v.id,
    appId: v.appId,
    type: v.type,
    ...(has('title') && { title: d.title }),
    blocks: Array.isArray(d.blocks) ? d.blocks : [],
    state: v.state,
    version: v.version,
    updatedAt: v.updatedAt,
    ...(v.type === 'MODAL' && {
      callbackId: v.callbackId ?? '',
      notifyOnClose: v.notifyOnClose,
      depth: v.depth,
      ...(has('submit') && { submit: d.submit }),
      ...(has('close') && { close: d.close }),
      ...(typeof d.showIcon === 'boolean' && { showIcon: d.showIcon }),
      ...(v.stackParentId && { parentViewId: v.stackParentId }),
      ...(v.channelId && { channelId: v.channelId }),
    }),
  };
}

export function presentLoad(l: InteractionLoad) {
  return {
    triggerId: l.triggerId,
    appId: l.appId,
    sourceType: l.sourceType,
    sourceId: l.sourceId,
    ...(l.channelId && { channelId: l.channelId }),
    ...(l.blockId && { blockId: l.blockId }),
    onAction: l.onAction,
    endsAt: l.endsAt,
  };
}
