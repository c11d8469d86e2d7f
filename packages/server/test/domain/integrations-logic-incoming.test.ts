/**
 * Incoming webhooks, pure rules (docs/integrations.md §7.3–§7.7, §10, §11): body parsing, the payload's
 * field precedence, attachments (§7.6), destinations and the override rule, script results, and the
 * exact Rocket.Chat and Slack error strings.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { checkBodySize, parseIncomingBody, MAX_INCOMING_BODY_BYTES } from '../../src/surfaces/http/incoming-webhooks.js';
import {
  normalizeIncomingPayload,
  parseDestinations,
  displayOverrides,
  needsImpersonation,
  MAX_HOOK_TEXT,
  type IncomingIntegrationConfig,
} from '../../src/domain/integrations/incoming-payload.js';
import { sanitizeAttachments, isValidHref, NAMED_COLORS } from '../../src/domain/integrations/attachments.js';
import { HookError, hookError, toHookError } from '../../src/domain/integrations/hook-errors.js';
import { hookErrorResponse, incomingPostResponse, incomingSuccess } from '../../src/surfaces/rocketchat/hook-answers.js';
import { slackAnswer, slackErrorCode, slackErrorResponse, slackPostResponse } from '../../src/surfaces/slack/answers.js';
import {
  applyIncomingScriptResult,
  incomingScriptMode,
  interpretIncomingPayload,
  incomingScriptRequest,
  type IncomingHookContext,
} from '../../src/domain/integrations/incoming-script-result.js';
import { slackToSwitchboardMarkup, textFromBlocks } from '../../src/domain/integrations/slack-markup.js';
import { DomainError, forbidden } from '../../src/domain/errors.js';

const integration: IncomingIntegrationConfig = { _id: 'int1', channel: ['#general'], alias: '', avatar: '', emoji: '' };
const withOverride: IncomingIntegrationConfig = { ...integration, overrideDestinationChannelEnabled: true };

/** The `/hooks` error string a failing call throws. */
function hooksError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HookError, `expected a HookError, got ${String(e)}`);
    return e.error;
  }
  assert.fail('expected a HookError');
}
const slackOf = (fn: () => unknown): string => {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof HookError);
    return slackErrorCode(e);
  }
  assert.fail('expected a HookError');
};

describe('§7.3 body parsing', () => {
  test('JSON with any charset, and an empty body is {}', () => {
    assert.deepEqual(parseIncomingBody({ contentType: 'application/json; charset=utf-8', raw: '{"text":"hi"}' }), { ok: true, content: { text: 'hi' } });
    assert.deepEqual(parseIncomingBody({ contentType: 'application/json', raw: '' }), { ok: true, content: {} });
  });

  test('form with a single payload key (raw, as §12.1 #12 sends it, and URL-encoded)', () => {
    const raw = parseIncomingBody({ contentType: 'application/x-www-form-urlencoded', raw: 'payload={"msg":"hello"}' });
    assert.deepEqual(raw, { ok: true, content: { msg: 'hello' } });
    const encoded = 'payload=' + encodeURIComponent(JSON.stringify({ text: 'a & b = c', channel: '#x' }));
    assert.deepEqual(parseIncomingBody({ contentType: 'application/x-www-form-urlencoded; charset=UTF-8', raw: encoded }), {
      ok: true,
      content: { text: 'a & b = c', channel: '#x' },
    });
  });

  test('form with one key not named payload is JSON sent with the wrong type', () => {
    assert.deepEqual(parseIncomingBody({ contentType: 'application/x-www-form-urlencoded', raw: '{"text":"hi"}' }), { ok: true, content: { text: 'hi' } });
  });

  test('form with several keys: the fields are the payload', () => {
    assert.deepEqual(parseIncomingBody({ contentType: 'application/x-www-form-urlencoded', raw: 'text=hello+world&username=bot' }), {
      ok: true,
      content: { text: 'hello world', username: 'bot' },
    });
  });

  test('no content type: JSON first, then form', () => {
    assert.deepEqual(parseIncomingBody({ raw: '{"text":"x"}' }), { ok: true, content: { text: 'x' } });
    assert.deepEqual(parseIncomingBody({ raw: 'text=x&alias=y' }), { ok: true, content: { text: 'x', alias: 'y' } });
  });

  test('parse errors carry the parser message; Slack says invalid_payload', () => {
    const r = parseIncomingBody({ contentType: 'application/json', raw: '{"text":' });
    assert.equal(r.ok, false);
    if (r.ok) return;
    let expected = '';
    try {
      JSON.parse('{"text":');
    } catch (e) {
      expected = (e as Error).message;
    }
    assert.deepEqual(hookErrorResponse(r.error, 'hooks'), { status: 400, type: 'json', body: { success: false, error: expected } });
    assert.deepEqual(slackErrorResponse(r.error), { status: 400, type: 'text', body: 'invalid_payload' });
    const bad = parseIncomingBody({ contentType: 'application/x-www-form-urlencoded', raw: 'payload=not-json' });
    assert.equal(bad.ok, false);
  });

  test('GET has no body; bodies over 1 MiB are refused with 413', () => {
    assert.deepEqual(parseIncomingBody({ method: 'GET', raw: 'ignored' }), { ok: true, content: {} });
    assert.equal(checkBodySize(MAX_INCOMING_BODY_BYTES), undefined);
    const tooBig = checkBodySize(MAX_INCOMING_BODY_BYTES + 1);
    assert.ok(tooBig);
    assert.equal(hookErrorResponse(tooBig, 'hooks').status, 413);
  });

  test('a JSON array is not a payload', () => {
    assert.equal(parseIncomingBody({ contentType: 'application/json', raw: '[1]' }).ok, false);
  });
});

