import { useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { LinkPreview, Message } from '../lib/types';
import { CloseIcon } from '../ui/icons';
import { useRemoveLinkPreview } from './useRemoveLinkPreview';
import './strings';
import './previews.css';

/** Only what the server promises, checked again here: links open http(s) pages, images load over https. */
const isWebLink = (url: string) => /^https?:\/\//i.test(url);
const isHttpsImage = (url: string | undefined): url is string => url !== undefined && /^https:\/\//i.test(url);

function hostOf(url: string): string {
  try {
    return new URL(url).hostname.replace(/^www\./, '');
  } catch {
    return url;
  }
}

/**
 * The preview cards under a message (web-client.md §6.1): site, title (the link), description and
 * image, all as text — React escapes it, nothing from the page is ever HTML here. The author gets
 * an "×" on each card to remove it for everyone.
 */
export function LinkPreviews({ message, mine }: { message: Message; mine: boolean }) {
  const { t } = useTranslation();
  const remove = useRemoveLinkPreview(message);
  const previews = (message.linkPreviews ?? []).filter((p) => isWebLink(p.url));
  if (previews.length === 0) return null;
  return (
    <div className="link-previews">
      <ul className="link-preview-list" aria-label={t('previews.list')}>
        {previews.map((p) => (
          <li key={p.url}>
            <LinkPreviewCard preview={p} onRemove={mine && !message.isEphemeral ? () => remove.mutate(p.url) : undefined} removing={remove.isPending && remove.variables === p.url} />
          </li>
        ))}
      </ul>
      {remove.isError && (
        <p className="link-preview-error" role="alert">
          {t('previews.removeFailed')}
        </p>
      )}
    </div>
  );
}

function LinkPreviewCard({ preview, onRemove, removing }: { preview: LinkPreview; onRemove: (() => void) | undefined; removing: boolean }) {
  const { t } = useTranslation();
  const [imageFailed, setImageFailed] = useState(false);
  const site = preview.siteName ?? hostOf(preview.url);
  const image = isHttpsImage(preview.imageUrl) && !imageFailed ? preview.imageUrl : undefined;
  return (
    <article className={`link-preview${onRemove ? ' link-preview-removable' : ''}`} aria-label={t('previews.card', { site })}>
      <div className="link-preview-text">
        <span className="link-preview-site">{site}</span>
        <a className="link-preview-title" href={preview.url} target="_blank" rel="noopener noreferrer">
          {preview.title ?? preview.url}
        </a>
        {preview.description && <p className="link-preview-description">{preview.description}</p>}
      </div>
      {/* Decorative: the title says what it is. No referrer, so the site does not learn where it was shown. */}
      {image && <img className="link-preview-image" src={image} alt="" loading="lazy" decoding="async" referrerPolicy="no-referrer" onError={() => setImageFailed(true)} />}
      {onRemove && (
        <button type="button" className="icon-button link-preview-remove" onClick={onRemove} disabled={removing} aria-label={t('previews.remove', { site })} title={t('previews.removeShort')}>
          <CloseIcon size={14} />
        </button>
      )}
    </article>
  );
}
