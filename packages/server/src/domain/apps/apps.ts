import { commit } from '../context.js';
import type { CoreContext } from '../context.js';
import { conflict, DomainError, notFound, UniqueViolation } from '../errors.js';
import { isId, newId } from '../ids.js';
import type { Keyring } from '../keyring.js';
import type { User } from '../model.js';
import { hashToken, newToken } from '../secrets.js';
import { validateManifest, type Manifest } from './manifest.js';
import { checkUrlSyntax, outboundWarnings, type OutboundWarning } from '../outbound-urls.js';
import type { OutboundPolicy } from '../outbound-policy.js';
import type { FieldError } from '../errors.js';
import type { DeliveryStatus, DeliveryWithAttempts } from '../ports/deliveries.js';
import type { App } from '../ports/chat-store.js';
import { appUninstalled } from '../cascades.js';
import { SocketMode } from './socket-mode.js';
import { eventDestination } from './app-event-routing.js';

const DELIVERY_ID = /^msg_[0-9A-HJKMNP-TV-Z]{26}$/;

export interface AppSecrets {
  clientSecret: string;
  appKey: string;
  signingSecret: string;
}

/** An app as its owner sees it: the manifest, its id, and (where allowed) its secrets. */
export interface AppView {
  id: string;
  manifest: Manifest;
  published: boolean;
  secrets?: AppSecrets;
}

export const SIGNING_GRACE_MS = 24 * 3600_000;

/** The secret to sign with now, and the one from before a rotation while its grace lasts. */
export function signingSecretsOf(app: App, keyring: Keyring, now: number): { current: string; previous: string[] } {
  const previous =
    app.previousSigningSecretSealed && app.previousSigningUntil !== null && app.previousSigningUntil > now
      ? [keyring.decrypt(app.previousSigningSecretSealed)]
      : [];
  return { current: keyring.decrypt(app.signingSecretSealed), previous };
}

function newSecrets(): AppSecrets {
  // 256 bits each; appKey travels on every API call as x-app-token.
  return { clientSecret: newToken(), appKey: newToken(), signingSecret: newToken() };
}

/**
 * Apps and their manifests (docs/app-platform.md §3–§4). Only the owner reads, changes, rotates
 * or deletes an app; anyone else gets the 404 of an app that does not exist.
 */
export class Apps {
  constructor(
    private readonly ctx: CoreContext,
    private readonly keyring: Keyring,
    /** the policy outbound calls obey, to warn about URLs it will refuse; without one, no warnings */
    private readonly outbound?: OutboundPolicy,
  ) {}

  /**
   * The manifest's URLs that the outbound policy will refuse to call although the manifest is
   * saved (loopback, private networks...): a developer's first local app would otherwise just
   * look offline. Addresses no setting allows are refused at save time instead (see validate).
   */
  outboundWarnings(manifest: Manifest): OutboundWarning[] {
    return this.outbound ? outboundWarnings(calledUrls(manifest), this.outbound) : [];
  }

  async create(actor: User, input: unknown): Promise<AppView> {
    const mine = await this.ctx.store.appsOwnedBy(actor.workspaceId, actor.id);
    const manifest = this.validate(input, mine.map((a) => a.name));
    const secrets = newSecrets();
    const t = this.ctx.now();
    const app: App = {
      id: newId(t),
      workspaceId: actor.workspaceId,
      ownerId: actor.id,
      name: manifest.name,
      manifest,
      ...this.seal(secrets),
      previousSigningSecretSealed: null,
      previousSigningUntil: null,
      published: false,
      builtin: null,
      createdAt: t,
      updatedAt: t,
    };
    try {
      await this.ctx.store.insertApp(app);
    } catch (e) {
      if (e instanceof UniqueViolation) throw nameTaken(manifest.name);
      throw e;
    }
    return { id: app.id, manifest, published: false, secrets };
  }

  /** Replaces the manifest; secrets stay as they are (and are returned, like create). */
  async update(actor: User, appId: string, input: unknown): Promise<AppView> {
    const app = await this.owned(actor, appId);
    const others = (await this.ctx.store.appsOwnedBy(actor.workspaceId, actor.id)).filter((a) => a.id !== app.id);
    const manifest = this.validate(input, others.map((a) => a.name));
    try {
      await commit(this.ctx, async (tx, notices) => {
        await tx.updateApp(app.id, { name: manifest.name, manifest, updatedAt: this.ctx.now() });
        // docs/app-platform.md §10.1: an app that leaves socket mode keeps no socket open.
        if (app.manifest.socketMode && !manifest.socketMode) await SocketMode.revoke(tx, notices, app, 'socket_mode_off');
        // Events waiting for their next attempt follow the app to its new destination (a socket
        // left for a URL, or back, or a new URL), due at once: left behind, they could only fail.
        const after = eventDestination(manifest);
        if (after && after !== eventDestination(app.manifest)) await tx.deliveries.retargetPending(app.id, after, this.ctx.now());
      });
    } catch (e) {
      if (e instanceof UniqueViolation) throw nameTaken(manifest.name);
      throw e;
    }
    return { id: app.id, manifest, published: app.published, secrets: this.unseal(app) };
  }