describe('§7.5 payload fields', () => {
  test('text is trimmed; msg only when text is absent', () => {
    assert.equal(normalizeIncomingPayload({ text: '  hello  ' }, integration).text, 'hello');
    assert.equal(normalizeIncomingPayload({ msg: 'from msg' }, integration).text, 'from msg');
    assert.equal(normalizeIncomingPayload({ text: 'text wins', msg: 'msg' }, integration).text, 'text wins');
    assert.equal(normalizeIncomingPayload({ text: 42 }, integration).text, '42');
  });

  test('defaults: the integration channel, bot tag, parseUrls !attachments, groupable false', () => {
    const r = normalizeIncomingPayload({ text: 'x' }, integration);
    assert.deepEqual(r.destinations, [{ kind: 'room', ref: 'general', raw: '#general' }]);
    assert.deepEqual(r.bot, { i: 'int1' });
    assert.equal(r.parseUrls, true);
    assert.equal(r.groupable, false);
    assert.equal(r.separateResponse, false);
    assert.deepEqual(r.attachments, []);
    assert.equal(normalizeIncomingPayload({ text: 'x', attachments: [] }, integration).parseUrls, false);
    assert.equal(normalizeIncomingPayload({ text: 'x', parseUrls: true, attachments: [] }, integration).parseUrls, true);
    assert.equal(normalizeIncomingPayload({ text: 'x', unfurl_links: false }, integration).parseUrls, false);
    assert.equal(normalizeIncomingPayload({ text: 'x', groupable: true }, integration).groupable, true);
  });

  test('alias: username || alias || integration alias', () => {
    assert.equal(displayOverrides({ username: 'u', alias: 'a' }, { alias: 'i' }).alias, 'u');
    assert.equal(displayOverrides({ alias: 'a' }, { alias: 'i' }).alias, 'a');
    assert.equal(displayOverrides({}, { alias: 'i' }).alias, 'i');
    assert.equal(displayOverrides({}, { alias: '' }).alias, undefined);
  });

  test('avatar precedence: icon_url||avatar → icon_emoji||emoji → integration avatar → integration emoji', () => {
    const i = { avatar: 'https://i/a.png', emoji: ':i:' };
    assert.deepEqual(displayOverrides({ icon_url: 'https://x/1.png', avatar: 'https://x/2.png', icon_emoji: ':e:' }, i), { avatar: 'https://x/1.png' });
    assert.deepEqual(displayOverrides({ avatar: 'https://x/2.png' }, i), { avatar: 'https://x/2.png' });
    assert.deepEqual(displayOverrides({ icon_emoji: ':ghost:', emoji: ':x:' }, i), { emoji: ':ghost:' });
    assert.deepEqual(displayOverrides({ emoji: ':x:' }, i), { emoji: ':x:' });
    assert.deepEqual(displayOverrides({}, i), { avatar: 'https://i/a.png' });
    assert.deepEqual(displayOverrides({}, { emoji: ':i:' }), { emoji: ':i:' });
    assert.deepEqual(displayOverrides({}, {}), {});
  });

  test('overrides need message-impersonate', () => {
    assert.equal(needsImpersonation(normalizeIncomingPayload({ text: 'x' }, integration)), false);
    assert.equal(needsImpersonation(normalizeIncomingPayload({ text: 'x', icon_emoji: ':ghost:' }, integration)), true);
    assert.equal(needsImpersonation(normalizeIncomingPayload({ text: 'x' }, { ...integration, alias: 'test' })), true);
    assert.equal(hookErrorResponse(hookError.notEnoughPermission(), 'hooks').body && (hookErrorResponse(hookError.notEnoughPermission(), 'hooks').body as { error: string }).error, 'Not enough permission');
  });

  test('icon_url must be a valid href; data:image URIs are accepted', () => {
    assert.equal(hooksError(() => normalizeIncomingPayload({ text: 'x', icon_url: 'javascript:alert(1)' }, integration)), 'Invalid href value provided');
    assert.equal(normalizeIncomingPayload({ text: 'x', icon_url: 'data:image/png;base64,iVBORw0KGgo=' }, integration).avatar, 'data:image/png;base64,iVBORw0KGgo=');
  });

  test('tmid, thread_ts (only without tmid), customFields, separateResponse', () => {
    const r = normalizeIncomingPayload({ text: 'x', tmid: 'm1', thread_ts: '123.4', customFields: { a: 1 }, separateResponse: true }, integration);
    assert.equal(r.tmid, 'm1');
    assert.equal(r.threadTs, undefined);
    assert.deepEqual(r.customFields, { a: 1 });
    assert.equal(r.separateResponse, true);
    assert.equal(normalizeIncomingPayload({ text: 'x', thread_ts: 1700000000.1 }, integration).threadTs, '1700000000.1');
  });

  test('Slack blocks give the text when text is absent', () => {
    const blocks = [
      { type: 'header', text: { type: 'plain_text', text: 'Deploy' } },
      { type: 'section', text: { type: 'mrkdwn', text: '*done*' }, fields: [{ type: 'mrkdwn', text: 'env: prod' }] },
      { type: 'context', elements: [{ type: 'mrkdwn', text: 'by' }, { type: 'image', image_url: 'https://x' }, { type: 'plain_text', text: 'ci' }] },
      { type: 'divider' },
      {
        type: 'rich_text',
        elements: [
          { type: 'rich_text_section', elements: [{ type: 'text', text: 'see ' }, { type: 'link', url: 'https://e.com', text: 'log' }, { type: 'user', user_id: 'U1' }] },
          { type: 'rich_text_list', style: 'bullet', elements: [{ type: 'rich_text_section', elements: [{ type: 'text', text: 'one' }] }] },
        ],
      },
    ];
    assert.equal(textFromBlocks(blocks), 'Deploy\n*done*\nenv: prod\nby ci\nsee <https://e.com|log><@U1>\n• one');
    const r = normalizeIncomingPayload({ blocks }, integration);
    assert.equal(r.text, textFromBlocks(blocks));
    assert.equal(r.formattedText, 'Deploy\n**done**\nenv: prod\nby ci\nsee [log](https://e.com)<@U1>\n• one');
    assert.equal(normalizeIncomingPayload({ text: 'given', blocks }, integration).text, 'given');
  });

  test('text over 10 000 characters: error-message-size-exceeded', () => {
    assert.equal(normalizeIncomingPayload({ text: 'x'.repeat(MAX_HOOK_TEXT) }, integration).text.length, MAX_HOOK_TEXT);
    assert.equal(hooksError(() => normalizeIncomingPayload({ text: 'x'.repeat(MAX_HOOK_TEXT + 1) }, integration)), 'error-message-size-exceeded');
  });

  test('nothing to post: unknown-error (Slack no_text)', () => {
    assert.equal(hooksError(() => normalizeIncomingPayload({ foo: 1 }, integration)), 'unknown-error');
    assert.equal(slackOf(() => normalizeIncomingPayload({ text: '   ' }, integration, { flavor: 'slack' })), 'no_text');
    assert.equal(normalizeIncomingPayload({ attachments: [{ text: 'only an attachment' }] }, integration).text, '');
  });

  test('an object as text is refused', () => {
    assert.match(String(hooksError(() => normalizeIncomingPayload({ text: { a: 1 } }, integration))), /^Match error: Expected string, got object in field text$/);
  });
});

