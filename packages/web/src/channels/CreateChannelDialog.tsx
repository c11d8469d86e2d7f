import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api';
import { CHANNEL_NAME, useCreateChannel } from './channelActions';
import { Modal } from './Modal';
import { describeError } from '../ui/ErrorNotice';
import './channelDialogs.css';

/** Name, public or private, description: a new channel, opened at once. */
export function CreateChannelDialog({ onClose }: { onClose(): void }) {
  const { t } = useTranslation();
  const ids = { title: useId(), name: useId(), nameHint: useId(), description: useId() };
  const [name, setName] = useState('');
  const [type, setType] = useState<'PUBLIC' | 'PRIVATE'>('PUBLIC');
  const [description, setDescription] = useState('');
  const [touched, setTouched] = useState(false);
  const create = useCreateChannel();
  const navigate = useNavigate();
  const trimmed = name.trim();
  const nameError = !trimmed ? t('chat.createChannel.nameRequired') : !CHANNEL_NAME.test(trimmed) ? t('chat.createChannel.nameInvalid') : undefined;
  const taken = create.error instanceof ApiError && create.error.status === 409;

  return (
    <Modal title={t('chat.createChannel.title')} titleId={ids.title} onClose={onClose}>
      <form
        className="form"
        noValidate
        onSubmit={(e) => {
          e.preventDefault();
          setTouched(true);
          if (nameError) return;
          create.mutate(
            { name: trimmed, type, description: description.trim() },
            {
              onSuccess: (info) => {
                onClose();
                void navigate(`/c/${info.channel.id}`);
              },
            },
          );
        }}
      >
        <div className="field">
          <label htmlFor={ids.name}>{t('chat.createChannel.name')}</label>
          <input
            id={ids.name}
            value={name}
            maxLength={80}
            autoFocus
            aria-invalid={touched && (!!nameError || taken)}
            aria-describedby={ids.nameHint}
            onChange={(e) => setName(e.target.value)}
          />
          <p id={ids.nameHint} className={touched && (nameError || taken) ? 'form-error' : 'field-hint'}>
            {touched && nameError ? nameError : taken ? t('chat.createChannel.nameTaken') : t('chat.createChannel.nameHint')}
          </p>
        </div>
        <fieldset className="field create-channel-type">
          <legend>{t('chat.createChannel.visibility')}</legend>
          <label>
            <input type="radio" name="channel-type" checked={type === 'PUBLIC'} onChange={() => setType('PUBLIC')} />
            <span>
              <strong>{t('chat.createChannel.public')}</strong> — {t('chat.createChannel.publicHint')}
            </span>
          </label>
          <label>
            <input type="radio" name="channel-type" checked={type === 'PRIVATE'} onChange={() => setType('PRIVATE')} />
            <span>
              <strong>{t('chat.createChannel.private')}</strong> — {t('chat.createChannel.privateHint')}
            </span>
          </label>
        </fieldset>
        <div className="field">
          <label htmlFor={ids.description}>{t('chat.createChannel.description')}</label>
          <input id={ids.description} value={description} maxLength={250} onChange={(e) => setDescription(e.target.value)} />
        </div>
        {create.isError && !taken && (
          <p className="form-error" role="alert">
            {t('chat.createChannel.failed')} {describeError(create.error, t)}
          </p>
        )}
        <div className="dialog-actions">
          <button type="button" className="button button-secondary" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={create.isPending}>
            {t('chat.createChannel.submit')}
          </button>
        </div>
      </form>
    </Modal>
  );
}
