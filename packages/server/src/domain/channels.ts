import type { ChatStore } from './ports/chat-store.js';
import { commit, type CoreContext } from './context.js';
import { conflict, forbidden, invalid, MissingReference, notFound, UniqueViolation } from './errors.js';
import type { Notice } from './events.js';
import { isId, newId } from './ids.js';
import { isAdmin, type Channel, type ChannelType, type User } from './model.js';

const CHANNEL_NAME = /^[\p{L}\p{N}_.\- ]{1,80}$/u;

/** Who may archive, rename, describe a channel or remove its members: owners and admins, and its creator (the web client's channelActions.ts mirrors it). */
const mayManage = (actor: User, channel: Channel) => isAdmin(actor) || channel.createdBy === actor.id;
export const MAX_DIRECT_PARTICIPANTS = 8;

/** A channel as one user sees it. */
export interface ChannelView {
  channel: Channel;
  isMember: boolean;
  /** member ids, where the caller asked for one channel or for direct channels */
  memberIds?: string[];
}

/**
 * Who may see a channel: members always; for PUBLIC channels also every non-guest.
 * Anyone else gets the same 404 as for a channel that does not exist.
 */
export async function visibleChannel(tx: ChatStore, actor: User, channelId: string): Promise<{ channel: Channel; isMember: boolean }> {
  const found = isId(channelId) ? await tx.channelFor(actor.workspaceId, channelId, actor.id) : undefined;
  if (!found) throw notFound('Channel');
  const { channel, isMember } = found;
  if (isMember) return { channel, isMember };
  if (channel.type === 'PUBLIC' && actor.role !== 'GUEST') return { channel, isMember };
  throw notFound('Channel');
}

/** Everyone who may see events about the channel itself. */
export async function channelAudience(tx: ChatStore, channel: Channel): Promise<string[]> {
  const members = await tx.memberIds(channel.id);
  if (channel.type !== 'PUBLIC') return members;
  return [...new Set([...members, ...(await tx.nonGuestUserIds(channel.workspaceId))])];
}

function directKey(ids: readonly string[]): string {
  return [...ids].sort().join(',');
}

export class Channels {
  constructor(
    private readonly ctx: CoreContext,
    /** what other features do when a channel is renamed, in its transaction (cascades.ts channelRenamed) */
    private readonly renamed: (tx: ChatStore, e: { workspaceId: string; from: string; to: string; at: number }) => Promise<void>,
  ) {}

  async list(actor: User, types?: readonly ChannelType[]): Promise<ChannelView[]> {
    const { store } = this.ctx;
    const [channels, memberships] = await Promise.all([
      store.channelsVisibleTo(actor.workspaceId, actor.id, actor.role !== 'GUEST'),
      store.membershipsOf(actor.id),
    ]);
    const views: ChannelView[] = [];
    for (const channel of channels) {
      if (types && !types.includes(channel.type)) continue;
      const view: ChannelView = { channel, isMember: memberships.has(channel.id) };
      if (channel.type === 'DIRECT' || channel.type === 'SELF') view.memberIds = await store.memberIds(channel.id);
      views.push(view);
    }
    return views;
  }

  /** The id of the actor's workspace's main channel (Rocket.Chat calls it `GENERAL`); who may see it is get()'s rule. */
  async mainId(actor: User): Promise<string | undefined> {
    return (await this.ctx.store.mainChannel(actor.workspaceId))?.id;
  }

  async get(actor: User, channelId: string): Promise<ChannelView> {
    const { channel, isMember } = await visibleChannel(this.ctx.store, actor, channelId);
    return { channel, isMember, memberIds: await this.ctx.store.memberIds(channel.id) };
  }

  async create(actor: User, input: { name: string; type?: 'PUBLIC' | 'PRIVATE'; description?: string }): Promise<ChannelView> {
    if (actor.role === 'GUEST') throw forbidden('Guests cannot create channels');
    const name = input.name.trim();
    if (!CHANNEL_NAME.test(name)) throw invalid('name', 'must be 1–80 letters, digits, _, -, . or spaces');
    const description = input.description ?? '';
    if (description.length > 250) throw invalid('description', 'must be at most 250 characters');
    const type = input.type ?? 'PUBLIC';
    try {
      return await commit(this.ctx, async (tx, notices) => {
        const t = this.ctx.now();
        const id = newId(t);
        await tx.insertChannel({ id, workspaceId: actor.workspaceId, type, name, directKey: null, description, createdBy: actor.id, now: t });
        const channel = (await tx.channel(actor.workspaceId, id))!;
        await tx.addMembers(channel, [actor.id], actor.id, t);
        notices.push({ workspaceId: actor.workspaceId, audience: await channelAudience(tx, channel), event: { type: 'channel.created', channel } });
        return { channel, isMember: true, memberIds: [actor.id] };
      });
    } catch (e) {
      if (e instanceof UniqueViolation) throw conflict(`A channel named "${name}" already exists`);
      throw e;
    }
  }

