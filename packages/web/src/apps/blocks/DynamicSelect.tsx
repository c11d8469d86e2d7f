import { useEffect, useId, useRef, useState } from 'react';
import { useQuery } from '@tanstack/react-query';
import { useTranslation } from 'react-i18next';
import { api } from '../../lib/api';
import { isRecord, textOf, type Option } from '../types';
import { useBlockEnv } from './context';
import { useElement } from './useElement';
import { Failure, Spinner, type ElementProps } from './Elements';
import { useAnchoredList } from './useAnchoredList';

const DEBOUNCE_MS = 300;

function useDebounced<T>(value: T, ms: number): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setV(value), ms);
    return () => clearTimeout(timer);
  }, [value, ms]);
  return v;
}

/** Options and option groups flattened, each with its group's label. */
function flatOptions(list: unknown[]): { option: Option; group?: string }[] {
  const out: { option: Option; group?: string }[] = [];
  for (const item of list) {
    if (!isRecord(item)) continue;
    if (Array.isArray(item.options) && !('value' in item)) {
      for (const o of item.options) if (isRecord(o) && typeof o.value === 'string') out.push({ option: o as unknown as Option, group: textOf(item.label) });
    } else if (typeof item.value === 'string') out.push({ option: item as unknown as Option });
  }
  return out;
}

/**
 * A dynamic menu (docs/app-platform.md §9.5): a combobox whose options the app serves as the person
 * types (`POST /v1/dynamicMenus/options`, debounced), "No options" and the app's message when it has none.
 * The list is placed over the page at the box's edge (useAnchoredList): a modal's scrolling body does
 * not cut it off.
 */
export function DynamicSelect({ el, at, labelledBy, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const env = useBlockEnv();
  const { entry, change, loading, failed } = useElement(el, at);
  const initial = isRecord(el.initial_option) ? (el.initial_option as unknown as Option) : undefined;
  const [label, setLabel] = useState(() => (initial && (!entry || entry.value === initial.value) ? textOf(initial.text) : ''));
  const [query, setQuery] = useState('');
  const [open, setOpen] = useState(false);
  const [active, setActive] = useState(0);
  const listId = useId();
  const inputRef = useRef<HTMLInputElement>(null);
  const listStyle = useAnchoredList(inputRef, open);
  const min = typeof el.min_query_length === 'number' ? el.min_query_length : 0;
  const debounced = useDebounced(query, DEBOUNCE_MS);
  const ready = open && debounced.length >= min;
  const options = useQuery({
    // The view's inputs go along (a menu may depend on another field): options are per state too.
    queryKey: ['apps', 'menu', env.source.sourceId, at.blockId, el.onAction, debounced, env.state && JSON.stringify(env.state)],
    queryFn: () =>
      api.post<{ options: unknown[]; message?: string }>('/v1/dynamicMenus/options', {
        ...env.source,
        ...(at.blockId && { blockId: at.blockId }),
        onAction: el.onAction,
        query: debounced,
        ...(env.state && { state: env.state }),
      }),
    enabled: ready && !!el.onAction,
    staleTime: 10_000,
  });
  const items = options.data ? flatOptions(options.data.options) : [];

  const pick = (o: Option) => {
    setLabel(textOf(o.text));
    setQuery('');
    setOpen(false);
    change({ type: el.type, value: o.value });
  };

  return (
    <span className="app-element app-element-wide app-combobox">
      <input
        ref={inputRef}
        type="text"
        className="app-input"
        role="combobox"
        aria-expanded={open}
        aria-controls={listId}
        aria-autocomplete="list"
        aria-activedescendant={open && items[active] ? `${listId}-${active}` : undefined}
        aria-labelledby={labelledBy}
        aria-label={labelledBy ? undefined : textOf(el.placeholder)}
        aria-describedby={describedBy}
        placeholder={textOf(el.placeholder)}
        value={open ? query : label}
        onFocus={() => setOpen(true)}
        onBlur={() => setTimeout(() => setOpen(false), 150)}
        onChange={(e) => {
          setQuery(e.target.value);
          setOpen(true);
          setActive(0);
        }}
        onKeyDown={(e) => {
          if (e.key === 'ArrowDown') (e.preventDefault(), setOpen(true), setActive((a) => Math.min(a + 1, items.length - 1)));
          else if (e.key === 'ArrowUp') (e.preventDefault(), setActive((a) => Math.max(a - 1, 0)));
          else if (e.key === 'Enter' && open && items[active]) (e.preventDefault(), pick(items[active].option));
          else if (e.key === 'Escape' && open) (e.preventDefault(), e.stopPropagation(), setOpen(false));
        }}
      />
      {loading && <Spinner label={t('apps.blocks.working')} />}
      {open && (
        <ul className="app-menu-list" style={listStyle} id={listId} role="listbox" aria-label={textOf(el.placeholder) || t('apps.blocks.choose')}>
          {query.length < min ? (
            <li className="app-menu-note">{t('apps.blocks.typeMore', { count: min })}</li>
          ) : options.isFetching && !options.data ? (
            <li className="app-menu-note">{t('apps.blocks.searching')}</li>
          ) : options.isError ? (
            <li className="app-menu-note">{t('apps.blocks.optionsFailed')}</li>
          ) : items.length === 0 ? (
            <li className="app-menu-note">
              {t('apps.blocks.noOptions')}
              {options.data?.message && <span className="app-menu-message">{options.data.message}</span>}
            </li>
          ) : (
            items.map(({ option, group }, i) => (
              <li
                key={option.value}
                id={`${listId}-${i}`}
                role="option"
                aria-selected={i === active}
                className={`app-menu-option${i === active ? ' is-active' : ''}`}
                onMouseDown={(e) => e.preventDefault()}
                onClick={() => pick(option)}
              >
                {group && <span className="app-option-group">{group}</span>}
                {textOf(option.text)}
                {option.description && <span className="app-option-description">{textOf(option.description)}</span>}
              </li>
            ))
          )}
        </ul>
      )}
      <Failure error={failed} />
    </span>
  );
}
