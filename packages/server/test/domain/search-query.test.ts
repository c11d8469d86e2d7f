/**
 * The search text's language (domain/search.ts): words, "phrases", prefix*, the in: from: before:
 * after: on: filters and their refusals; the tokens both engines index; the days of the person's
 * time zone; and where a result's text matched (for highlighting).
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../../src/domain/errors.js';
import { MAX_SEARCH_TERMS, isDate, matchRanges, parseSearchText, startOfDay, tokens } from '../../src/domain/search.js';

/** The refusal: a 400 naming `text`, with this in its message. */
function refused(text: string, message: RegExp): void {
  assert.throws(
    () => parseSearchText(text),
    (e: unknown) => e instanceof DomainError && e.kind === 'invalid' && e.errors[0]?.field === 'text' && message.test(e.message),
    text,
  );
}

describe('tokens: runs of letters and digits, lower case', () => {
  test('punctuation and symbols separate words; any script is letters; case is folded', () => {
    assert.deepEqual(tokens('Deploy: e-mail v2.1, x@y.com!'), ['deploy', 'e', 'mail', 'v2', '1', 'x', 'y', 'com']);
    assert.deepEqual(tokens('ÜNÏCODE 東京 naïve'), ['ünïcode', '東京', 'naïve']);
    assert.deepEqual(tokens('%%% -- ***'), []);
    assert.deepEqual(tokens('cafe\u0301'), ['café'], 'decomposed text is composed first (NFC)');
  });
});

describe('parseSearchText', () => {
  test('bare words are all required terms of one token each', () => {
    const p = parseSearchText('  deploy   Failed ');
    assert.deepEqual(p.terms, [{ tokens: ['deploy'], prefix: false }, { tokens: ['failed'], prefix: false }]);
    assert.equal(p.askedForWords, true);
    assert.deepEqual([p.channels, p.people], [[], []]);
  });

  test('"exact phrases" keep their words in order; an unclosed quote runs to the end', () => {
    assert.deepEqual(parseSearchText('"deploy failed" again').terms, [
      { tokens: ['deploy', 'failed'], prefix: false },
      { tokens: ['again'], prefix: false },
    ]);
    assert.deepEqual(parseSearchText('"no end here').terms, [{ tokens: ['no', 'end', 'here'], prefix: false }]);
    assert.deepEqual(parseSearchText('e-mail').terms, [{ tokens: ['e', 'mail'], prefix: false }], 'a word with punctuation is a phrase of its parts');
  });

  test('word* and "a phra"* are prefixes (of the last word)', () => {
    assert.deepEqual(parseSearchText('deplo*').terms, [{ tokens: ['deplo'], prefix: true }]);
    assert.deepEqual(parseSearchText('"finished o"*').terms, [{ tokens: ['finished', 'o'], prefix: true }]);
    assert.deepEqual(parseSearchText('*').terms, [], 'a lone * asks for no word');
  });

  test('filters: in:#channel, from:@person, quoted values, case-insensitive keys; unknown keys are text', () => {
    const p = parseSearchText('IN:#general in:"team room" from:@alice From:bob deploy status:green');
    assert.deepEqual(p.channels, ['general', 'team room']);
    assert.deepEqual(p.people, ['alice', 'bob']);
    assert.deepEqual(p.terms, [{ tokens: ['deploy'], prefix: false }, { tokens: ['status', 'green'], prefix: false }]);
  });

  test('filters alone ask for no words', () => {
    const p = parseSearchText('in:#general before:2026-01-15 after:2025-12-31 on:2026-01-02');
    assert.deepEqual(p.terms, []);
    assert.equal(p.askedForWords, false);
    assert.deepEqual([p.before, p.after, p.on], ['2026-01-15', '2025-12-31', '2026-01-02']);
  });

  test('text without a letter or digit still asked for words (so it finds nothing, not everything)', () => {
    const p = parseSearchText('%%%');
    assert.deepEqual([p.terms, p.askedForWords], [[], true]);
  });

  test('refusals: a filter without a value, a date that is not a real day, too many words', () => {
    refused('in: deploy', /in: needs a channel/);
    refused('from:@', /from: needs a person/);
    refused('before:yesterday', /before: must be a date, YYYY-MM-DD/);
    refused('after:2026-02-30', /after: must be a date/);
    refused('on:2026-1-5', /on: must be a date/);
    refused(Array.from({ length: MAX_SEARCH_TERMS + 1 }, (_, i) => `w${i}`).join(' '), /at most 20 words/);
    assert.doesNotThrow(() => parseSearchText(Array.from({ length: MAX_SEARCH_TERMS }, (_, i) => `w${i}`).join(' ')));
  });
});

describe('dates', () => {
  test('isDate: real calendar days only', () => {
    assert.equal(isDate('2024-02-29'), true);
    assert.equal(isDate('2023-02-29'), false);
    assert.equal(isDate('2026-13-01'), false);
    assert.equal(isDate('26-01-01'), false);
  });

  test("startOfDay: the day begins at the person's midnight, across DST changes; unknown zones are UTC", () => {
    assert.equal(startOfDay('2026-01-15', 'UTC'), Date.UTC(2026, 0, 15));
    assert.equal(startOfDay('2026-01-15', 'UTC', 1), Date.UTC(2026, 0, 16));
    assert.equal(startOfDay('2026-01-15', 'Europe/Belgrade'), Date.UTC(2026, 0, 14, 23), 'UTC+1 in winter');
    assert.equal(startOfDay('2026-07-15', 'Europe/Belgrade'), Date.UTC(2026, 6, 14, 22), 'UTC+2 in summer');
    assert.equal(startOfDay('2026-03-08', 'America/New_York'), Date.UTC(2026, 2, 8, 5), 'the day DST starts still begins at EST midnight');
    assert.equal(startOfDay('2026-03-09', 'America/New_York'), Date.UTC(2026, 2, 9, 4));
    assert.equal(startOfDay('2026-01-15', 'Asia/Kolkata'), Date.UTC(2026, 0, 14, 18, 30));
    assert.equal(startOfDay('2026-01-15', 'Not/AZone'), Date.UTC(2026, 0, 15));
    assert.equal(startOfDay('2026-01-15', ''), Date.UTC(2026, 0, 15));
  });
});

describe('matchRanges: what to highlight', () => {
  test('whole words, prefixes, and phrases only where their words follow each other', () => {
    const text = 'Deploy failed; the deploying failed deploy';
    const t = parseSearchText;
    assert.deepEqual(matchRanges(text, t('deploy').terms), [[0, 6], [36, 42]]);
    assert.deepEqual(matchRanges(text, t('deplo*').terms), [[0, 6], [19, 28], [36, 42]]);
    assert.deepEqual(matchRanges(text, t('"deploy failed"').terms), [[0, 13]], 'the phrase is one run');
    assert.deepEqual(matchRanges(text, t('"failed deploy"').terms), [[29, 42]]);
    assert.deepEqual(matchRanges(text, t('nothing').terms), []);
    assert.deepEqual(matchRanges(text, []), []);
  });
});