  async addMembers(actor: User, channelId: string, userIds: readonly string[]): Promise<{ channelId: string; addedUserIds: string[] }> {
    return commit(this.ctx, async (tx, notices) => {
      const { channel, isMember } = await visibleChannel(tx, actor, channelId);
      if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden('Members of a direct channel cannot change');
      if (channel.isArchived) throw forbidden('Channel is archived');
      if (!isMember && !isAdmin(actor)) throw forbidden('Only members of the channel can add people to it');
      if (actor.role === 'GUEST') throw forbidden('Guests cannot add people to channels');
      const users = await tx.users(actor.workspaceId, [...new Set(userIds)].filter(isId));
      const found = new Set(users.filter((u) => u.status === 'ACTIVATED').map((u) => u.id));
      userIds.forEach((id, i) => {
        if (!found.has(id)) throw invalid(`userIds[${i}]`, 'no active workspace user with this id');
      });
      const added = await this.addMembersIfThere(tx, channel, userIds, actor.id);
      if (added.length > 0) notices.push(await this.joinedNotice(tx, channel, added, actor.id));
      return { channelId: channel.id, addedUserIds: added };
    });
  }

  async join(actor: User, channelId: string): Promise<ChannelView> {
    return commit(this.ctx, async (tx, notices) => {
      const { channel, isMember } = await visibleChannel(tx, actor, channelId);
      if (!isMember) {
        if (channel.type !== 'PUBLIC') throw notFound('Channel');
        if (channel.isArchived) throw forbidden('Channel is archived');
        await this.addMembersIfThere(tx, channel, [actor.id], actor.id);
        notices.push(await this.joinedNotice(tx, channel, [actor.id], actor.id));
      }
      return { channel, isMember: true, memberIds: await tx.memberIds(channel.id) };
    });
  }

  async leave(actor: User, channelId: string): Promise<void> {
    await this.removeMember(actor, channelId, actor.id);
  }