  /**
   * Makes sure the workspace has its copy of a built-in app with the current manifest (at every
   * start: the manifest follows the server's version and PUBLIC_URL). Its row names the workspace
   * owner as owner (the column must name a user), but app management never lists, edits or deletes
   * a built-in app, and the store keys its name apart from the owner's own apps (store/app-rows.ts).
   */
  async ensureBuiltin(workspaceId: string, builtin: string, manifest: Manifest): Promise<App | undefined> {
    const existing = await this.ctx.store.builtinApp(workspaceId, builtin);
    const t = this.ctx.now();
    if (existing) {
      // Both are JSON-shaped manifests: the same text means the same manifest, and an unchanged one is not written.
      if (JSON.stringify(existing.manifest) !== JSON.stringify(manifest)) await this.ctx.store.updateApp(existing.id, { manifest, updatedAt: t });
      return (await this.ctx.store.app(existing.id))!;
    }
    const people = (await this.ctx.store.users(workspaceId)).filter((u) => !u.isBot);
    const owner = people.find((u) => u.role === 'OWNER') ?? people[0];
    if (!owner) return undefined;
    const app: App = {
      id: newId(t),
      workspaceId,
      ownerId: owner.id,
      name: manifest.name,
      manifest,
      ...this.seal(newSecrets()),
      previousSigningSecretSealed: null,
      previousSigningUntil: null,
      published: false,
      builtin,
      createdAt: t,
      updatedAt: t,
    };
    try {
      await this.ctx.store.insertApp(app);
    } catch (e) {
      // Another server process of the same deployment created it first.
      if (!(e instanceof UniqueViolation)) throw e;
    }
    return (await this.ctx.store.builtinApp(workspaceId, builtin)) ?? app;
  }

  async listMine(actor: User): Promise<AppView[]> {
    const apps = await this.ctx.store.appsOwnedBy(actor.workspaceId, actor.id);
    return apps.map((a) => ({ id: a.id, manifest: a.manifest, published: a.published }));
  }

  async getMine(actor: User, appId: string): Promise<AppView> {
    const app = await this.owned(actor, appId);
    return { id: app.id, manifest: app.manifest, published: app.published, secrets: this.unseal(app) };
  }

  /**
   * Deletes an unpublished app: uninstalled everywhere at once (every token and authorization ends,
   * APP_UNINSTALLED recorded), then gone. Published apps are installed elsewhere too: refused (409).
   */
  async delete(actor: User, appId: string): Promise<void> {
    const app = await this.owned(actor, appId);
    if (app.published) throw conflict('A published app cannot be deleted');
    await commit(this.ctx, async (tx, notices) => {
      for (const inst of await tx.installationsOfApp(app.id)) {
        await tx.deleteInstallation(inst.id);
        // Deleting is uninstalling everywhere: what other features do on an uninstall happens too —
        // people's open modals of the app close on screen (docs/app-platform.md §9.3) — through the same path.
        await appUninstalled(tx, { appId: app.id, workspaceId: inst.workspaceId, actorId: actor.id, at: this.ctx.now() }, notices);
        notices.push({
          workspaceId: inst.workspaceId,
          audience: [],
          event: { type: 'app.uninstalled', appId: app.id, installationId: inst.id, installedBy: inst.installedBy, botUserId: inst.botUserId, at: this.ctx.now() },
        });
      }
      // An app installed nowhere has had its sockets revoked above; one never installed may hold some too (§10.1).
      await SocketMode.revoke(tx, notices, app, 'app_gone');
      await tx.deleteApp(app.id);
    });
  }

  // ---- the delivery log (docs/delivery.md §8): the owner sees and replays their app's deliveries ----

  async deliveries(actor: User, appId: string, q: { limit?: number; before?: string; status?: DeliveryStatus }): Promise<DeliveryWithAttempts[]> {
    const app = await this.owned(actor, appId);
    return this.ctx.store.deliveries.list({ endpointId: app.id, limit: Math.min(Math.max(q.limit ?? 50, 1), 200), ...(q.before && { before: q.before }), ...(q.status && { status: q.status }) });
  }

  /** Sends one delivery again, same id, as a new attempt sequence marked manual. */
  async replayDelivery(actor: User, appId: string, deliveryId: string): Promise<void> {
    const app = await this.owned(actor, appId);
    // Delivery ids are `msg_<ULID>` (docs/delivery.md §2.3): anything else names no delivery (and a NUL
    // would fail in PostgreSQL rather than match nothing).
    if (!DELIVERY_ID.test(deliveryId)) throw notFound('Delivery');
    const found = await this.ctx.store.deliveries.delivery(deliveryId);
    if (!found || found.endpointId !== app.id) throw notFound('Delivery');
    const outcome = await commit(this.ctx, (tx) => tx.deliveries.replay(deliveryId, this.ctx.now()));
    if (outcome === 'not-found') throw notFound('Delivery');
    if (outcome === 'pending') throw conflict('This delivery is still pending');
    if (outcome === 'endpoint-disabled') throw conflict('Event deliveries of this app are disabled; enable them first');
    if (outcome === 'payload-not-stored') throw conflict('The payload of this delivery was not kept');
    if (outcome === 'not-a-delivery') throw conflict('This entry of the log is a warning, not a delivery: there is nothing to send');
  }

