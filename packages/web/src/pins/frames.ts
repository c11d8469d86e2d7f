/**
 * The pin and saved-message frames (docs/pumble-api.md §4.2; web-client.md §6.1) as changes to the
 * query cache, and what other frames mean for pins and saves. applyFrame hands every frame here.
 */
import type { QueryClient } from '@tanstack/react-query';
import type { Message } from '../lib/types';
import type { Frame } from '../realtime/socket';
import type { Pin } from './types';
import { addPin, pinsKey, removePin, savedIdsKey, savedKey, setSaved, updatePinnedOrSaved } from './queries';

export function applyPinFrame(qc: QueryClient, frame: Frame): void {
  switch (frame.type) {
    case 'message.pinned':
      addPin(qc, frame.pin as Pin);
      break;
    case 'message.unpinned':
      removePin(qc, frame.channelId as string, frame.messageId as string);
      break;
    case 'message.saved':
      setSaved(qc, frame.channelId as string, frame.messageId as string, true);
      break;
    case 'message.unsaved':
      setSaved(qc, frame.channelId as string, frame.messageId as string, false);
      break;
    case 'message.updated':
      updatePinnedOrSaved(qc, frame.message as Message);
      break;
    case 'message.deleted':
      // The server unpins and unsaves it too (and says so); a member hears this first.
      removePin(qc, frame.channelId as string, frame.messageId as string);
      setSaved(qc, frame.channelId as string, frame.messageId as string, false);
      break;
    case 'channel.deleted':
      qc.removeQueries({ queryKey: pinsKey(frame.channelId as string) });
      qc.removeQueries({ queryKey: savedIdsKey(frame.channelId as string) });
      void qc.invalidateQueries({ queryKey: savedKey });
      break;
    case 'member.left':
    case 'channel.updated':
      // Who may see a channel changed: the Saved view shows only what the person may still read.
      void qc.invalidateQueries({ queryKey: savedKey });
      break;
    default:
      break;
  }
}