describe('§7.4 step 5, §7.5 destinations, §10 override rule', () => {
  test('channel or roomId without the override: the exact error (§12.1 #8, #9)', () => {
    const e = 'overriding destination channel is disabled for this integration';
    assert.equal(hooksError(() => normalizeIncomingPayload({ text: 'x', channel: ['test-channel'] }, integration)), e);
    assert.equal(hooksError(() => normalizeIncomingPayload({ text: 'x', roomId: 'r1' }, integration)), e);
    assert.equal(hooksError(() => normalizeIncomingPayload({ text: 'x', channel: '#general' }, integration)), e);
  });

  test('Slack and Pumble forms ignore channel when the override is off', () => {
    for (const flavor of ['slack', 'pumble'] as const) {
      const r = normalizeIncomingPayload({ text: 'x', channel: '#random' }, integration, { flavor });
      assert.deepEqual(r.destinations.map((d) => d.raw), ['#general']);
    }
    const honoured = normalizeIncomingPayload({ text: 'x', channel: '#random' }, withOverride, { flavor: 'slack' });
    assert.deepEqual(honoured.destinations.map((d) => d.raw), ['#random']);
  });

  test('with the override: channel (string or array) wins over roomId; bare names in an array (§12.1 #11)', () => {
    assert.deepEqual(normalizeIncomingPayload({ text: 'x', channel: ['test-channel'] }, withOverride).destinations, [{ kind: 'bare', ref: 'test-channel', raw: 'test-channel' }]);
    assert.deepEqual(normalizeIncomingPayload({ text: 'x', roomId: 'r1' }, withOverride).destinations, [{ kind: 'bare', ref: 'r1', raw: 'r1' }]);
    assert.deepEqual(normalizeIncomingPayload({ text: 'x', channel: '@bob', roomId: 'r1' }, withOverride).destinations, [{ kind: 'user', ref: 'bob', raw: '@bob' }]);
    assert.deepEqual(normalizeIncomingPayload({ text: 'x', channel: '' }, withOverride).destinations.map((d) => d.raw), ['#general']);
  });

  test('destinations are trimmed and deduplicated; malformed entries are invalid-channel', () => {
    assert.deepEqual(parseDestinations([' #a ', '#a', '@b', 'c', '']).map((d) => [d.kind, d.ref]), [
      ['room', 'a'],
      ['user', 'b'],
      ['bare', 'c'],
    ]);
    assert.equal(hooksError(() => parseDestinations(['#'])), 'invalid-channel');
    assert.equal(hooksError(() => parseDestinations([1])), 'invalid-channel');
    assert.equal(hooksError(() => parseDestinations([])), 'invalid-channel');
    assert.equal(slackOf(() => parseDestinations(['@'])), 'channel_not_found');
  });
});

