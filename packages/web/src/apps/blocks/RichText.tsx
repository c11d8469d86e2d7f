import type { ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { emojiOf } from '../../lib/emoji';
import { usePeople } from '../../people/usePeople';
import { useChannels } from '../../channels/useChannels';
import { isRecord, type Json } from '../types';

const SAFE_LINK = /^(?:https?:|mailto:|tel:)/i;

function Styled({ style, children }: { style: unknown; children: ReactNode }) {
  let out = children;
  if (!isRecord(style)) return <>{out}</>;
  if (style.code) out = <code>{out}</code>;
  if (style.strike) out = <s>{out}</s>;
  if (style.italic) out = <em>{out}</em>;
  if (style.bold) out = <strong>{out}</strong>;
  return <>{out}</>;
}

/** One basic element: text, link, emoji, mention, broadcast. React text only: nothing is parsed as HTML. */
function Basic({ el }: { el: Json }) {
  const people = usePeople().data;
  const channels = useChannels().data;
  const { t } = useTranslation();
  switch (el.type) {
    case 'text':
      return <Styled style={el.style}>{String(el.text ?? '')}</Styled>;
    case 'link': {
      const url = String(el.url ?? '');
      const label = typeof el.text === 'string' && el.text ? el.text : url;
      if (!SAFE_LINK.test(url)) return <Styled style={el.style}>{label}</Styled>;
      return (
        <a href={url} target="_blank" rel="noopener noreferrer">
          <Styled style={el.style}>{label}</Styled>
        </a>
      );
    }
    case 'emoji': {
      const name = String(el.name ?? '');
      const glyph = emojiOf(name);
      return glyph ? (
        <span role="img" aria-label={`:${name}:`}>
          {glyph}
        </span>
      ) : (
        <>{`:${name}:`}</>
      );
    }
    case 'user': {
      const name = people?.get(String(el.user_id))?.name;
      return <span className="app-mention">@{name ?? t('apps.blocks.someone')}</span>;
    }
    case 'usergroup':
      return <span className="app-mention">@{String(el.usergroup_id)}</span>;
    case 'channel': {
      const c = channels?.find((x) => x.channel.id === el.channel_id);
      return <span className="app-mention">#{c?.channel.name ?? t('apps.blocks.aChannel')}</span>;
    }
    case 'broadcast':
      return <span className="app-mention">@{el.range === 'here' ? 'here' : 'channel'}</span>;
    default:
      return null;
  }
}

const list = (v: unknown): Json[] => (Array.isArray(v) ? v.filter(isRecord) : []);

function Inline({ elements }: { elements: unknown }) {
  return (
    <>
      {list(elements).map((el, i) => (
        <Basic key={i} el={el} />
      ))}
    </>
  );
}

function RichPart({ part }: { part: Json }) {
  switch (part.type) {
    case 'rich_text_section':
      return (
        <p className="app-rt-section">
          <Inline elements={part.elements} />
        </p>
      );
    case 'rich_text_quote':
      return (
        <blockquote className="app-rt-quote">
          <Inline elements={part.elements} />
        </blockquote>
      );
    case 'rich_text_preformatted':
      return (
        <pre className="app-rt-pre">
          <Inline elements={part.elements} />
        </pre>
      );
    case 'rich_text_list': {
      const items = list(part.elements).map((item, i) => (
        <li key={i}>
          <Inline elements={item.elements} />
        </li>
      ));
      const indent = typeof part.indent === 'number' ? Math.min(4, Math.max(0, part.indent)) : 0;
      const cls = `app-rt-list app-rt-indent-${indent}${part.border === 1 ? ' app-rt-border' : ''}`;
      return part.style === 'ordered' ? (
        <ol className={cls} start={typeof part.offset === 'number' ? part.offset + 1 : undefined}>
          {items}
        </ol>
      ) : (
        <ul className={cls}>{items}</ul>
      );
    }
    default:
      return null;
  }
}

export function RichText({ block }: { block: Json }) {
  return (
    <div className="app-rich-text">
      {list(block.elements).map((part, i) => (
        <RichPart key={i} part={part} />
      ))}
    </div>
  );
}
