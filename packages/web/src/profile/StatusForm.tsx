import { useState, type FormEvent } from 'react';
import { dayBounds, wallClock } from '../lib/dateFormatters';
import { displayTimeZone } from '../lib/timeZone';
import { useTranslation } from 'react-i18next';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { api } from '../lib/api';
import type { WorkspaceUser } from '../lib/types';
import { peopleKey } from '../people/usePeople';
import { lookupEmoji, useEmojiData } from '../emoji/data';
import { describeError } from '../ui/ErrorNotice';
import { statusActive } from './StatusEmoji';

const EXPIRIES = ['never', '30m', '1h', '4h', 'today', 'week'] as const;
type Expiry = (typeof EXPIRIES)[number];

/** Slack-style presets: one click fills the emoji, the text (in the person's language) and a sensible end. */
const PRESETS = [
  { key: 'meeting', code: ':calendar:', expiry: '1h' },
  { key: 'commuting', code: ':bus:', expiry: '30m' },
  { key: 'sick', code: ':face_with_thermometer:', expiry: 'today' },
  { key: 'vacation', code: ':palm_tree:', expiry: 'never' },
  { key: 'remote', code: ':house_with_garden:', expiry: 'today' },
] as const satisfies ReadonlyArray<{ key: string; code: string; expiry: Expiry }>;

/** When a status set now ends; "today" and "this week" end at the last second of that day in the person's zone. */
function expiresAt(e: Expiry, now = Date.now()): number {
  const ms = { never: 0, '30m': 30 * 60_000, '1h': 3_600_000, '4h': 4 * 3_600_000 } as Record<string, number>;
  if (e in ms) return ms[e] === 0 ? 0 : now + ms[e]!;
  let [, end] = dayBounds(now);
  if (e === 'week') {
    // Up to Sunday: the weekday of the zone's day, 0 = Sunday, read from its calendar date.
    const w = wallClock(now);
    const weekday = new Date(Date.UTC(w.year, w.month - 1, w.day)).getUTCDay();
    for (let i = 0; i < (7 - weekday) % 7; i++) end = dayBounds(end)[1];
  }
  return end - 1000;
}

/** The server's rule for an emoji code (domain/model.ts EMOJI_CODE). */
const EMOJI_CODE = /^:[a-z0-9_+\-']{1,100}:$/i;

/** `:palm_tree:` from what was typed: `palm_tree`, `:palm_tree:` or ` palm_tree: `. */
const asCode = (typed: string) => `:${typed.trim().replace(/:/g, '')}:`;

/**
 * `PUT /v1/workspaceUsers/customStatus {code, status, expiresAt}` sets an emoji, a text and when it
 * ends; `DELETE` clears it. Everyone's open tabs show it beside the person's name.
 */
export function StatusForm({ me }: { me: WorkspaceUser }) {
  const { t, i18n } = useTranslation();
  const qc = useQueryClient();
  const current = statusActive(me.customStatus) ? me.customStatus : undefined;
  const [code, setCode] = useState(current?.code ?? ':speech_balloon:');
  const [text, setText] = useState(current?.status ?? '');
  const [expiry, setExpiry] = useState<Expiry>('never');
  const emojiData = useEmojiData().data;
  const done = (user: WorkspaceUser) => {
    qc.setQueryData(['users', 'me', user.id], user);
    void qc.invalidateQueries({ queryKey: peopleKey });
  };
  const save = useMutation({
    mutationFn: (body: { code: string; status: string; expiresAt: number }) => api.put<WorkspaceUser>('/v1/workspaceUsers/customStatus', body),
    onSuccess: done,
  });
  const clear = useMutation({
    mutationFn: () => api.delete<WorkspaceUser>('/v1/workspaceUsers/customStatus'),
    onSuccess: (user) => {
      done(user);
      setText('');
    },
  });
  const busy = save.isPending || clear.isPending;
  const codeOk = EMOJI_CODE.test(asCode(code));
  const preview = codeOk ? lookupEmoji(emojiData, asCode(code)) : undefined;
  const submit = (e: FormEvent) => {
    e.preventDefault();
    clear.reset();
    save.mutate({ code: asCode(code), status: text.trim(), expiresAt: expiresAt(expiry) });
  };
  const until = current?.expiresAt
    ? new Intl.DateTimeFormat(i18n.language, { weekday: 'short', hour: '2-digit', minute: '2-digit', timeZone: displayTimeZone() }).format(current.expiresAt)
    : null;
  const error = save.error ?? clear.error;

  return (
    <form className="profile-form" onSubmit={submit}>
      <div className="profile-presets" role="group" aria-label={t('profile.status.presets')}>
        {PRESETS.map((p) => (
          <button
            key={p.key}
            type="button"
            className="button button-small button-secondary"
            onClick={() => {
              setCode(p.code);
              setText(t(`profile.status.preset.${p.key}`));
              setExpiry(p.expiry);
            }}
          >
            <span aria-hidden="true">{lookupEmoji(emojiData, p.code) ?? ''}</span> {t(`profile.status.preset.${p.key}`)}
          </button>
        ))}
      </div>
      <div className="profile-row">
        <div className="field profile-emoji">
          <label htmlFor="status-emoji">{t('profile.status.emoji')}</label>
          <div className="profile-emoji-input">
            <span className="profile-emoji-preview" aria-hidden="true">
              {preview ?? '·'}
            </span>
            <input
              id="status-emoji"
              value={code}
              onChange={(e) => setCode(e.target.value)}
              placeholder=":palm_tree:"
              aria-invalid={!codeOk || undefined}
              aria-describedby="status-emoji-hint"
            />
          </div>
          <small id="status-emoji-hint" className="profile-note">
            {codeOk ? t('profile.status.emojiHint') : t('profile.status.emojiBad')}
          </small>
        </div>
        <div className="field profile-grow">
          <label htmlFor="status-text">{t('profile.status.text')}</label>
          <input id="status-text" maxLength={100} value={text} onChange={(e) => setText(e.target.value)} placeholder={t('profile.status.placeholder')} />
        </div>
        <div className="field">
          <label htmlFor="status-expiry">{t('profile.status.expiry')}</label>
          <select id="status-expiry" className="select" value={expiry} onChange={(e) => setExpiry(e.target.value as Expiry)}>
            {EXPIRIES.map((x) => (
              <option key={x} value={x}>
                {t(`profile.status.expiries.${x}`)}
              </option>
            ))}
          </select>
        </div>
      </div>
      {current && (
        <p className="profile-note" data-testid="current-status">
          {t('profile.status.current', { emoji: lookupEmoji(emojiData, current.code) ?? current.code, text: current.status ?? '' })}{' '}
          {until ? t('profile.status.until', { when: until }) : t('profile.status.noEnd')}
        </p>
      )}
      {error && (
        <p className="form-error" role="alert">
          {t(save.error ? 'profile.status.notSaved' : 'profile.status.notCleared', { reason: describeError(error, t) })}
        </p>
      )}
      <div className="profile-actions">
        <button type="submit" className="button button-primary" disabled={busy || !codeOk}>
          {t('profile.status.save')}
        </button>
        {current && (
          <button type="button" className="button button-secondary" disabled={busy} onClick={() => {
              save.reset();
              clear.mutate();
            }}>
            {t('profile.status.clear')}
          </button>
        )}
        {(save.isSuccess || clear.isSuccess) && (
          <span className="profile-ok" role="status">
            {clear.isSuccess ? t('profile.status.cleared') : t('profile.saved')}
          </span>
        )}
      </div>
    </form>
  );
}
