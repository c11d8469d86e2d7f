import { useTranslation } from 'react-i18next';
import { useJoinChannel } from './channelActions';
import { describeError } from '../ui/ErrorNotice';
import './channelDialogs.css';

/** In place of the composer in a public channel one has not joined: reading is free, joining lets you post. */
export function JoinBar({ channelId, label }: { channelId: string; label: string }) {
  const { t } = useTranslation();
  const join = useJoinChannel();
  return (
    <div className="join-bar">
      <span>{t('chat.browse.notMember', { name: label })}</span>
      <button type="button" className="button button-primary" disabled={join.isPending} onClick={() => join.mutate(channelId)}>
        {t('chat.browse.joinNamed', { name: label })}
      </button>
      {join.isError && (
        <span className="form-error" role="alert">
          {describeError(join.error, t)}
        </span>
      )}
    </div>
  );
}
