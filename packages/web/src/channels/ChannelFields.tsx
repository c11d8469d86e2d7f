/**
 * A channel's name and description fields, as creating and editing a channel both ask for them:
 * the same rules (channelActions.ts CHANNEL_NAME, the server's 80 and 250 characters) and the same
 * hints and errors (a name taken: the server's 409).
 */
import { useTranslation } from 'react-i18next';
import { CHANNEL_NAME } from './channelActions';

/** The name's error, once trimmed: empty or outside CHANNEL_NAME; undefined when it may be sent. */
export function useChannelNameError(trimmed: string): string | undefined {
  const { t } = useTranslation();
  return !trimmed ? t('chat.createChannel.nameRequired') : !CHANNEL_NAME.test(trimmed) ? t('chat.createChannel.nameInvalid') : undefined;
}

export function ChannelNameField(p: {
  id: string;
  hintId: string;
  value: string;
  onChange(value: string): void;
  /** shown once the form was submitted */
  error: string | undefined;
  touched: boolean;
  taken: boolean;
  readOnly?: boolean;
}) {
  const { t } = useTranslation();
  const failed = p.touched && (!!p.error || p.taken);
  return (
    <div className="field">
      <label htmlFor={p.id}>{t('chat.createChannel.name')}</label>
      <input
        id={p.id}
        value={p.value}
        maxLength={80}
        autoFocus={!p.readOnly}
        readOnly={p.readOnly}
        aria-invalid={failed}
        aria-describedby={p.hintId}
        onChange={(e) => p.onChange(e.target.value)}
      />
      <p id={p.hintId} className={p.touched && (p.error || p.taken) ? 'form-error' : 'field-hint'}>
        {p.touched && p.error ? p.error : p.taken ? t('chat.createChannel.nameTaken') : t('chat.createChannel.nameHint')}
      </p>
    </div>
  );
}

export function ChannelDescriptionField({ id, value, onChange }: { id: string; value: string; onChange(value: string): void }) {
  const { t } = useTranslation();
  return (
    <div className="field">
      <label htmlFor={id}>{t('chat.createChannel.description')}</label>
      <input id={id} value={value} maxLength={250} onChange={(e) => onChange(e.target.value)} />
    </div>
  );
}
