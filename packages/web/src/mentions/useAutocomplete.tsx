import { useId, useMemo, useRef, useState, type KeyboardEvent, type ReactNode, type RefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { useMe, usePeople } from '../people/usePeople';
import { useChannels, isDirect } from '../channels/useChannels';
import { useEmojiData, searchEmoji } from '../emoji/data';
import { Avatar } from '../ui/Avatar';
import './mentions.css';

interface Trigger {
  char: '@' | '#' | ':';
  start: number;
  query: string;
}

interface Suggestion {
  key: string;
  insert: string;
  label: string;
  secondary?: string;
  icon: ReactNode;
}

/** The word being typed at the caret, when it starts with @, # or : (the latter from two letters on). */
export function findTrigger(text: string, caret: number): Trigger | null {
  const m = /(^|[\s(])([@#:])([^\s@#:<>]*)$/.exec(text.slice(0, caret));
  if (!m) return null;
  const char = m[2] as Trigger['char'];
  const query = m[3] ?? '';
  if (char === ':' && query.length < 2) return null;
  return { char, start: caret - query.length - 1, query };
}

const LIMIT = 8;

/**
 * Autocomplete for a composer: `@` people (inserts `@Name`, sent as `<@id>`: composerText.ts) and
 * @channel / @here, `#` channels (inserts `#name`, sent as `<#id>`), `:` emoji (inserts the emoji).
 * `picked` remembers whom a name meant (two people may share one). Arrow keys choose, Enter or Tab takes, Esc closes.
 */
export function useAutocomplete({ text, setText, inputRef }: { text: string; setText(value: string): void; inputRef: RefObject<HTMLTextAreaElement | null> }) {
  const { t } = useTranslation();
  const [caret, setCaret] = useState(0);
  const [active, setActive] = useState(0);
  const [dismissed, setDismissed] = useState<string | null>(null);
  const listId = useId();
  const picked = useRef(new Map<string, string>());
  const trigger = findTrigger(text, Math.min(caret, text.length));
  const triggerKey = trigger ? `${trigger.start}:${trigger.char}` : null;
  const people = usePeople().data;
  const meId = useMe().data?.id;
  const channels = useChannels().data;
  const emoji = useEmojiData(trigger?.char === ':').data;

  const suggestions = useMemo<Suggestion[]>(() => {
    if (!trigger) return [];
    const q = trigger.query.toLowerCase();
    if (trigger.char === '@') {
      const found: Suggestion[] = [...(people?.values() ?? [])]
        .filter((u) => u.status === 'ACTIVATED' && (u.name.toLowerCase().split(/\s+/).some((w) => w.startsWith(q)) || u.name.toLowerCase().startsWith(q) || u.email.toLowerCase().startsWith(q)))
        .sort((a, b) => Number(a.id === meId) - Number(b.id === meId) || a.name.localeCompare(b.name))
        .slice(0, LIMIT)
        .map((u) => ({ key: u.id, insert: `@${u.name} `, label: u.name, secondary: u.id === meId ? t('channels.you') : u.title || undefined, icon: <Avatar id={u.id} name={u.name} size={20} /> }));
      for (const word of ['channel', 'here'] as const) {
        if (word.startsWith(q)) found.push({ key: word, insert: `@${word} `, label: `@${word}`, secondary: t(`chat.mentions.${word}`), icon: <span aria-hidden="true">@</span> });
      }
      return found;
    }
    if (trigger.char === '#') {
      return (channels ?? [])
        .filter((c) => !isDirect(c) && !c.channel.isArchived && (c.channel.name ?? '').toLowerCase().includes(q))
        .sort((a, b) => Number(b.channel.isMember) - Number(a.channel.isMember) || (a.channel.name ?? '').localeCompare(b.channel.name ?? ''))
        .slice(0, LIMIT)
        .map((c) => ({ key: c.channel.id, insert: `#${c.channel.name ?? ''} `, label: c.channel.name ?? '', secondary: c.channel.description || undefined, icon: <span aria-hidden="true">#</span> }));
    }
    if (!emoji) return [];
    return searchEmoji(emoji, q, LIMIT).map((e) => ({ key: e.code, insert: e.unicode, label: `:${e.code}:`, secondary: e.label, icon: <span aria-hidden="true">{e.unicode}</span> }));
  }, [trigger?.char, trigger?.query, people, channels, emoji, meId, t]);

  const open = trigger !== null && dismissed !== triggerKey && suggestions.length > 0;
  const current = Math.min(active, suggestions.length - 1);

  const choose = (s: Suggestion) => {
    if (!trigger) return;
    if (trigger.char === '@' && people?.has(s.key)) picked.current.set(s.label.toLowerCase(), s.key);
    const next = text.slice(0, trigger.start) + s.insert + text.slice(caret);
    const at = trigger.start + s.insert.length;
    setText(next);
    setCaret(at);
    setActive(0);
    requestAnimationFrame(() => {
      const el = inputRef.current;
      if (!el) return;
      el.focus();
      el.setSelectionRange(at, at);
    });
  };

  /** Follows the caret; call from the textarea's onChange and onSelect. */
  const track = (el: HTMLTextAreaElement) => {
    if (el.selectionStart !== caret) {
      setCaret(el.selectionStart);
      setActive(0);
    }
  };

  /** True when the key was the autocomplete's. */
  const onKeyDown = (e: KeyboardEvent<HTMLTextAreaElement>): boolean => {
    if (!open) return false;
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const n = suggestions.length;
      setActive((current + (e.key === 'ArrowDown' ? 1 : n - 1)) % n);
      return true;
    }
    if ((e.key === 'Enter' && !e.shiftKey) || e.key === 'Tab') {
      e.preventDefault();
      choose(suggestions[current]!);
      return true;
    }
    if (e.key === 'Escape') {
      e.preventDefault();
      e.stopPropagation();
      setDismissed(triggerKey);
      return true;
    }
    return false;
  };

  const optionId = (i: number) => `${listId}-${i}`;
  const title = trigger?.char === '@' ? t('chat.mentions.people') : trigger?.char === '#' ? t('chat.mentions.channels') : t('chat.mentions.emoji');
  const popup = open ? (
    <ul className="autocomplete" id={listId} role="listbox" aria-label={title}>
      {suggestions.map((s, i) => (
        <li
          key={s.key}
          id={optionId(i)}
          role="option"
          aria-selected={i === current}
          className="autocomplete-option"
          onMouseDown={(e) => {
            e.preventDefault();
            choose(s);
          }}
          onMouseEnter={() => setActive(i)}
        >
          <span className="autocomplete-icon">{s.icon}</span>
          <span>{s.label}</span>
          {s.secondary && <span className="autocomplete-secondary">{s.secondary}</span>}
        </li>
      ))}
    </ul>
  ) : null;

  const aria = {
    'aria-autocomplete': 'list' as const,
    ...(open && { 'aria-controls': listId, 'aria-activedescendant': optionId(current) }),
  };

  return { popup, onKeyDown, track, aria, open, picked };
}