  /** Leaving is open to every member; removing someone else takes an admin or the channel's creator. */
  async removeMember(actor: User, channelId: string, userId: string): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const { channel } = await visibleChannel(tx, actor, channelId);
      if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden('Members of a direct channel cannot change');
      if (channel.isMain) throw forbidden('Nobody leaves the general channel');
      if (userId !== actor.id && !mayManage(actor, channel)) {
        throw forbidden('Only admins and the channel creator can remove other members');
      }
      // The same audience as member.joined: everyone who may see the channel, the leaver included.
      const audience = await channelAudience(tx, channel);
      if (!isId(userId) || !(await tx.removeMember(channel.id, userId))) throw notFound('Channel member');
      notices.push({
        workspaceId: channel.workspaceId,
        audience,
        event: { type: 'member.left', channelId: channel.id, userId, removedBy: userId === actor.id ? null : actor.id },
      });
    });
  }

  async archive(actor: User, channelId: string): Promise<ChannelView> {
    return this.setArchived(actor, channelId, true);
  }

  /**
   * Renames a channel or changes its description (extension; the web client's Edit channel):
   * admins and its creator (mayManage), not while it is archived, nor a direct channel; the general
   * channel keeps its name, its description may change. Integrations naming it `#old` follow the rename
   * (cascades.ts). Everyone who can see it hears `channel.updated`.
   */
  async update(actor: User, channelId: string, input: { name?: string; description?: string }): Promise<ChannelView> {
    const name = input.name?.trim();
    if (name !== undefined && !CHANNEL_NAME.test(name)) throw invalid('name', 'must be 1–80 letters, digits, _, -, . or spaces');
    if (input.description !== undefined && input.description.length > 250) throw invalid('description', 'must be at most 250 characters');
    try {
      return await commit(this.ctx, async (tx, notices) => {
        const { channel, isMember } = await visibleChannel(tx, actor, channelId);
        if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden('Direct channels have no name or description to change');
        if (!mayManage(actor, channel)) throw forbidden('Only admins and the channel creator can change it');
        if (channel.isArchived) throw forbidden('Channel is archived');
        const renamed = name !== undefined && name !== channel.name;
        if (renamed && channel.isMain) throw forbidden('The general channel keeps its name');
        const described = input.description !== undefined && input.description !== channel.description;
        if (!renamed && !described) return { channel, isMember };
        const t = this.ctx.now();
        await tx.updateChannel(channel.id, { ...(renamed && { name }), ...(described && { description: input.description }) }, t);
        if (renamed && channel.name) await this.renamed(tx, { workspaceId: channel.workspaceId, from: channel.name, to: name, at: t });
        const changed = (await tx.channel(actor.workspaceId, channel.id))!;
        notices.push({ workspaceId: channel.workspaceId, audience: await channelAudience(tx, changed), event: { type: 'channel.updated', channel: changed } });
        return { channel: changed, isMember };
      });
    } catch (e) {
      if (e instanceof UniqueViolation) throw conflict(`A channel named "${name}" already exists`);
      throw e;
    }
  }

  /** Undoes an archive: the channel takes posts again. The same people may do it. */
  async unarchive(actor: User, channelId: string): Promise<ChannelView> {
    return this.setArchived(actor, channelId, false);
  }

  /** Archiving and unarchiving: one rule, one event each way; a channel already so is left as it is, silently. */
  private async setArchived(actor: User, channelId: string, archived: boolean): Promise<ChannelView> {
    const verb = archived ? 'archive' : 'unarchive';
    return commit(this.ctx, async (tx, notices) => {
      const { channel, isMember } = await visibleChannel(tx, actor, channelId);
      if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden(`Direct channels cannot be ${verb}d`);
      if (channel.isMain) throw forbidden(`The general channel cannot be ${verb}d`);
      if (!mayManage(actor, channel)) throw forbidden(`Only admins and the channel creator can ${verb} it`);
      if (channel.isArchived === archived) return { channel, isMember };
      await tx.updateChannel(channel.id, { isArchived: archived }, this.ctx.now());
      const changed = (await tx.channel(actor.workspaceId, channel.id))!;
      notices.push({
        workspaceId: channel.workspaceId,
        audience: await channelAudience(tx, changed),
        event: { type: archived ? 'channel.archived' : 'channel.unarchived', channel: changed, actorId: actor.id },
      });
      return { channel: changed, isMember };
    });
  }

  /**
   * Deletes a channel for good, archived or not: its messages, reactions and memberships go with it
   * (a hard delete; archiving is the way to keep history). Admins only; the general channel and
   * direct channels stay. Everyone who could see the channel hears of it live; apps hear through
   * its members as they were (§8.1).
   */
  async delete(actor: User, channelId: string): Promise<void> {
    await commit(this.ctx, async (tx, notices) => {
      const { channel } = await visibleChannel(tx, actor, channelId);
      if (!isAdmin(actor)) throw forbidden('Only owners and admins can delete a channel');
      if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden('Direct channels cannot be deleted');
      if (channel.isMain) throw forbidden('The general channel cannot be deleted');
      const audience = await channelAudience(tx, channel);
      const memberIds = await tx.memberIds(channel.id);
      if (!(await tx.deleteChannel(channel.id))) throw notFound('Channel');
      notices.push({ workspaceId: channel.workspaceId, audience, event: { type: 'channel.deleted', channel, memberIds, actorId: actor.id } });
    });
  }

  /**
   * The administration's list: every PUBLIC and PRIVATE channel of the workspace, the private ones
   * the admin is not in included — names and settings only: reading, archiving or changing them
   * still takes membership (a private channel exists only for its members).
   */
  async listAll(actor: User): Promise<ChannelView[]> {
    if (!isAdmin(actor)) throw forbidden('Only owners and admins can list every channel');
    const [channels, memberships] = await Promise.all([this.ctx.store.namedChannels(actor.workspaceId), this.ctx.store.membershipsOf(actor.id)]);
    return channels.map((channel) => ({ channel, isMember: memberships.has(channel.id) }));
  }

  /**
   * Owners and admins turn a channel PUBLIC or PRIVATE; its members stay. The general channel stays
   * public, direct channels have no privacy to change. Everyone who could see it before or can see
   * it after hears `channel.updated`: lists gain it or drop it, lock icons change, in open tabs.
   */
  async setPrivacy(actor: User, channelId: string, type: 'PUBLIC' | 'PRIVATE'): Promise<ChannelView> {
    if (type !== 'PUBLIC' && type !== 'PRIVATE') throw invalid('type', 'must be PUBLIC or PRIVATE');
    return commit(this.ctx, async (tx, notices) => {
      // A private channel exists only for its members, admins included (as for archiving): turning
      // it public from outside would be a way into it.
      const { channel, isMember } = await visibleChannel(tx, actor, channelId);
      if (!isAdmin(actor)) throw forbidden("Only owners and admins can change a channel's privacy");
      if (channel.type === 'DIRECT' || channel.type === 'SELF') throw forbidden('Direct channels have no privacy to change');
      if (channel.isMain) throw forbidden('The general channel stays public');
      if (channel.type === type) return { channel, isMember };
      await tx.updateChannel(channel.id, { type }, this.ctx.now());
      const changed = (await tx.channel(actor.workspaceId, channel.id))!;
      // The public audience is the wider one, before (turning private) or after (turning public).
      const audience = await channelAudience(tx, { ...changed, type: 'PUBLIC' });
      notices.push({ workspaceId: channel.workspaceId, audience, event: { type: 'channel.updated', channel: changed } });
      return { channel: changed, isMember };
    });
  }

  /** The existing direct channel of exactly these people (the caller among them), or 404. */
  async findDirect(actor: User, participantIds: readonly string[]): Promise<ChannelView> {
    const ids = this.participants(actor, participantIds);
    const channel = await this.ctx.store.directChannel(actor.workspaceId, directKey(ids));
    if (!channel) throw notFound('Direct channel');
    return { channel, isMember: true, memberIds: ids };
  }

  /** Get-or-create: the same set of people always gets the same channel. */
  async openDirect(actor: User, participantIds: readonly string[]): Promise<ChannelView> {
    const ids = this.participants(actor, participantIds);
    const key = directKey(ids);
    const existing = await this.ctx.store.directChannel(actor.workspaceId, key);
    if (existing) return { channel: existing, isMember: true, memberIds: ids };
    const users = await this.ctx.store.users(actor.workspaceId, ids);
    participantIds.forEach((id, i) => {
      if (!users.some((u) => u.id === id && u.status === 'ACTIVATED')) throw invalid(`participantIds[${i}]`, 'no active workspace user with this id');
    });
    try {
      return await commit(this.ctx, async (tx, notices) => {
        const t = this.ctx.now();
        const id = newId(t);
        const type = ids.length === 1 ? 'SELF' : 'DIRECT';
        await tx.insertChannel({ id, workspaceId: actor.workspaceId, type, name: null, directKey: key, description: '', createdBy: actor.id, now: t });
        const channel = (await tx.channel(actor.workspaceId, id))!;
        await tx.addMembers(channel, ids, actor.id, t);
        notices.push({ workspaceId: actor.workspaceId, audience: ids, event: { type: 'channel.created', channel } });
        return { channel, isMember: true, memberIds: ids };
      });
    } catch (e) {
      // Two callers raced to create the same DM: the loser returns the winner's channel.
      if (e instanceof UniqueViolation) return this.findDirect(actor, participantIds);
      throw e;
    }
  }

  private participants(actor: User, participantIds: readonly string[]): string[] {
    participantIds.forEach((id, i) => {
      if (!isId(id)) throw invalid(`participantIds[${i}]`, 'must be a workspace user id');
    });
    const ids = [...new Set([actor.id, ...participantIds])].sort();
    if (ids.length > MAX_DIRECT_PARTICIPANTS) {
      throw invalid('participantIds', `a direct channel has at most ${MAX_DIRECT_PARTICIPANTS} people, the caller included`);
    }
    return ids;
  }

  /** Adds members; a channel deleted (and committed) while this was under way is not found. */
  private addMembersIfThere(tx: ChatStore, channel: Channel, userIds: readonly string[], addedBy: string): Promise<string[]> {
    return tx.addMembers(channel, userIds, addedBy, this.ctx.now()).catch((e: unknown) => {
      throw e instanceof MissingReference ? notFound('Channel') : e;
    });
  }

  private async joinedNotice(tx: ChatStore, channel: Channel, userIds: string[], addedBy: string): Promise<Notice> {
    return {
      workspaceId: channel.workspaceId,
      audience: await channelAudience(tx, channel),
      event: { type: 'member.joined', channelId: channel.id, userIds, addedBy },
    };
  }
}