describe('§7.6 attachments', () => {
  test('a non-array is dropped; msg becomes text; unknown keys are dropped', () => {
    assert.equal(sanitizeAttachments('nope'), undefined);
    assert.deepEqual(sanitizeAttachments([{ msg: '  hi ', fallback: 'x', __proto__x: 1, title: 'T' }]), [{ text: 'hi', title: 'T' }]);
  });

  test('every allowed key survives with its type', () => {
    const a = {
      color: 'good',
      text: 't',
      ts: 1700000000,
      thumb_url: 'https://x/t.png',
      button_alignment: 'vertical',
      actions: [{ type: 'button', text: 'Go', url: 'https://x', image_url: 'https://x/i.png', is_webview: true, webview_height_ratio: 'full', msg: 'm', msg_in_chat_window: true, extra: 1 }],
      message_link: 'https://x/m',
      collapsed: false,
      author_name: 'a',
      author_link: 'https://x/a',
      author_icon: 'https://x/a.png',
      title: 'T',
      title_link: 'https://x/t',
      title_link_download: true,
      image_dimensions: { width: 1, height: 2 },
      image_url: 'https://x/i.png',
      image_preview: 'p',
      image_type: 'image/png',
      image_size: 10,
      audio_url: 'https://x/a.mp3',
      audio_type: 'audio/mpeg',
      audio_size: 11,
      video_url: 'https://x/v.mp4',
      video_type: 'video/mp4',
      video_size: 12,
      fields: [{ title: 'k', value: 'v', short: true }],
      pretext: 'pre',
      footer: 'f',
      footer_icon: 'https://x/f.png',
    };
    const [out] = sanitizeAttachments([a])!;
    const { extra: _extra, ...action } = a.actions[0]!;
    assert.deepEqual(out, { ...a, color: NAMED_COLORS.good, actions: [action] });
  });

  test('named colours map to green, amber, red; others pass', () => {
    const colors = sanitizeAttachments([{ color: 'good' }, { color: 'warning' }, { color: 'danger' }, { color: '#123456' }])!.map((a) => a.color);
    assert.deepEqual(colors, ['#2eb886', '#daa038', '#a30200', '#123456']);
  });

  test('URL fields: http(s) or file paths, never javascript: — Invalid href value provided', () => {
    for (const bad of ['javascript:alert(1)', ' JavaScript:alert(1)', 'ftp://x/y', 'not a url', '/etc/passwd', 'data:text/html;base64,PGI+']) {
      assert.equal(hooksError(() => sanitizeAttachments([{ title_link: bad }])), 'Invalid href value provided', bad);
    }
    assert.equal(hooksError(() => sanitizeAttachments([{ actions: [{ url: 'javascript:x' }] }])), 'Invalid href value provided');
    assert.ok(isValidHref('/file-upload/abc/x.png'));
    assert.ok(!isValidHref('/file-upload/../x'));
    assert.ok(isValidHref('/files/x', { filePathPrefix: '/files/' }));
  });

  test('data:image URIs up to 64 KiB only in icon fields', () => {
    const small = 'data:image/png;base64,' + 'A'.repeat(100);
    assert.equal(sanitizeAttachments([{ author_icon: small, footer_icon: small, thumb_url: small }])!.length, 1);
    assert.equal(hooksError(() => sanitizeAttachments([{ image_url: small }])), 'Invalid href value provided');
    const big = 'data:image/png;base64,' + 'A'.repeat(64 * 1024);
    assert.equal(hooksError(() => sanitizeAttachments([{ author_icon: big }])), 'Invalid href value provided');
  });

  test('fields need title and value', () => {
    const e = 'Invalid attachment field, title and value is required';
    assert.equal(hooksError(() => sanitizeAttachments([{ fields: [{ title: 'only title' }] }])), e);
    assert.equal(hooksError(() => sanitizeAttachments([{ fields: [{ value: 'only value' }] }])), e);
    assert.equal(hooksError(() => sanitizeAttachments([{ fields: [{ title: '', value: 'v' }] }])), e);
    assert.deepEqual(sanitizeAttachments([{ fields: [{ title: 'n', value: 3 }] }])![0]!.fields, [{ title: 'n', value: 3 }]);
  });

  test('wrong types are Match errors naming the field', () => {
    assert.equal(hooksError(() => sanitizeAttachments([{ color: 1 }])), 'Match error: Expected string, got number in field attachments[0].color');
    assert.equal(hooksError(() => sanitizeAttachments([{}, { image_size: '1' }])), 'Match error: Expected number, got string in field attachments[1].image_size');
    assert.equal(hooksError(() => sanitizeAttachments([{ ts: true }])), 'Match error: Expected string or number, got boolean in field attachments[0].ts');
    assert.equal(hooksError(() => sanitizeAttachments(['x'])), 'Match error: Expected object, got string in field attachments[0]');
    assert.equal(hooksError(() => sanitizeAttachments([{ fields: 'x' }])), 'Match error: Expected array, got string in field attachments[0].fields');
  });

  test('__proto__ keys from JSON never reach the stored attachment', () => {
    const parsed = JSON.parse('[{"__proto__":{"polluted":true},"title":"T","fields":[{"title":"a","value":"b","__proto__":{"x":1}}]}]') as unknown[];
    const [a] = sanitizeAttachments(parsed)!;
    assert.deepEqual(Object.keys(a!), ['title', 'fields']);
    assert.equal(Object.getPrototypeOf(a), Object.prototype);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  test('null values are skipped, as check() skips them', () => {
    assert.deepEqual(sanitizeAttachments([{ title: 'T', color: null, image_url: null }]), [{ title: 'T' }]);
  });

  test('Slack: more than 100 attachments is too_many_attachments; /hooks has no such cap', () => {
    const many = Array.from({ length: 101 }, () => ({ text: 'a' }));
    assert.equal(slackOf(() => normalizeIncomingPayload({ attachments: many }, integration, { flavor: 'slack' })), 'too_many_attachments');
    assert.equal(normalizeIncomingPayload({ attachments: many }, integration).attachments.length, 101);
  });
});

describe('§7.5 markup decision', () => {
  test('Slack markup to Switchboard markup', () => {
    assert.equal(slackToSwitchboardMarkup('*bold* _it_ ~gone~'), '**bold** *it* ~~gone~~');
    assert.equal(slackToSwitchboardMarkup('<https://e.com|site> and <https://e.com>'), '[site](https://e.com) and https://e.com');
    assert.equal(slackToSwitchboardMarkup('<!channel> <!here|here> <@U1> <#C1|general>'), '@channel @here <@U1> <#C1>');
    assert.equal(slackToSwitchboardMarkup('*_both_*'), '***both***');
  });

  test('words, arithmetic and code are left alone', () => {
    for (const s of ['snake_case_name', '2*3*4', 'a * b * c', 'file_1 and file_2', 'x_ y_', 'Example message']) assert.equal(slackToSwitchboardMarkup(s), s);
    assert.equal(slackToSwitchboardMarkup('`*not bold*` and ```\n_x_\n``` then *b*'), '`*not bold*` and ```\n_x_\n``` then **b**');
  });
});

describe('§7.4 pipeline and §7.7 script results', () => {
  const ctx: IncomingHookContext = { integration };
  const slack: IncomingHookContext = { integration, flavor: 'slack' };

  test('script mode: blank script is no script; scripts off or not compiled fail closed', () => {
    assert.equal(incomingScriptMode({ scriptEnabled: false, script: 'class Script {}' }), 'none');
    assert.equal(incomingScriptMode({ scriptEnabled: true, script: '   ' }), 'none');
    assert.equal(incomingScriptMode({ scriptEnabled: true, script: 'x', scriptCompiled: 'c' }), 'run');
    assert.equal(incomingScriptMode({ scriptEnabled: true, script: 'x', scriptCompiled: 'c' }, 'frozen'), 'run');
    const notCompiled = incomingScriptMode({ scriptEnabled: true, script: 'x', scriptError: { name: 'SyntaxError' } });
    assert.ok(notCompiled instanceof HookError);
    assert.deepEqual(hookErrorResponse(notCompiled, 'hooks').body, { success: false, error: 'error-invalid-script' });
    assert.deepEqual(slackErrorResponse(notCompiled), { status: 500, type: 'text', body: 'rollup_error' });
    const off = incomingScriptMode({ scriptEnabled: true, script: 'x', scriptCompiled: 'c' }, 'disabled');
    assert.ok(off instanceof HookError);
    assert.deepEqual(hookErrorResponse(off, 'hooks'), { status: 400, type: 'json', body: { success: false, error: 'error-integration-scripts-disabled' } });
    assert.deepEqual(hookErrorResponse(hookError.runningScript(), 'hooks').body, { success: false, error: 'error-running-script' });
  });

  test('empty payload without a script: 200 {success: true}, nothing posted', () => {
    // The domain says "accepted, nothing to post"; each form's surface answers it.
    assert.deepEqual(interpretIncomingPayload(ctx, {}), { kind: 'accepted' });
    assert.deepEqual(incomingSuccess('hooks'), { status: 200, type: 'json', body: { success: true } });
    assert.deepEqual(interpretIncomingPayload(slack, {}), { kind: 'accepted' });
    assert.deepEqual(slackAnswer({ kind: 'accepted' }), { status: 200, type: 'text', body: 'ok' });
    const post = interpretIncomingPayload(ctx, { text: 'Example message' });
    assert.equal(post.kind, 'post');
  });

  test('falsy result: 200 and nothing posted', () => {
    for (const r of [undefined, null, false, 0, '']) {
      assert.deepEqual(applyIncomingScriptResult(ctx, r), { kind: 'accepted' });
    }
    assert.deepEqual(applyIncomingScriptResult(slack, undefined), { kind: 'accepted' });
    assert.deepEqual(slackAnswer({ kind: 'accepted' }), { status: 200, type: 'text', body: 'ok' });
  });

  test('{error: string} and {error: object}: 400', () => {
    const s = applyIncomingScriptResult(ctx, { error: 'nope' });
    assert.equal(s.kind, 'error');
    if (s.kind !== 'error') return;
    assert.deepEqual(hookErrorResponse(s.error, 'hooks'), { status: 400, type: 'json', body: { success: false, error: 'nope' } });
    assert.deepEqual(slackErrorResponse(s.error), { status: 400, type: 'text', body: 'invalid_payload' });
    const o = applyIncomingScriptResult(ctx, { error: { code: 42, reason: 'bad', success: true } });
    assert.equal(o.kind, 'error');
    if (o.kind !== 'error') return;
    assert.deepEqual(hookErrorResponse(o.error, 'hooks').body, { code: 42, reason: 'bad', success: false });
  });

  test('{content}: replaces the payload, still subject to the override rule', () => {
    const r = applyIncomingScriptResult(ctx, { content: { text: 'from script' } });
    assert.equal(r.kind, 'post');
    if (r.kind === 'post') assert.equal(r.request.text, 'from script');
    const o = applyIncomingScriptResult(ctx, { content: { text: 'x', channel: '#other' } });
    assert.equal(o.kind, 'error');
    if (o.kind === 'error') assert.equal(o.error.error, 'overriding destination channel is disabled for this integration');
    const e = applyIncomingScriptResult(ctx, { content: {} });
    assert.equal(e.kind === 'post' && e.request.text, '');
    const s = applyIncomingScriptResult(ctx, { content: 'a string' });
    assert.equal(s.kind === 'error' && s.error.error, 'error-running-script');
  });

  test('{content, response}: response is the 200 body (success flag added); Slack still says ok', () => {
    const r = applyIncomingScriptResult(ctx, { content: { text: 'x' }, response: { hello: 'world' } });
    assert.equal(r.kind, 'post');
    if (r.kind !== 'post') return;
    assert.deepEqual(incomingSuccess('hooks', r.response), { status: 200, type: 'json', body: { hello: 'world', success: true } });
    const posted = { kind: 'posted' as const, separateResponse: false, results: [{ channel: '#general', message: null }], scriptResponse: r.response };
    assert.deepEqual(slackAnswer(posted), { status: 200, type: 'text', body: 'ok' });
    assert.deepEqual(incomingSuccess('pumble'), { status: 200, type: 'json', body: {} });
  });

  test('{content, user}: by _id or username; malformed → user_not_found', () => {
    const r = applyIncomingScriptResult(ctx, { content: { text: 'x' }, user: { username: 'alice', extra: 1 } });
    assert.equal(r.kind === 'post' && r.user?.username, 'alice');
    const s = applyIncomingScriptResult(ctx, { content: { text: 'x' }, user: 'bob' });
    assert.deepEqual(s.kind === 'post' && s.user, { _id: 'bob', username: 'bob' });
    const bad = applyIncomingScriptResult(ctx, { content: { text: 'x' }, user: { name: 'no id' } });
    assert.equal(bad.kind, 'error');
    if (bad.kind === 'error') assert.deepEqual(slackErrorResponse(bad.error), { status: 400, type: 'text', body: 'user_not_found' });
  });

  test('§7.7 the request a script sees', () => {
    const r = incomingScriptRequest({
      url: '/hooks/i1/tok?x=1&y=a&y=b',
      integrationId: 'i1',
      token: 'tok',
      content: { text: 'hi' },
      rawBody: '{"text":"hi"}',
      headers: { 'Content-Type': 'application/json', 'X-List': ['a', 'b'], 'X-None': undefined },
      user: { _id: 'u', name: 'Cat', username: 'rocket.cat' },
    });
    assert.deepEqual(r, {
      url: { hash: null, search: '?x=1&y=a&y=b', query: { x: '1', y: ['a', 'b'] }, pathname: '/hooks/i1/tok', path: '/hooks/i1/tok?x=1&y=a&y=b' },
      url_raw: '/hooks/i1/tok?x=1&y=a&y=b',
      url_params: { integrationId: 'i1', token: 'tok' },
      content: { text: 'hi' },
      content_raw: '{"text":"hi"}',
      headers: { 'content-type': 'application/json', 'x-list': 'a, b' },
      body: { text: 'hi' },
      user: { _id: 'u', name: 'Cat', username: 'rocket.cat' },
    });
  });

  test('a truthy result without content is error-running-script', () => {
    const r = applyIncomingScriptResult(ctx, { response: { a: 1 } });
    assert.equal(r.kind === 'error' && r.error.error, 'error-running-script');
  });
});

describe('§7.4 step 8 responses', () => {
  const ok = { channel: '#a', message: { _id: 'm1' } };
  const failed = { channel: '#b', error: hookError.notAllowed() };

  test('without separateResponse: success, or the first failure', () => {
    assert.deepEqual(incomingPostResponse('hooks', { separateResponse: false }, [ok]), { status: 200, type: 'json', body: { success: true } });
    assert.deepEqual(incomingPostResponse('hooks', { separateResponse: false }, [ok, failed]), { status: 400, type: 'json', body: { success: false, error: 'error-not-allowed' } });
    assert.deepEqual(incomingPostResponse('hooks', { separateResponse: false }, []), { status: 400, type: 'json', body: { success: false, error: 'unknown-error' } });
  });

  test('separateResponse: per-channel results; 400 only when every channel failed', () => {
    assert.deepEqual(incomingPostResponse('hooks', { separateResponse: true }, [ok, failed]), {
      status: 200,
      type: 'json',
      body: { success: true, responses: [ok, { channel: '#b', error: 'error-not-allowed' }] },
    });
    assert.deepEqual(incomingPostResponse('hooks', { separateResponse: true }, [failed]), {
      status: 400,
      type: 'json',
      body: { success: false, responses: [{ channel: '#b', error: 'error-not-allowed' }] },
    });
  });

  test('Slack: ok, or the Slack string of the failure', () => {
    assert.deepEqual(slackPostResponse({ separateResponse: true }, [ok, failed]), { status: 200, type: 'text', body: 'ok' });
    assert.deepEqual(slackPostResponse({ separateResponse: false }, [{ channel: '#b', error: hookError.archived() }]), {
      status: 410,
      type: 'text',
      body: 'channel_is_archived',
    });
  });
});

describe('§7.2 and §10 error strings', () => {
  test('each failure in both wire forms', () => {
    const cases: [HookError, number, unknown, number, string][] = [
      [hookError.unknownIntegration(), 400, { success: false, error: 'Invalid integration id or token provided.' }, 404, 'no_service'],
      [hookError.wrongToken(), 400, { success: false, error: 'Invalid integration id or token provided.' }, 403, 'invalid_token'],
      [hookError.disabled(), 503, { success: false, error: 'Service Unavailable' }, 404, 'no_active_hooks'],
      [hookError.invalidChannel(), 400, { success: false, error: 'invalid-channel' }, 404, 'channel_not_found'],
      [hookError.notAllowed(), 400, { success: false, error: 'error-not-allowed' }, 403, 'action_prohibited'],
      [hookError.archived(), 400, { success: false, error: 'error-not-allowed' }, 410, 'channel_is_archived'],
      [hookError.userNotFound(), 400, { success: false, error: 'error-invalid-user' }, 400, 'user_not_found'],
      [hookError.runningScript(), 400, { success: false, error: 'error-running-script' }, 500, 'rollup_error'],
      [hookError.serverError(), 500, { success: false, error: 'Internal server error' }, 500, 'rollup_error'],
    ];
    for (const [err, status, body, slackStatus, slackBody] of cases) {
      assert.deepEqual(hookErrorResponse(err, 'hooks'), { status, type: 'json', body });
      assert.deepEqual(slackErrorResponse(err), { status: slackStatus, type: 'text', body: slackBody });
    }
  });

  test('rate limited: the §3 body with errorType, Retry-After in both forms', () => {
    const err = hookError.rateLimited(7);
    assert.deepEqual(hookErrorResponse(err, 'hooks'), {
      status: 429,
      type: 'json',
      body: {
        success: false,
        error: 'Error, too many requests. Please slow down. You must wait 7 seconds before trying this endpoint again. [error-too-many-requests]',
        errorType: 'error-too-many-requests',
      },
      headers: { 'Retry-After': '7' },
    });
    assert.deepEqual(slackErrorResponse(err), { status: 429, type: 'text', body: 'rate_limited', headers: { 'Retry-After': '7' } });
    assert.equal(err.kind, 'rate_limited');
  });

  test('core errors met while posting keep their meaning', () => {
    assert.equal(toHookError(forbidden('Join the channel to post in it')).error, 'error-not-allowed');
    assert.equal(toHookError(new DomainError('invalid', 'text: too long')).error, 'text: too long');
    assert.equal(hookErrorResponse(toHookError(new Error('boom')), 'hooks').status, 500);
  });
});
