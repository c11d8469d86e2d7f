import type { BlockEnv } from './context';
import { Blocks } from './Blocks';
import { isRecord, type Attachment } from '../types';

const safe = (url: unknown) => (typeof url === 'string' && /^https?:/i.test(url) ? url : undefined);
/** a CSS colour an app may name: hex, or the Slack words */
function colourOf(c: unknown): string | undefined {
  if (c === 'good') return 'var(--color-success)';
  if (c === 'danger') return 'var(--color-danger)';
  if (c === 'warning') return '#d97706';
  return typeof c === 'string' && /^#?[0-9a-f]{3,8}$/i.test(c) ? (c.startsWith('#') ? c : `#${c}`) : undefined;
}

/** Slack-style cards (pumble-api.md §12.2): colour bar, author, title, text, fields, image, footer. Text only, never HTML. */
export function Attachments({ attachments, env }: { attachments: unknown; env: BlockEnv }) {
  const list = Array.isArray(attachments) ? (attachments.filter(isRecord) as Attachment[]) : [];
  if (list.length === 0) return null;
  return (
    <div className="app-attachments">
      {list.map((a, i) => {
        const colour = colourOf(a.color);
        const title = a.title && (safe(a.title_link) ? <a href={safe(a.title_link)} target="_blank" rel="noopener noreferrer">{a.title}</a> : a.title);
        const author = a.author_name && (safe(a.author_link) ? <a href={safe(a.author_link)} target="_blank" rel="noopener noreferrer">{a.author_name}</a> : a.author_name);
        const image = safe(a.image_url);
        const thumb = safe(a.thumb_url);
        return (
          <div key={i} className="app-attachment" style={colour ? { borderLeftColor: colour } : undefined}>
            {a.pretext && <p className="app-attachment-pretext">{a.pretext}</p>}
            <div className="app-attachment-body">
              <div className="app-attachment-main">
                {author && (
                  <p className="app-attachment-author">
                    {safe(a.author_icon) && <img src={safe(a.author_icon)} alt="" width={16} height={16} />}
                    {author}
                  </p>
                )}
                {title && <p className="app-attachment-title">{title}</p>}
                {a.text && <p className="app-attachment-text">{a.text}</p>}
                {Array.isArray(a.fields) && a.fields.length > 0 && (
                  <dl className="app-attachment-fields">
                    {(a.fields.filter(isRecord) as NonNullable<Attachment['fields']>).map((f, j) => (
                      <div key={j} className={f.short ? 'is-short' : undefined}>
                        <dt>{f.title}</dt>
                        <dd>{f.value}</dd>
                      </div>
                    ))}
                  </dl>
                )}
                {Array.isArray(a.blocks) && <Blocks blocks={a.blocks} env={env} />}
              </div>
              {thumb && <img className="app-attachment-thumb" src={thumb} alt="" />}
            </div>
            {image && <img className="app-attachment-image" src={image} alt={a.title ?? ''} loading="lazy" />}
            {(a.footer || safe(a.footer_icon)) && (
              <p className="app-attachment-footer">
                {safe(a.footer_icon) && <img src={safe(a.footer_icon)} alt="" width={14} height={14} />}
                {a.footer}
              </p>
            )}
          </div>
        );
      })}
    </div>
  );
}
