/**
 * What an outgoing-webhook event is about (docs/integrations.md §8.4), in the domain's terms: the
 * room, message and people as the payloads may describe them. Built field by field from narrow
 * inputs (outgoing-events.ts), so secrets (password hashes, login tokens, 2FA data) cannot leak into
 * a payload even if a caller hands over a richer record. The payload itself is the Rocket.Chat
 * surface's rendering (surfaces/rocketchat/outgoing/payload.ts, docs/architecture.md §3.1).
 */
import type { ChannelType } from '../model.js';

/** A user as the payload describes it. */
export interface PayloadUser {
  id: string;
  username: string;
  name: string;
  isBot: boolean;
  active: boolean;
  /** the role names of the permission model (`rolesOf`, roles.ts) */
  roles: readonly string[];
  createdAt: number;
}

export interface PayloadRoom {
  id: string;
  type: ChannelType;
  name: string | null;
  createdBy: { id: string; username: string } | null;
  createdAt: number;
  isArchived: boolean;
  /** DMs: the participants' usernames */
  usernames?: readonly string[];
}

export interface PayloadMessage {
  id: string;
  roomId: string;
  text: string;
  createdAt: number;
  author: { id: string; username: string; name: string };
  threadRootId: string | null;
  editedAt?: number | null;
  alias?: string | null;
  /** set on messages posted by an integration or bot */
  bot?: { i: string } | null;
  file?: unknown;
  files?: unknown[];
  attachments?: unknown[] | null;
}

/** What each event is about. */
export type OutgoingEventData =
  | { event: 'sendMessage'; room: PayloadRoom; message: PayloadMessage; user: PayloadUser; triggerWord?: string }
  | { event: 'fileUploaded'; room: PayloadRoom; message: PayloadMessage; user: PayloadUser }
  | { event: 'roomCreated'; room: PayloadRoom; owner: PayloadUser | null }
  | { event: 'roomArchived' | 'roomJoined' | 'roomLeft'; room: PayloadRoom; user: PayloadUser }
  | { event: 'userCreated'; user: PayloadUser };
