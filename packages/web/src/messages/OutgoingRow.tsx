import { useTranslation } from 'react-i18next';
import type { WorkspaceUser } from '../lib/types';
import { Avatar } from '../ui/Avatar';
import { MessageText } from './MessageRow';
import { useDiscardOutgoing, useSendMessage, type Outgoing } from './useMessages';

/** A message on its way: "sending", or not sent with "retry". */
export function OutgoingRow({ out, grouped, me }: { out: Outgoing; grouped: boolean; me: WorkspaceUser | undefined }) {
  const { t } = useTranslation();
  const send = useSendMessage(out.vars.channelId);
  const discard = useDiscardOutgoing();
  const failed = out.status === 'error';
  return (
    <div className={`message message-outgoing${grouped ? ' message-grouped' : ''}${failed ? ' is-failed' : ''}`}>
      <div className="message-gutter">{!grouped && me && <Avatar id={me.id} name={me.name} />}</div>
      <div className="message-main">
        {!grouped && (
          <div className="message-meta">
            <span className="message-author">{me?.name}</span>
          </div>
        )}
        <div className="message-body">
          <MessageText text={out.vars.text} />
        </div>
        {failed ? (
          <p className="message-status message-status-failed" role="alert">
            {t('composer.notSent')}{' '}
            <button
              type="button"
              className="link-button"
              onClick={() => {
                discard(out.mutationId);
                send.mutate({ ...out.vars, at: Date.now() });
              }}
            >
              {t('composer.retry')}
            </button>{' '}
            <button type="button" className="link-button" onClick={() => discard(out.mutationId)}>
              {t('composer.discard')}
            </button>
          </p>
        ) : (
          <p className="message-status">{t('composer.sending')}</p>
        )}
      </div>
    </div>
  );
}
