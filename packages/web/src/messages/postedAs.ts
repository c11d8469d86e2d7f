import type { Message } from '../lib/types';

/**
 * Messages an integration posted (docs/integrations.md §7.5), as GET
 * /v1/channels/{id}/messages and the realtime frames give it: a display name (`alias`), an avatar
 * URL (`avatar`) or an emoji (`emoji`, such as ":ghost:"), and `integrationId` when an incoming or
 * outgoing webhook posted it. `chat.postMessage` posts carry the first three but no integrationId.
 */

/**
 * A message an integration or a script posted (a webhook's, or `chat.postMessage` with an alias or
 * avatar): Rocket.Chat posts these with `groupable: false`, so it always starts a group of its own,
 * with its name and avatar, and the next message is not grouped under it.
 */
export function postedByIntegration(m: Message): boolean {
  return !!m.integrationId || m.alias !== undefined || !!m.avatar || !!m.emoji;
}

/**
 * The avatar URL to show, or undefined: https only, as the page's Content-Security-Policy allows
 * (`img-src 'self' data: https:`); an http URL would be refused by the browser anyway.
 */
export function avatarUrlOf(m: Message): string | undefined {
  const url = m.avatar;
  if (!url) return undefined;
  try {
    return new URL(url).protocol === 'https:' ? url : undefined;
  } catch {
    return undefined;
  }
}
