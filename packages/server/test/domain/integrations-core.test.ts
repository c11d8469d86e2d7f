/**
 * The integration management rules of docs/integrations.md §4–§6 that the Rocket.Chat suites do not
 * reach: tokens, secrets, compile-on-save, validation order, scoping and lifecycle.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createUser, startTestServer } from '../support/helpers.js';
import { IntegrationError } from '../../src/domain/integrations/errors.js';

const INCOMING = { type: 'webhook-incoming', name: 'In', enabled: true, scriptEnabled: false, channel: '#general' };
const OUTGOING = { type: 'webhook-outgoing', name: 'Out', enabled: true, scriptEnabled: false, channel: '#general', event: 'sendMessage', urls: ['http://127.0.0.1:9/x'] };

async function rejects(p: Promise<unknown>, errorType: string | undefined, reason?: string) {
  await assert.rejects(p, (e: unknown) => {
    assert.ok(e instanceof IntegrationError, String(e));
    assert.equal(e.errorType, errorType);
    if (reason !== undefined) assert.equal(e.reason, reason);
    return true;
  });
}

test('integration management rules', async () => {
  const server = await startTestServer();
  try {
    const core = server.sb.core;
    const owner = (await server.sb.store.user(server.workspaceId, server.ownerId))!;
    const member = await createUser(server.owner, 'MEMBER', 'Mia Member');
    const memberUser = (await server.sb.store.user(server.workspaceId, member.userId))!;

    // Incoming: generated 48-character token, post-as user gets the bot role, compile errors stored.
    console.log("A");
    const created = await core.integrations.create(owner, { ...INCOMING, username: owner.username, scriptEnabled: true, script: 'class Script { process_incoming_request( { return 1 } }' });
    assert.match(created.token, /^[23456789ABCDEFGHJKLMNPQRSTWXYZabcdefghijkmnopqrstuvwxyz]{48}$/);
    assert.deepEqual(created.channel, ['#general']);
    assert.equal(created.overrideDestinationChannelEnabled, false);
    assert.equal(created.scriptCompiled, undefined);
    assert.equal(created.scriptError?.name, 'SyntaxError');
    assert.ok((await server.sb.store.user(server.workspaceId, owner.id))!.extraRoles.includes('bot'));

    console.log("B");
    const fixed = await core.integrations.update(owner, { ...INCOMING, integrationId: created._id, scriptEnabled: true, script: 'class Script { process_incoming_request() { x = 1; return { content: { text: "hi" } } } }' });
    assert.equal(fixed.token, created.token, 'the token never changes');
    assert.ok(fixed.scriptCompiled && !fixed.scriptError);
    assert.equal((await core.integrations.get(owner, { integrationId: created._id }))._updatedBy?._id, owner.id);

    // Validation order and codes.
    await rejects(core.integrations.create(owner, { ...INCOMING, type: 'webhook-incoming-invalid', username: owner.username }), undefined, 'Invalid integration type.');
    await rejects(core.integrations.create(owner, { ...INCOMING, channel: 'general', username: owner.username }), 'error-invalid-channel-start-with-chars');
    await rejects(core.integrations.create(owner, { ...INCOMING, channel: '  ', username: owner.username }), 'error-invalid-channel');
    await rejects(core.integrations.create(owner, { ...INCOMING, username: '' }), 'error-invalid-username');
    await rejects(core.integrations.create(owner, { ...INCOMING, username: 'nobody.here' }), 'error-invalid-user');
    await rejects(core.integrations.create(owner, { ...INCOMING, channel: '#no-such-room', username: owner.username }), 'error-invalid-room');
    await rejects(core.integrations.create(owner, { ...OUTGOING, event: 'nope', username: owner.username }), 'error-invalid-event-type');
    await rejects(core.integrations.create(owner, { ...OUTGOING, event: 'userCreated', username: owner.username }), 'error-invalid-targetRoom');
    await rejects(core.integrations.create(owner, { ...OUTGOING, urls: [' '], username: owner.username }), 'error-invalid-urls');
    await rejects(core.integrations.create(owner, { ...OUTGOING, urls: ['http://169.254.169.254/latest'], username: owner.username }), 'error-invalid-urls');
    await rejects(core.integrations.create(owner, { ...OUTGOING, triggerWords: 'x', username: owner.username }), 'error-invalid-triggerWords');

    // Outgoing: a generated token and Standard Webhooks secret; defaults for retries.
    const out = await core.integrations.create(owner, { ...OUTGOING, username: owner.username, retryFailedCalls: true, retryDelay: 'Powers-Of-Two', triggerWords: ['!go', ' '] });
    assert.equal(out.token.length, 48);
    assert.match(out.webhookSecret!, /^whsec_/);
    assert.equal(out.retryCount, 4);
    assert.equal(out.retryDelay, 'powers-of-two');
    assert.deepEqual(out.triggerWords, ['!go']);
    const rotated = await core.integrations.update(owner, { ...OUTGOING, integrationId: out._id, username: owner.username, rotateWebhookSecret: true });
    assert.notEqual(rotated.webhookSecret, out.webhookSecret);
    assert.equal(rotated.previousWebhookSecret, out.webhookSecret);
    assert.equal(rotated.token, out.token);

    // A member holds none of the four permissions by default (§5).
    await rejects(core.integrations.create(memberUser, { ...INCOMING, username: memberUser.username }), 'not_authorized', 'Unauthorized');
    assert.equal(await core.integrations.routeAllowed(memberUser, 'list'), false);
    await core.roles.update(owner, [{ _id: 'manage-own-incoming-integrations', roles: ['user'] }]);
    const mine = await core.integrations.create(memberUser, { ...INCOMING, username: memberUser.username });
    const listed = await core.integrations.list(memberUser, { offset: 0, count: 50 });
    assert.deepEqual(listed.items.map((d) => d._id), [mine._id], 'own permission lists only own integrations');
    assert.equal((await core.integrations.list(owner, { offset: 0, count: 50 })).total, 3);
    await rejects(core.integrations.get(memberUser, { integrationId: created._id }), undefined, 'not-authorized');

    // Deactivating a post-as user disables the integrations that post as them.
    await core.accounts.setStatus(owner, memberUser.id, 'DEACTIVATED');
    const after = await core.integrations.get(owner, { integrationId: mine._id });
    assert.equal(after.enabled, false);
    assert.equal(after.disabledReason, 'post-as-user-deleted');

    // Remove deletes; a second remove finds nothing.
    const removed = await core.integrations.remove(owner, { type: 'webhook-outgoing', target_url: 'http://127.0.0.1:9/x' });
    assert.equal(removed._id, out._id);
    await rejects(core.integrations.remove(owner, { type: 'webhook-outgoing', integrationId: out._id }), undefined, 'No integration found.');
  } finally {
    await server.close();
  }
});
