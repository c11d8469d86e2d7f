import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import type { Message } from '../lib/types';
import { Blocks } from './blocks/Blocks';
import { Attachments } from './blocks/Attachments';
import type { BlockEnv } from './blocks/context';
import { useDismissEphemeral } from './ephemeral';
import { CloseIcon } from '../ui/icons';
import './apps.css';

type WithBlocks = Message & { blocks?: unknown[]; attachments?: unknown[] };

/**
 * What apps add under a message's text: its blocks, its Slack-style attachments, and for an
 * ephemeral message the "Only visible to you" line with a dismiss button (web-client.md §6.1, §6.3).
 */
export function MessageExtras({ message }: { message: Message }) {
  const { t } = useTranslation();
  const dismiss = useDismissEphemeral();
  const m = message as WithBlocks;
  const env = useMemo<BlockEnv>(
    () => ({ source: { sourceType: m.isEphemeral ? 'EPHEMERAL_MESSAGE' : 'MESSAGE', sourceId: m.id, channelId: m.channelId }, idPrefix: m.id }),
    [m.id, m.channelId, m.isEphemeral],
  );
  const hasBlocks = Array.isArray(m.blocks) && m.blocks.length > 0;
  const hasAttachments = Array.isArray(m.attachments) && m.attachments.length > 0;
  if (!hasBlocks && !hasAttachments && !m.isEphemeral) return null;
  return (
    <>
      {hasBlocks && <Blocks blocks={m.blocks} env={env} />}
      {hasAttachments && <Attachments attachments={m.attachments} env={env} />}
      {m.isEphemeral && (
        <p className="app-ephemeral-note">
          <span>{t('apps.ephemeral.onlyYou')}</span>
          <button type="button" className="link-button app-ephemeral-dismiss" onClick={() => dismiss(message)} aria-label={t('apps.ephemeral.dismissLabel')}>
            <CloseIcon size={12} />
            {t('apps.ephemeral.dismiss')}
          </button>
        </p>
      )}
    </>
  );
}
