import { useEffect, useId, useLayoutEffect, useMemo, useRef, useState, type CSSProperties, type KeyboardEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { QUICK_REACTIONS, emojiOf } from '../lib/emoji';
import { GROUPS, searchEmoji, useEmojiData, type EmojiItem } from './data';
import './emoji.css';

const COLUMNS = 8;

/** Arrow keys move between the buttons of a grid of COLUMNS columns. */
function gridKeys(e: KeyboardEvent<HTMLElement>) {
  const keys: Record<string, number> = { ArrowRight: 1, ArrowLeft: -1, ArrowDown: COLUMNS, ArrowUp: -COLUMNS };
  const step = keys[e.key];
  if (step === undefined) return;
  const buttons = [...e.currentTarget.querySelectorAll<HTMLButtonElement>('button')];
  const at = buttons.indexOf(document.activeElement as HTMLButtonElement);
  if (at === -1) return;
  e.preventDefault();
  buttons[Math.max(0, Math.min(buttons.length - 1, at + step))]?.focus();
}

/**
 * A popover to pick an emoji: frequent reactions first (there at once), then the whole set by group
 * or by search once its data has loaded. `onPick` gets the `:code:`.
 */
export default function EmojiPicker({ onPick, onClose }: { onPick(code: string): void; onClose(): void }) {
  const { t } = useTranslation();
  const data = useEmojiData();
  const [query, setQuery] = useState('');
  const [group, setGroup] = useState<number>(GROUPS[0].id);
  const searchRef = useRef<HTMLInputElement>(null);
  const rootRef = useRef<HTMLDivElement>(null);
  const gridId = useId();

  const [place, setPlace] = useState<CSSProperties>({ visibility: 'hidden' });
  // fixed to the viewport beside what opened it (lists clip what overflows them): below, else above
  useLayoutEffect(() => {
    const anchor = rootRef.current?.parentElement?.getBoundingClientRect();
    const me = rootRef.current?.getBoundingClientRect();
    if (!anchor || !me) return;
    const left = Math.max(8, Math.min(anchor.right - me.width, window.innerWidth - me.width - 8));
    const below = anchor.bottom + 4 + me.height <= window.innerHeight - 8;
    const top = below ? anchor.bottom + 4 : Math.max(8, anchor.top - 4 - me.height);
    setPlace({ top, left });
  }, []);
  useEffect(() => searchRef.current?.focus(), [place]);
  useEffect(() => {
    const onDown = (e: PointerEvent) => {
      // the button that opened it toggles it itself
      if (!rootRef.current?.parentElement?.contains(e.target as Node)) onClose();
    };
    document.addEventListener('pointerdown', onDown);
    return () => document.removeEventListener('pointerdown', onDown);
  }, [onClose]);

  const shown: EmojiItem[] = useMemo(() => {
    if (!data.data) return [];
    return query.trim() ? searchEmoji(data.data, query.trim(), 64) : data.data.list.filter((e) => e.group === group);
  }, [data.data, query, group]);

  return (
    <div
      ref={rootRef}
      className="emoji-picker"
      style={place}
      role="dialog"
      aria-label={t('chat.emoji.picker')}
      onKeyDown={(e) => {
        if (e.key === 'Escape') {
          e.stopPropagation();
          onClose();
        }
      }}
    >
      <input
        ref={searchRef}
        className="emoji-search"
        type="search"
        placeholder={t('chat.emoji.search')}
        aria-label={t('chat.emoji.search')}
        aria-controls={gridId}
        value={query}
        onChange={(e) => setQuery(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Enter' && shown[0]) {
            e.preventDefault();
            onPick(`:${shown[0].code}:`);
          }
        }}
      />
      {!query && (
        <div className="emoji-row" role="group" aria-label={t('chat.emoji.frequent')} onKeyDown={gridKeys}>
          {QUICK_REACTIONS.map((code) => (
            <button key={code} type="button" className="emoji-cell" aria-label={t('reactions.react', { emoji: code })} title={code} onClick={() => onPick(code)}>
              <span aria-hidden="true">{emojiOf(code)}</span>
            </button>
          ))}
        </div>
      )}
      {!query && (
        <div className="emoji-groups" role="tablist" aria-label={t('chat.emoji.groups')}>
          {GROUPS.map((g) => (
            <button
              key={g.id}
              type="button"
              role="tab"
              className="emoji-group"
              aria-selected={group === g.id}
              aria-controls={gridId}
              aria-label={t(`chat.emoji.group.${g.key}`)}
              title={t(`chat.emoji.group.${g.key}`)}
              onClick={() => setGroup(g.id)}
            >
              <span aria-hidden="true">{g.icon}</span>
            </button>
          ))}
        </div>
      )}
      <div id={gridId} className="emoji-grid" role="group" aria-label={query ? t('chat.emoji.results') : t(`chat.emoji.group.${GROUPS.find((g) => g.id === group)!.key}`)} onKeyDown={gridKeys}>
        {data.isPending && <p className="emoji-status">{t('chat.emoji.loading')}</p>}
        {data.isError && <p className="emoji-status">{t('chat.emoji.failed')}</p>}
        {data.data && shown.length === 0 && <p className="emoji-status">{t('chat.emoji.none', { query })}</p>}
        {shown.map((e) => (
          <button key={e.code} type="button" className="emoji-cell" aria-label={e.label} title={`:${e.code}:`} onClick={() => onPick(`:${e.code}:`)}>
            <span aria-hidden="true">{e.unicode}</span>
          </button>
        ))}
      </div>
    </div>
  );
}
