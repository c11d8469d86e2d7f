import { useId, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { ConfirmDialog } from '../../ui/ConfirmDialog';
import { describeError } from '../../ui/ErrorNotice';
import { isRecord, textOf, type Element, type Option } from '../types';
import { useBlockEnv } from './context';
import { useElement, type Placement } from './useElement';
import { DynamicSelect } from './DynamicSelect';

export interface ElementProps {
  el: Element;
  at: Placement;
  /** the input block's label id, when the element is an input's */
  labelledBy?: string | undefined;
  describedBy?: string | undefined;
}

export function Spinner({ label }: { label: string }) {
  return <span className="app-spinner" role="status" aria-label={label} />;
}

/** Options of a static menu or checkboxes, groups flattened for lookups. */
export function optionsOf(el: Element): Option[] {
  const out: Option[] = [];
  const add = (list: unknown) => Array.isArray(list) && list.forEach((o) => isRecord(o) && typeof o.value === 'string' && out.push(o as unknown as Option));
  add(el.options);
  if (Array.isArray(el.option_groups)) el.option_groups.forEach((g) => isRecord(g) && add(g.options));
  return out;
}

/** What went wrong with an interaction, under the element. */
function Failure({ error }: { error: unknown }) {
  const { t } = useTranslation();
  if (!error) return null;
  return (
    <p className="app-element-error" role="alert">
      {t('apps.blocks.interactionFailed', { reason: describeError(error, t) })}
    </p>
  );
}

/** Runs `action` after the element's `confirm` dialog, when it has one. */
function useConfirm(el: Element) {
  const [pending, setPending] = useState<(() => void) | null>(null);
  const c = isRecord(el.confirm) ? el.confirm : undefined;
  const ask = (action: () => void) => (c ? setPending(() => action) : action());
  const dialog =
    c && pending ? (
      <ConfirmDialog
        title={textOf(c.title)}
        confirmLabel={textOf(c.confirm)}
        cancelLabel={textOf(c.deny)}
        danger={c.style === 'danger' || c.style === 'warning'}
        onConfirm={() => {
          pending();
          setPending(null);
        }}
        onCancel={() => setPending(null)}
      >
        <p>{textOf(c.text)}</p>
      </ConfirmDialog>
    ) : null;
  return { ask, dialog };
}

function ButtonElement({ el, at }: ElementProps) {
  const { t } = useTranslation();
  const { fire, loading, busy, failed } = useElement(el, at);
  const { ask, dialog } = useConfirm(el);
  const style = typeof el.style === 'string' ? el.style : 'secondary';
  const label = textOf(el.text);
  const cls = `button button-small app-button app-button-${style}`;
  const url = typeof el.url === 'string' && /^https?:/i.test(el.url) ? el.url : undefined;
  // The button's own value goes along: it tells apart buttons that share an onAction (the server
  // still sends the app the value it stored, never this one).
  const click = () => fire(typeof el.value === 'string' ? { type: 'button', value: el.value } : undefined);
  const content: ReactNode = (
    <>
      {loading && <Spinner label={t('apps.blocks.working')} />}
      <span>{label}</span>
    </>
  );
  return (
    <span className="app-element">
      {url ? (
        <a className={cls} href={url} target="_blank" rel="noopener noreferrer" onClick={() => el.onAction && click()}>
          {content}
        </a>
      ) : (
        <button type="button" className={cls} aria-busy={loading || undefined} disabled={loading || busy} onClick={() => ask(click)}>
          {content}
        </button>
      )}
      {dialog}
      <Failure error={failed} />
    </span>
  );
}

function StaticSelect({ el, at, labelledBy, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const { entry, change, loading, failed } = useElement(el, at);
  const { ask, dialog } = useConfirm(el);
  const initial = isRecord(el.initial_option) && typeof el.initial_option.value === 'string' ? el.initial_option.value : '';
  const value = entry ? String(entry.value ?? '') : initial;
  const opt = (o: Option) => (
    <option key={o.value} value={o.value}>
      {textOf(o.text)}
    </option>
  );
  const groups = Array.isArray(el.option_groups) ? el.option_groups.filter(isRecord) : [];
  return (
    <span className="app-element">
      <select
        className="app-select"
        value={value}
        aria-labelledby={labelledBy}
        aria-label={labelledBy ? undefined : textOf(el.placeholder) || t('apps.blocks.choose')}
        aria-describedby={describedBy}
        onChange={(e) => {
          const v = e.target.value;
          ask(() => change(v ? { type: el.type, value: v } : undefined));
        }}
      >
        <option value="">{textOf(el.placeholder) || t('apps.blocks.choose')}</option>
        {optionsOf({ type: el.type, options: el.options }).map(opt)}
        {groups.map((g, i) => (
          <optgroup key={i} label={textOf(g.label)}>
            {optionsOf({ type: el.type, options: g.options }).map(opt)}
          </optgroup>
        ))}
      </select>
      {loading && <Spinner label={t('apps.blocks.working')} />}
      {dialog}
      <Failure error={failed} />
    </span>
  );
}

function Checkboxes({ el, at, labelledBy, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const { entry, change, loading, failed } = useElement(el, at);
  const initial = Array.isArray(el.initial_options) ? el.initial_options.filter(isRecord).map((o) => String(o.value)) : [];
  const values = entry?.values ?? initial;
  return (
    <span className="app-element">
      <span className="app-checkboxes" role="group" aria-labelledby={labelledBy} aria-describedby={describedBy}>
        {optionsOf(el).map((o) => (
          <label key={o.value} className="app-checkbox">
            <input
              type="checkbox"
              checked={values.includes(o.value)}
              onChange={(e) => {
                const next = e.target.checked ? [...values, o.value] : values.filter((v) => v !== o.value);
                change({ type: el.type, values: next });
              }}
            />
            <span>
              {textOf(o.text)}
              {o.description && <span className="app-option-description">{textOf(o.description)}</span>}
            </span>
          </label>
        ))}
      </span>
      {loading && <Spinner label={t('apps.blocks.working')} />}
      <Failure error={failed} />
    </span>
  );
}

function DatePicker({ el, at, labelledBy, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const { entry, change, loading, failed } = useElement(el, at);
  const value = entry ? String(entry.value ?? '') : typeof el.initial_date === 'string' ? el.initial_date : '';
  return (
    <span className="app-element">
      <input
        type="date"
        className="app-input app-date"
        value={value}
        aria-labelledby={labelledBy}
        aria-label={labelledBy ? undefined : textOf(el.placeholder) || t('apps.blocks.pickDate')}
        aria-describedby={describedBy}
        onChange={(e) => change(e.target.value ? { type: el.type, value: e.target.value } : undefined)}
      />
      {loading && <Spinner label={t('apps.blocks.working')} />}
      <Failure error={failed} />
    </span>
  );
}

function DateRangePicker({ el, at, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const { entry, change, loading, failed } = useElement(el, at);
  const init = isRecord(el.initial_date_range) ? [String(el.initial_date_range.start ?? ''), String(el.initial_date_range.end ?? '')] : ['', ''];
  const [draft, setDraft] = useState<string[]>(entry?.values ?? init);
  const set = (i: 0 | 1, v: string) => {
    const next = [...draft];
    next[i] = v;
    setDraft(next);
    // a range is sent once both ends are there and in order
    if (next[0] && next[1] && next[0] <= next[1]) change({ type: el.type, values: [next[0], next[1]] });
    else if (!next[0] && !next[1]) change(undefined, false);
  };
  return (
    <span className="app-element app-date-range">
      <input type="date" className="app-input app-date" value={draft[0] ?? ''} max={draft[1] || undefined} aria-label={t('apps.blocks.rangeStart')} aria-describedby={describedBy} onChange={(e) => set(0, e.target.value)} />
      <span aria-hidden="true">–</span>
      <input type="date" className="app-input app-date" value={draft[1] ?? ''} min={draft[0] || undefined} aria-label={t('apps.blocks.rangeEnd')} aria-describedby={describedBy} onChange={(e) => set(1, e.target.value)} />
      {loading && <Spinner label={t('apps.blocks.working')} />}
      <Failure error={failed} />
    </span>
  );
}

function TextInput({ el, at, labelledBy, describedBy }: ElementProps) {
  const { t } = useTranslation();
  const { entry, change, fire, loading, failed } = useElement(el, at);
  const value = entry ? String(entry.value ?? '') : typeof el.initial_value === 'string' ? el.initial_value : '';
  const tr = Array.isArray(el.interaction_triggers) ? el.interaction_triggers : [el.interaction_triggers];
  const onInput = tr.includes('on_input') && (!at.inInput || at.dispatchAction);
  const onEnter = tr.includes('on_enter_pressed') && (!at.inInput || at.dispatchAction);
  const props = {
    className: 'app-input',
    value,
    placeholder: textOf(el.placeholder) || undefined,
    minLength: typeof el.min_length === 'number' ? el.min_length : undefined,
    maxLength: typeof el.max_length === 'number' ? el.max_length : undefined,
    autoFocus: el.autofocused === true,
    'aria-labelledby': labelledBy,
    'aria-label': labelledBy ? undefined : textOf(el.placeholder) || t('apps.blocks.text'),
    'aria-describedby': describedBy,
    onChange: (e: { target: { value: string } }) => change(e.target.value ? { type: el.type, value: e.target.value } : undefined, onInput),
    onKeyDown: (e: React.KeyboardEvent) => {
      if (onEnter && e.key === 'Enter' && !e.shiftKey) {
        e.preventDefault();
        fire({ type: el.type, value });
      }
    },
  };
  return (
    <span className="app-element app-element-wide">
      {el.line_mode === 'multiline' ? <textarea rows={3} {...props} /> : <input type="text" {...props} />}
      {loading && <Spinner label={t('apps.blocks.working')} />}
      <Failure error={failed} />
    </span>
  );
}

function Unknown() {
  const { t } = useTranslation();
  return <span className="app-unknown">{t('apps.blocks.cantShow')}</span>;
}

/** One actionable element, whatever its type; an unknown type says it can't be shown. */
export function ElementView(props: ElementProps) {
  const env = useBlockEnv();
  const id = useId();
  switch (props.el.type) {
    case 'button':
      return <ButtonElement {...props} />;
    case 'static_select_menu':
      return <StaticSelect {...props} />;
    case 'dynamic_select_menu':
      return <DynamicSelect {...props} key={`${env.source.sourceId}${id}`} />;
    case 'checkboxes':
      return <Checkboxes {...props} />;
    case 'date_picker':
      return <DatePicker {...props} />;
    case 'date_range_picker':
      return <DateRangePicker {...props} />;
    case 'plain_text_input':
      return <TextInput {...props} />;
    default:
      return <Unknown />;
  }
}

export { Failure };
