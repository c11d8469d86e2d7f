import { Component, useId, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import { isRecord, textOf, type Block, type Element, type Json } from '../types';
import { BlockEnvContext, useBlockEnv, type BlockEnv } from './context';
import { ElementView } from './Elements';
import { RichText } from './RichText';

function CantShow() {
  const { t } = useTranslation();
  return <p className="app-unknown">{t('apps.blocks.cantShow')}</p>;
}

/** A block that throws while rendering is shown as "can't be shown"; the page goes on. */
class BlockBoundary extends Component<{ children: ReactNode }, { failed: boolean }> {
  override state = { failed: false };
  static getDerivedStateFromError() {
    return { failed: true };
  }
  override render() {
    return this.state.failed ? <CantShow /> : this.props.children;
  }
}

const elementOf = (v: unknown): Element | undefined => (isRecord(v) && typeof v.type === 'string' ? (v as Element) : undefined);

function InputBlock({ block }: { block: Block }) {
  const env = useBlockEnv();
  const { t } = useTranslation();
  const id = useId();
  const el = elementOf(block.element);
  if (!el) return <CantShow />;
  const key = block.blockId && el.onAction ? `${block.blockId}.${el.onAction}` : '';
  const error = (!env.appErrorsAnswered && typeof block.validationError === 'string' && block.validationError) || env.fieldErrors?.[key];
  const hint = typeof block.hint === 'object' ? textOf(block.hint) : '';
  const labelId = `${id}-label`;
  const errorId = `${id}-error`;
  const hintId = `${id}-hint`;
  const describedBy = [error && errorId, hint && hintId].filter(Boolean).join(' ') || undefined;
  return (
    <div className={`app-input-block${error ? ' has-error' : ''}`} data-block-id={block.blockId}>
      <span className="app-input-label" id={labelId}>
        {textOf(block.label)}
        {block.optional === true && <span className="app-optional"> {t('apps.blocks.optional')}</span>}
      </span>
      <ElementView el={el} at={{ blockId: block.blockId, inInput: true, dispatchAction: block.dispatchAction === true }} labelledBy={labelId} describedBy={describedBy} />
      {hint && (
        <span className="app-input-hint" id={hintId}>
          {hint}
        </span>
      )}
      {error && (
        <span className="app-validation-error" id={errorId} role="alert">
          {error}
        </span>
      )}
    </div>
  );
}

function ContextBlock({ block }: { block: Block }) {
  const parts = Array.isArray(block.elements) ? block.elements.filter(isRecord) : [];
  return (
    <div className="app-context">
      {parts.map((p: Json, i) =>
        p.type === 'image' && typeof p.image_url === 'string' && /^https?:/i.test(p.image_url) ? (
          <img key={i} className="app-context-image" src={p.image_url} alt={String(p.alt_text ?? '')} />
        ) : (
          <span key={i}>{textOf(p)}</span>
        ),
      )}
    </div>
  );
}

function OneBlock({ block }: { block: Block }) {
  switch (block.type) {
    case 'rich_text':
      return <RichText block={block} />;
    case 'divider':
      return <hr className="app-divider" />;
    case 'header':
      return <h3 className="app-header">{textOf(block.text)}</h3>;
    case 'context':
      return <ContextBlock block={block} />;
    case 'image': {
      const url = typeof block.image_url === 'string' && /^https?:/i.test(block.image_url) ? block.image_url : undefined;
      if (!url) return <CantShow />;
      return (
        <figure className="app-image">
          {block.title !== undefined && <figcaption>{textOf(block.title)}</figcaption>}
          <img src={url} alt={String(block.alt_text ?? '')} loading="lazy" />
        </figure>
      );
    }
    case 'section': {
      const accessory = elementOf(block.accessory);
      return (
        <div className={`app-section${block.text_position === 'right' ? ' app-section-right' : ''}`}>
          <p className="app-section-text">{textOf(block.text)}</p>
          {accessory && <ElementView el={accessory} at={{ blockId: block.blockId, inInput: false, accessory: true }} />}
        </div>
      );
    }
    case 'actions': {
      const els = Array.isArray(block.elements) ? block.elements.map(elementOf) : [];
      return (
        <div className="app-actions" role="group">
          {els.map((el, i) => (el ? <ElementView key={i} el={el} at={{ blockId: block.blockId, inInput: false }} /> : <CantShow key={i} />))}
        </div>
      );
    }
    case 'input':
      return <InputBlock block={block} />;
    default:
      return <CantShow />;
  }
}

/** The platform's blocks (pumble-app-platform.md §12.7) in a message, a modal or a home view. */
export function Blocks({ blocks, env }: { blocks: unknown; env: BlockEnv }) {
  const list = Array.isArray(blocks) ? blocks : [];
  return (
    <BlockEnvContext.Provider value={env}>
      <div className="app-blocks">
        {list.map((b, i) => (
          <BlockBoundary key={isRecord(b) && typeof b.blockId === 'string' ? `${b.blockId}-${i}` : i}>
            {isRecord(b) && typeof b.type === 'string' ? <OneBlock block={b as Block} /> : <CantShow />}
          </BlockBoundary>
        ))}
      </div>
    </BlockEnvContext.Provider>
  );
}