  /** Re-queues every failed delivery of the app created in [since, until). */
  async recoverDeliveries(actor: User, appId: string, since: number, until: number): Promise<{ requeued: number }> {
    const app = await this.owned(actor, appId);
    const r = await commit(this.ctx, (tx) => tx.deliveries.recover(app.id, since, until, this.ctx.now()));
    if ('refused' in r) throw conflict('Event deliveries of this app are disabled; enable them first');
    return r;
  }

  /** Re-enables an auto-disabled (or 410-disabled) event subscription. */
  async enableEvents(actor: User, appId: string): Promise<void> {
    const app = await this.owned(actor, appId);
    await commit(this.ctx, (tx) => tx.deliveries.enableEndpoint(app.id));
  }

  /** All three secrets anew; the old ones stop working at once. */
  async rotateSecrets(actor: User, appId: string): Promise<AppSecrets> {
    const app = await this.owned(actor, appId);
    const secrets = newSecrets();
    const now = this.ctx.now();
    await commit(this.ctx, async (tx, notices) => {
      await tx.updateApp(app.id, {
        ...this.seal(secrets),
        // docs/delivery.md §4.1: receivers on Standard Webhooks keep verifying with the old key for a day.
        previousSigningSecretSealed: app.signingSecretSealed,
        previousSigningUntil: now + SIGNING_GRACE_MS,
        updatedAt: now,
      });
      // docs/app-platform.md §10.1: sockets opened with the old appKey close on every node.
      await SocketMode.revoke(tx, notices, app, 'secrets_rotated');
    });
    return secrets;
  }

  private validate(input: unknown, otherAppNames: string[]): Manifest {
    const validated = validateManifest(input, { otherAppNames });
    // docs/delivery.md §9.6: the URLs we will call are refused now when they name an address outbound
    // requests may never reach (metadata, link-local...); host names are checked at connect time.
    const result = validated.ok ? withBlockedUrls(validated.manifest) : validated;
    if (!result.ok) {
      const first = result.errors[0]!;
      const more = result.errors.length > 1 ? ` (and ${result.errors.length - 1} more)` : '';
      throw new DomainError('invalid', `Invalid manifest: ${first.field || 'manifest'}: ${first.message}${more}`, result.errors);
    }
    return result.manifest;
  }

  private async owned(actor: User, appId: string): Promise<App> {
    const app = isId(appId) ? await this.ctx.store.app(appId) : undefined;
    if (!app || app.builtin !== null || app.ownerId !== actor.id || app.workspaceId !== actor.workspaceId) throw notFound('App');
    return app;
  }

  private seal(s: AppSecrets) {
    return {
      clientSecretSealed: this.keyring.encrypt(s.clientSecret),
      appKeySealed: this.keyring.encrypt(s.appKey),
      appKeyHash: hashToken(s.appKey),
      signingSecretSealed: this.keyring.encrypt(s.signingSecret),
    };
  }

  private unseal(app: App): AppSecrets {
    return {
      clientSecret: this.keyring.decrypt(app.clientSecretSealed),
      appKey: this.keyring.decrypt(app.appKeySealed),
      signingSecret: this.keyring.decrypt(app.signingSecretSealed),
    };
  }
}

/** Every URL of the manifest that Switchboard calls, with its field; absent and socket-mode ones blank. */
function calledUrls(manifest: Manifest): Array<[string, string | undefined]> {
  // avatarUrl is not among them: people's browsers load it, so this server's policy does not apply.
  return [
    ...manifest.slashCommands.map((c, i) => [`slashCommands[${i}].url`, c.url] as [string, string]),
    ...manifest.shortcuts.map((c, i) => [`shortcuts[${i}].url`, c.url] as [string, string]),
    ...manifest.dynamicMenus.map((c, i) => [`dynamicMenus[${i}].url`, c.url] as [string, string]),
    ['eventSubscriptions.url', manifest.eventSubscriptions.url],
    ['blockInteraction.url', manifest.blockInteraction?.url],
    ['viewAction.url', manifest.viewAction?.url],
  ];
}

/** The manifest, or every URL of it that Switchboard would call and may never reach. */
function withBlockedUrls(manifest: Manifest): { ok: true; manifest: Manifest } | { ok: false; errors: FieldError[] } {
  const errors: FieldError[] = [];
  // The avatar too: a metadata address is refused wherever it appears.
  for (const [field, url] of [...calledUrls(manifest), ['avatarUrl', manifest.avatarUrl ?? undefined] as const]) {
    if (!url) continue;
    const check = checkUrlSyntax(url, { requireHttps: false });
    if (!check.ok && check.error === 'ssrf-blocked') errors.push({ field, message: check.message });
  }
  return errors.length ? { ok: false, errors } : { ok: true, manifest };
}

function nameTaken(name: string) {
  return new DomainError('invalid', `name: you already have an app named "${name}"`, [{ field: 'name', message: `you already have an app named "${name}"` }]);
}
