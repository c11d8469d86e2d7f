/**
 * Signatures of docs/delivery.md §4, checked against the reference Standard Webhooks library and our
 * own verifiers (both units of Pumble timestamps, the ±5-minute window, tampering), and the ULID
 * delivery ids of §2.3.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import {
  appRequestHeaders,
  appSigningKey,
  
  
  pumbleHeaders,
  standardWebhookHeaders,
  standardWebhookSecretForApp,
  verifyPumbleSignature,
  verifyStandardWebhook,
  webhookSecretKey } from '../../src/outbound/signing.js';
import { isUlid, ulid, ulidTime } from '../../src/domain/ulid.js';
import { newDeliveryId, newWebhookSecret } from '../../src/domain/ids.js';

const SECRET = 'app-signing-secret-ü-1234567890';
const BODY = JSON.stringify({ messageType: 'PUMBLE_EVENT', body: { tx: 'héllo ✓' } });
const MIN = 60_000;

test('app requests carry Standard Webhooks headers that the reference library verifies', () => {
  const id = newDeliveryId();
  const before = Math.floor(Date.now() / 1000);
  const headers = appRequestHeaders({ deliveryId: id, body: BODY, signingSecret: SECRET });
  const after = Math.floor(Date.now() / 1000);
  assert.equal(headers['webhook-id'], id);
  assert.match(headers['webhook-timestamp'], /^\d{10}$/, 'Unix seconds');
  const sentAt = Number(headers['webhook-timestamp']);
  assert.ok(sentAt >= before && sentAt <= after, `the time of signing: ${sentAt} in [${before}, ${after}]`);
  assert.match(headers['webhook-signature'], /^v1,[A-Za-z0-9+/]{43}=$/);

  // What the app configures in its Standard Webhooks library, per §4.1.
  const whsec = 'whsec_' + Buffer.from(SECRET, 'utf8').toString('base64');
  assert.equal(standardWebhookSecretForApp(SECRET), whsec);
  const payload = new Webhook(whsec).verify(BODY, headers);
  assert.deepEqual(payload, JSON.parse(BODY));
  assert.throws(() => new Webhook(whsec).verify(BODY + ' ', headers), /No matching signature/);
  assert.throws(() => new Webhook('whsec_' + Buffer.from('other', 'utf8').toString('base64')).verify(BODY, headers));
});

test('outgoing-integration secrets: whsec_ keys decode to their bytes and verify with the reference library', () => {
  const secret = newWebhookSecret();
  assert.match(secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
  assert.equal(webhookSecretKey(secret).length, 32);
  const headers = standardWebhookHeaders({ id: newDeliveryId(), body: BODY, keys: [webhookSecretKey(secret)] });
  assert.doesNotThrow(() => new Webhook(secret).verify(BODY, headers));
  assert.equal(verifyStandardWebhook(headers, BODY, webhookSecretKey(secret)).ok, true);
  assert.throws(() => webhookSecretKey('not-a-whsec'), /whsec_/);
});

test('during a rotation the Standard header carries one signature per key, and each verifies', () => {
  const oldSecret = 'old-secret';
  const newSecret = 'new-secret';
  const headers = appRequestHeaders({ deliveryId: newDeliveryId(), body: BODY, signingSecret: newSecret, previousSigningSecrets: [oldSecret] });
  const signatures = headers['webhook-signature'].split(' ');
  assert.equal(signatures.length, 2);
  assert.ok(signatures.every((s) => s.startsWith('v1,')));
  for (const secret of [newSecret, oldSecret]) {
    assert.doesNotThrow(() => new Webhook(standardWebhookSecretForApp(secret)).verify(BODY, headers), secret);
    assert.equal(verifyStandardWebhook(headers, BODY, appSigningKey(secret)).ok, true, secret);
  }
  assert.equal(verifyStandardWebhook(headers, BODY, appSigningKey('third')).ok, false);
  // Pumble's header uses only the new secret (§4.2).
  assert.equal(verifyPumbleSignature(headers, BODY, newSecret).ok, true);
  assert.equal(verifyPumbleSignature(headers, BODY, oldSecret).ok, false);
});

test('our Standard Webhooks verifier accepts what the reference library signs, within ±5 minutes', () => {
  const whsec = standardWebhookSecretForApp(SECRET);
  const id = 'msg_01J0000000000000000000000';
  const now = Date.now();
  const at = (offsetMs: number) => {
    const when = new Date(now + offsetMs);
    return {
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(when.getTime() / 1000)),
      'webhook-signature': new Webhook(whsec).sign(id, when, BODY),
    };
  };
  assert.deepEqual(verifyStandardWebhook(at(0), BODY, appSigningKey(SECRET), now), { ok: true });
  assert.equal(verifyStandardWebhook(at(-4 * MIN), BODY, appSigningKey(SECRET), now).ok, true);
  assert.equal(verifyStandardWebhook(at(4 * MIN), BODY, appSigningKey(SECRET), now).ok, true);
  assert.deepEqual(verifyStandardWebhook(at(-6 * MIN), BODY, appSigningKey(SECRET), now), { ok: false, reason: 'stale-timestamp' });
  assert.deepEqual(verifyStandardWebhook(at(6 * MIN), BODY, appSigningKey(SECRET), now), { ok: false, reason: 'stale-timestamp' });
  assert.deepEqual(verifyStandardWebhook(at(0), BODY.replace('héllo', 'hello'), appSigningKey(SECRET), now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyStandardWebhook({ ...at(0), 'webhook-id': 'msg_other' }, BODY, appSigningKey(SECRET), now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyStandardWebhook({}, BODY, appSigningKey(SECRET), now), { ok: false, reason: 'missing-headers' });
  assert.deepEqual(verifyStandardWebhook({ ...at(0), 'webhook-timestamp': 'soon' }, BODY, appSigningKey(SECRET), now), { ok: false, reason: 'bad-timestamp' });
  // Headers in any case, and as a fetch Headers object.
  const upper = Object.fromEntries(Object.entries(at(0)).map(([k, v]) => [k.toUpperCase(), v]));
  assert.equal(verifyStandardWebhook(upper, BODY, appSigningKey(SECRET), now).ok, true);
  assert.equal(verifyStandardWebhook(new Headers(at(0)), BODY, appSigningKey(SECRET), now).ok, true);
  // The reference library agrees about the window.
  assert.throws(() => new Webhook(whsec).verify(BODY, at(-6 * MIN)), /too old/);
});

test('Pumble headers: epoch ms timestamp and lower-case hex HMAC of "<timestamp>:<raw body>"', () => {
  const now = 1_767_225_600_123;
  const headers = pumbleHeaders({ body: BODY, signingSecret: SECRET, now });
  assert.equal(headers['x-pumble-request-timestamp'], String(now));
  const expected = createHmac('sha256', Buffer.from(SECRET, 'utf8')).update(`${now}:${BODY}`, 'utf8').digest('hex');
  assert.equal(headers['x-pumble-request-signature'], expected);
  assert.match(headers['x-pumble-request-signature'], /^[0-9a-f]{64}$/);
  assert.deepEqual(verifyPumbleSignature(headers, BODY, SECRET, now), { ok: true });
  assert.deepEqual(verifyPumbleSignature(headers, Buffer.from(BODY, 'utf8'), SECRET, now), { ok: true }, 'raw bytes as well as text');
});

test('the Pumble verifier accepts millisecond and second timestamps', () => {
  const now = Date.now();
  const signWith = (timestamp: string, body = BODY) => ({
    'x-pumble-request-timestamp': timestamp,
    'x-pumble-request-signature': createHmac('sha256', SECRET).update(`${timestamp}:${body}`).digest('hex'),
  });
  const ms = String(now);
  const seconds = String(Math.floor(now / 1000));
  assert.equal(ms.length, 13);
  assert.equal(seconds.length, 10);
  assert.deepEqual(verifyPumbleSignature(signWith(ms), BODY, SECRET, now), { ok: true });
  assert.deepEqual(verifyPumbleSignature(signWith(seconds), BODY, SECRET, now), { ok: true });
  const upperHex = signWith(ms);
  upperHex['x-pumble-request-signature'] = upperHex['x-pumble-request-signature'].toUpperCase();
  assert.equal(verifyPumbleSignature(upperHex, BODY, SECRET, now).ok, true, 'hex case does not matter');
  // 11 or 12 digits are neither unit; 14 digits neither.
  for (const bad of [String(now).slice(0, 11), String(now).slice(0, 12), String(now) + '0', '-1', '1.5e12', 'now']) {
    assert.deepEqual(verifyPumbleSignature(signWith(bad), BODY, SECRET, now), { ok: false, reason: 'bad-timestamp' }, bad);
  }
});

test('the Pumble verifier rejects replays outside ±5 minutes, tampered bodies and wrong secrets', () => {
  const now = Date.now();
  for (const offset of [-6 * MIN, 6 * MIN]) {
    const ms = pumbleHeaders({ body: BODY, signingSecret: SECRET, now: now + offset });
    assert.deepEqual(verifyPumbleSignature(ms, BODY, SECRET, now), { ok: false, reason: 'stale-timestamp' }, `ms ${offset}`);
    const sec = String(Math.floor((now + offset) / 1000));
    const secHeaders = { 'x-pumble-request-timestamp': sec, 'x-pumble-request-signature': createHmac('sha256', SECRET).update(`${sec}:${BODY}`).digest('hex') };
    assert.deepEqual(verifyPumbleSignature(secHeaders, BODY, SECRET, now), { ok: false, reason: 'stale-timestamp' }, `s ${offset}`);
  }
  for (const offset of [-4 * MIN, 4 * MIN, -5 * MIN, 5 * MIN]) {
    assert.equal(verifyPumbleSignature(pumbleHeaders({ body: BODY, signingSecret: SECRET, now: now + offset }), BODY, SECRET, now).ok, true, `${offset}`);
  }
  const headers = pumbleHeaders({ body: BODY, signingSecret: SECRET, now });
  assert.deepEqual(verifyPumbleSignature(headers, BODY.replace('héllo', 'hallo'), SECRET, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyPumbleSignature(headers, BODY + '\n', SECRET, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyPumbleSignature(headers, BODY, 'wrong-secret', now), { ok: false, reason: 'bad-signature' });
  // A timestamp moved forward with the old signature fails: the timestamp is signed.
  const shifted = { ...headers, 'x-pumble-request-timestamp': String(now + 1) };
  assert.deepEqual(verifyPumbleSignature(shifted, BODY, SECRET, now), { ok: false, reason: 'bad-signature' });
  assert.deepEqual(verifyPumbleSignature({ 'x-pumble-request-timestamp': String(now) }, BODY, SECRET, now), { ok: false, reason: 'missing-headers' });
});

test('delivery ids are msg_<ULID>: 26 Crockford base32 characters, time-ordered', () => {
  const before = Date.now();
  const id = newDeliveryId();
  const after = Date.now();
  assert.match(id, /^msg_[0-9A-HJKMNP-TV-Z]{26}$/);
  assert.ok(!id.includes('.'));
  assert.ok(isUlid(id.slice(4)));
  const madeAt = ulidTime(id.slice(4));
  assert.ok(madeAt >= before && madeAt <= after, `the time of creation: ${madeAt} in [${before}, ${after}]`);

  // The time part decodes as in the ULID spec's example, and encoding round-trips.
  assert.equal(ulidTime('01ARYZ6S41TSV4RRFFQ69G5FAV'), 1469918176385);
  // (Times far past the real clock: ulid() is monotonic, so one before the id made above would
  // come back as that id's time.)
  assert.equal(ulidTime(ulid(5_000_000_000_000)), 5_000_000_000_000);

  // Ordered across milliseconds, within one millisecond, and when the clock steps back.
  const ids = [ulid(6_000_000_000_000), ...Array.from({ length: 1000 }, () => ulid(6_000_000_000_001)), ulid(5_999_999_999_999), ulid(6_000_000_000_002)];
  const sorted = [...ids].sort();
  assert.deepEqual(ids, sorted);
  assert.equal(new Set(ids).size, ids.length);
  assert.ok(ids.every(isUlid));
  assert.throws(() => ulid(-1), RangeError);
  assert.throws(() => ulid(2 ** 48), RangeError);
  assert.equal(isUlid('01ARYZ6S41TSV4RRFFQ69G5FAI'), false, 'I is not Crockford base32');
  assert.equal(isUlid('81ARYZ6S41TSV4RRFFQ69G5FAV'), false, 'beyond 48 bits of time');
});
