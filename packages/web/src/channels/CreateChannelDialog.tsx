import { useId, useState } from 'react';
import { useNavigate } from 'react-router';
import { useTranslation } from 'react-i18next';
import { ApiError } from '../lib/api';
import { useCreateChannel } from './channelActions';
import { ChannelDescriptionField, ChannelNameField, useChannelNameError } from './ChannelFields';
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
  const nameError = useChannelNameError(trimmed);
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
        <ChannelNameField id={ids.name} hintId={ids.nameHint} value={name} onChange={setName} error={nameError} touched={touched} taken={taken} />
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
        <ChannelDescriptionField id={ids.description} value={description} onChange={setDescription} />
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
