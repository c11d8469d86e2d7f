import { emojiOf } from '../lib/emoji';
import { lookupEmoji, useEmojiData } from '../emoji/data';
import type { WorkspaceUser } from '../lib/types';
import './status.css';

/** Whether a custom status still holds: the server drops ended ones, but a cached person may outlive the end. */
export const statusActive = (status: WorkspaceUser['customStatus'], now = Date.now()): status is NonNullable<WorkspaceUser['customStatus']> =>
  !!status && (!status.expiresAt || status.expiresAt > now);

/**
 * A person's custom status beside their name (messages): the emoji, with the status text as its
 * tooltip and accessible name. Part of the first load, so it is tiny: the full emoji set is fetched
 * only for a code outside the common few.
 */
export function StatusEmoji({ status }: { status: WorkspaceUser['customStatus'] }) {
  // Most rows' authors have none: no emoji-set observer for them (this renders once per visible message).
  return statusActive(status) ? <ActiveStatus code={status.code} text={status.status} /> : null;
}

function ActiveStatus({ code, text }: { code: string; text: string | undefined }) {
  const data = useEmojiData(!emojiOf(code)).data;
  const label = text || code;
  return (
    <span className="person-status" role="img" aria-label={label} title={label} data-testid="person-status">
      {lookupEmoji(data, code) ?? code}
    </span>
  );
}
